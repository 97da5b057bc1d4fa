// Conformance: POE::Test::Loops k_run_returns (run() with no sessions returns at once).
import { describe, expect, it } from 'vitest';
import { Kernel } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('k_run_returns', () => {
  it('run() on a kernel without sessions resolves right away', async () => {
    const kernel = new Kernel();
    // A generous bound (a busy machine cannot trip it): without sessions run() must not wait at all,
    // so it returns with nothing left queued, never after the bound.
    await expect(runBounded(kernel, 10_000)).resolves.toBeUndefined();
    expect(kernel.get_event_count()).toBe(0);
    expect(kernel.get_next_event_time()).toBeUndefined();
  });
});
