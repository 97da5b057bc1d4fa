// Conformance: POE::Test::Loops k_run_returns (run() with no sessions returns at once).
import { describe, expect, it } from 'vitest';
import { Kernel } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('k_run_returns', () => {
  it('run() on a kernel without sessions resolves right away', async () => {
    const kernel = new Kernel();
    const started = performance.now();
    await expect(runBounded(kernel, 1000)).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });
});
