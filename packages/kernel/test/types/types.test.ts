// Type tests: tsc, in strict mode, on a ported program that uses the package as a user does
// (through its built declarations, no casts). Fails on any type error, printing tsc's output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixture/tsconfig.json', import.meta.url));
const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));

describe('types of a ported program', () => {
  it('a strict tsc accepts it without casts', () => {
    const result = spawnSync(process.execPath, [tsc, '-p', fixture], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
