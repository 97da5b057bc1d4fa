// Type tests: tsc, in strict mode, on a ported program that uses the package as a user does
// (through its built declarations, no casts), and on wrong programs that must fail where marked.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { markedFailures, runTsc } from './tsc-fixture.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixture/${path}`, import.meta.url));

describe('types of a ported program', () => {
  it('a strict tsc accepts it without casts', () => {
    const result = runTsc(fixture('tsconfig.json'));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('a strict tsc refuses wrong argument and heap types beside parameterless handlers, each where marked', () => {
    const result = markedFailures(fixture('must-fail/tsconfig.json'), fixture('must-fail/wrong.ts'));
    expect(result.declared.length).toBeGreaterThanOrEqual(5);
    expect(result.status).not.toBe(0);
    // Every marked error occurs, and nothing else fails.
    expect(result.missing).toEqual([]);
    expect(result.unmarked).toEqual([]);
    expect(result.elsewhere).toEqual([]);
  });
});
