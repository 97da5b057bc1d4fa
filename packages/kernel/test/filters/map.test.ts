import { describe, expect, it } from 'vitest';
import { FilterMap, type MapOptions } from '../../src/filters/index.js';
import { expectFilterInterface, expectStandardBehaviour } from './standard.js';

const upper = (value: string): string => value.toUpperCase();
const lower = (value: string): string => value.toLowerCase();

describe('FilterMap', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterMap({ Code: (x: unknown) => x }));
  });

  const refused: [string, unknown][] = [
    ['no parameters', {}],
    ['a Code that is not a function', { Code: [] }],
    ['a Get alone', { Get: () => 1 }],
    ['a Put alone', { Put: () => 1 }],
    ['a Get that is not a function', { Get: [], Put: () => 1 }],
    ['a Put that is not a function', { Get: () => 1, Put: [] }],
  ];
  it.each(refused)('refuses %s', (_name, options) => {
    expect(() => new FilterMap(options as MapOptions<unknown, unknown, unknown>)).toThrow(TypeError);
  });

  it('maps with Get on the way in and Put on the way out', () => {
    const filter = new FilterMap<string, string, string>({ Get: upper, Put: lower });
    expect(filter.put(['A', 'B', 'C'])).toEqual(['a', 'b', 'c']);
    expect(filter.get(['a', 'b', 'c'])).toEqual(['A', 'B', 'C']);
  });

  it('maps both ways with Code', () => {
    const filter = new FilterMap({ Code: upper });
    expect(filter.put(['a', 'b', 'c'])).toEqual(['A', 'B', 'C']);
    expect(filter.get(['a', 'b', 'c'])).toEqual(['A', 'B', 'C']);
  });

  it('passes the standard run', () => {
    expectStandardBehaviour(new FilterMap({ Code: upper }), ['a', 'b'], ['A', 'B'], ['A', 'B']);
  });

  it('replaces its functions with modify()', () => {
    const filter = new FilterMap<string>({ Get: () => 'GET', Put: () => 'PUT' });
    filter.modify({ Get: () => 'NGet' });
    expect(filter.get(['a'])).toEqual(['NGet']);
    expect(filter.put(['a'])).toEqual(['PUT']);
    filter.modify({ Put: () => 'NPut' });
    expect(filter.put(['a'])).toEqual(['NPut']);
    filter.modify({ Code: () => 'NCode' });
    expect(filter.put(['a'])).toEqual(['NCode']);
    expect(filter.get(['a'])).toEqual(['NCode']);
  });

  it('refuses modify() with something that is not a function, changing nothing', () => {
    const filter = new FilterMap<string>({ Get: () => 'GET', Put: () => 'PUT' });
    for (const bad of [{ Get: [] }, { Put: [] }, { Code: [] }, { Elephant: () => 1 }]) {
      expect(() => filter.modify(bad as never)).toThrow(TypeError);
    }
    expect(filter.get(['a'])).toEqual(['GET']);
    expect(filter.put(['a'])).toEqual(['PUT']);
  });

  it('buffers on get_one_start and maps one record per get_one', () => {
    const numbers = [1, 1, 2, 3, 5];
    const filter = new FilterMap<number | string>({ Code: (n) => `(((${n})))` });
    filter.get_one_start(numbers);
    expect(filter.get_pending()?.join('')).toBe('11235');
    for (const n of numbers) expect(filter.get_one()).toEqual([`(((${n})))`]);
    expect(filter.get_one()).toEqual([]);
  });

  it('clones with the current functions and an empty buffer', () => {
    const filter = new FilterMap({ Code: upper });
    filter.get_one_start(['x']);
    filter.modify({ Get: lower });
    const clone = filter.clone();
    expect(clone.get_pending()).toBeUndefined();
    expect(clone.get(['Q'])).toEqual(['q']);
    expect(clone.put(['q'])).toEqual(['Q']);
  });
});
