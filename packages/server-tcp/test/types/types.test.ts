// Type tests: strict tsc on ported programs (Server::TCP's and Client::TCP's synopses) that must
// compile without casts, and on wrong ones that must fail exactly where they are marked.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { markedFailures, runTsc } from '../../../kernel/test/types/tsc-fixture.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixture/${path}`, import.meta.url));

describe('types of the ported TCP synopses', () => {
  it('a strict tsc accepts them without casts', () => {
    const result = runTsc(fixture('tsconfig.json'));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('a strict tsc refuses wrong argument types, a wrong heap and an unchecked server, each where marked', () => {
    const result = markedFailures(fixture('must-fail/tsconfig.json'), fixture('must-fail/wrong.ts'));
    expect(result.declared.length).toBeGreaterThanOrEqual(8);
    expect(result.status).not.toBe(0);
    // Every marked error occurs, and nothing else fails.
    expect(result.missing).toEqual([]);
    expect(result.unmarked).toEqual([]);
    expect(result.elsewhere).toEqual([]);
  });
});
