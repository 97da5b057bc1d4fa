import { describe, expect, it } from 'vitest';
import { FilterGrep, type GrepOptions } from '../../src/filters/index.js';
import { expectFilterInterface, expectStandardBehaviour } from './standard.js';

const list = (text: string): string[] => text.split(' ');
const digit = (value: string): boolean => /\d/.test(value);
const letter = (value: string): boolean => /[a-zA-Z]/.test(value);
const word = (value: string): boolean => /\w/.test(value);

describe('FilterGrep', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterGrep({ Code: () => true }));
  });

  const refused: [string, unknown][] = [
    ['no parameters', {}],
    ['a Code that is not a function', { Code: [] }],
    ['a Get alone', { Get: () => true }],
    ['a Put alone', { Put: () => true }],
    ['a Get that is not a function', { Get: [], Put: () => true }],
    ['a Put that is not a function', { Get: () => true, Put: [] }],
  ];
  it.each(refused)('refuses %s', (_name, options) => {
    expect(() => new FilterGrep(options as GrepOptions<unknown>)).toThrow(TypeError);
  });

  it('selects with Get on the way in and Put on the way out', () => {
    const filter = new FilterGrep({ Get: digit, Put: letter });
    expect(filter.put(list('A B C 1 2 3'))).toEqual(list('A B C'));
    expect(filter.get(list('a b c 1 2 3'))).toEqual(list('1 2 3'));
    expectStandardBehaviour(filter, list('a b c 1 2 3'), list('1 2 3'), []);
  });

  it('selects both ways with Code', () => {
    const filter = new FilterGrep({ Code: word });
    expect(filter.put(list('a b c 1 2 3 ! @'))).toEqual(list('a b c 1 2 3'));
    expect(filter.get(list('a b c 1 2 3 ! @'))).toEqual(list('a b c 1 2 3'));
    expectStandardBehaviour(filter, list('a b c 1 2 3 ! @'), list('a b c 1 2 3'), list('a b c 1 2 3'));
  });

  it('refuses modify() with something that is not a function', () => {
    const filter = new FilterGrep<string>({ Get: (v) => v === '1', Put: (v) => v === '1' });
    for (const bad of [{ Get: [] }, { Put: [] }, { Code: [] }, { Elephant: () => true }]) {
      expect(() => filter.modify(bad as never)).toThrow(TypeError);
    }
  });

  it('replaces its predicates with modify()', () => {
    const filter = new FilterGrep<string>({ Get: (v) => v === '1', Put: (v) => v === '1' });
    filter.modify({ Get: digit });
    expect(filter.get(list('a b c 1 2 3'))).toEqual(list('1 2 3'));
    filter.modify({ Put: letter });
    expect(filter.put(list('A B C 1 2 3'))).toEqual(list('A B C'));
    filter.modify({ Code: word });
    expect(filter.put(list('a b c 1 2 3 ! @'))).toEqual(list('a b c 1 2 3'));
    expect(filter.get(list('a b c 1 2 3 ! @'))).toEqual(list('a b c 1 2 3'));
  });

  it('buffers on get_one_start and returns the next selected record per get_one', () => {
    const numbers = [1, 1, 2, 3, 5];
    const filter = new FilterGrep({ Code: (n: number) => n & 1 });
    filter.get_one_start(numbers);
    expect(filter.get_pending()?.join('')).toBe('11235');
    for (const n of numbers.filter((x) => x & 1)) expect(filter.get_one()).toEqual([n]);
    expect(filter.get_one()).toEqual([]);
    expect(filter.get_pending()).toBeUndefined();
  });
});
