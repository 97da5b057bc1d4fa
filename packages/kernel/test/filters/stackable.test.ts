import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  FilterError,
  FilterGrep,
  FilterLine,
  FilterMap,
  FilterRecordBlock,
  FilterStackable,
  FilterStream,
  type AnyFilter,
} from '../../src/filters/index.js';
import { expectFilterInterface, plain } from './standard.js';

/** Lines ended by "!", wrapped in parentheses, only those containing a 1, in pairs. */
function sampleStack(): FilterStackable<string[], string[]> {
  return new FilterStackable<string[], string[]>({
    Filters: [
      new FilterLine({ Literal: '!' }),
      // RecordBlock has already flattened the pairs on the way out.
      new FilterMap<string>({ Get: (line) => `(((${line})))`, Put: (line) => line }),
      new FilterGrep<string>({ Get: (line) => line.includes('1'), Put: () => true }),
      new FilterRecordBlock<string>({ BlockSize: 2 }),
    ],
  });
}

describe('FilterStackable', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterStackable());
  });

  it('runs input up the stack and output down it', () => {
    const stack = sampleStack();
    expect(stack.get(['test one (1)!test two (2)!'])).toEqual([]);
    const block = stack.get(['test three (3)!test four (100)!']);
    expect(block).toEqual([['(((test one (1))))', '(((test four (100))))']]);
    expect(stack.put([block[0]!, block[0]!])).toEqual([
      '(((test one (1))))!',
      '(((test four (100))))!',
      '(((test one (1))))!',
      '(((test four (100))))!',
    ]);
  });

  it('reports the first filter’s pending input; parsed records wait in the later filters', () => {
    const stack = sampleStack();
    stack.get(['test one (1)!test two (2)!test thr']);
    expect(plain(stack.get_pending())).toEqual(['test thr']);
    expect(stack.filters()[3]!.get_pending()).toEqual(['(((test one (1))))']);
    stack.get(['ee!']);
    expect(stack.get_pending()).toBeUndefined();
  });

  it('lists its filters and their class names in stack order', () => {
    const stack = sampleStack();
    expect(stack.filter_types()).toEqual(['FilterLine', 'FilterMap', 'FilterGrep', 'FilterRecordBlock']);
    expect(stack.filters().map((filter) => filter.constructor)).toEqual([
      FilterLine,
      FilterMap,
      FilterGrep,
      FilterRecordBlock,
    ]);
  });

  it('pops, shifts, pushes and unshifts', () => {
    const stack = sampleStack();
    const before = stack.filters();
    const popped = stack.pop();
    expect(popped).toBeInstanceOf(FilterRecordBlock);
    const shifted = stack.shift();
    expect(shifted).toBeInstanceOf(FilterLine);
    stack.push(popped!);
    stack.unshift(shifted!);
    expect(stack.filters()).toEqual(before);
  });

  it('refuses to push or unshift things that are not filters, changing nothing', () => {
    const stack = sampleStack();
    const before = stack.filters();
    const bad: unknown[][] = [[undefined], [['i am not a filter']], [{ get: () => [] }], [123, 'two not-filter things']];
    for (const args of bad) {
      expect(() => stack.push(...(args as AnyFilter[]))).toThrow(TypeError);
      expect(() => stack.unshift(...(args as AnyFilter[]))).toThrow(TypeError);
    }
    expect(() => stack.push(new FilterStream(), 'no' as unknown as AnyFilter)).toThrow(TypeError);
    expect(stack.filters()).toEqual(before);
    expect(() => new FilterStackable({ Filters: 'no' as unknown as AnyFilter[] })).toThrow(TypeError);
  });

  it('clones every filter', () => {
    const stack = sampleStack();
    stack.get(['test one (1)!partial']);
    const clone = stack.clone();
    expect(clone).not.toBe(stack);
    clone.filters().forEach((filter, i) => expect(filter).not.toBe(stack.filters()[i]));
    expect(clone.filter_types()).toEqual(stack.filter_types());
    expect(clone.get_pending()).toBeUndefined();
    expect(clone.filters()[3]!.get_pending()).toBeUndefined();
  });

  it('collects every record a later filter makes out of one', () => {
    const stack = new FilterStackable<string, string>({
      Filters: [new FilterLine({ Literal: '\n' }), new FilterLine({ Literal: ';', OutputLiteral: undefined })],
    });
    expect(stack.get(['a;b;c;\nd;'])).toEqual(['a', 'b', 'c']);
    stack.get_one_start(['\n']);
    expect(stack.get_one()).toEqual(['d']);
    expect(stack.get_one()).toEqual([]);
  });

  it('hands the removed first filter’s unparsed input to the new first filter on shift', () => {
    const stack = new FilterStackable<string, string>({
      Filters: [new FilterLine({ Literal: '\n' }), new FilterLine({ Literal: ';' })],
    });
    expect(stack.get(['a;b\nc;d'])).toEqual(['a']);
    expect(stack.shift()?.get_pending()).toEqual([Buffer.from('c;d')]);
    // The second filter still held "b" from the first line.
    expect(stack.get([])).toEqual(['bc']);
    expect(plain(stack.get_pending())).toEqual(['d']);
  });

  it('passes an error from a filter in the stack through, with the records before it', () => {
    const stack = new FilterStackable<string, string>({
      Filters: [new FilterLine({ Literal: '\n', MaxLength: 3 }), new FilterMap<string>({ Code: (s) => s.toUpperCase() })],
    });
    let error: FilterError | undefined;
    try {
      stack.get(['ab\ntoo long\ncd\n']);
    } catch (caught) {
      error = caught as FilterError;
    }
    expect(error?.code).toBe('ERECORDTOOLONG');
    expect(error?.records).toEqual(['AB']);
    expect(stack.get([])).toEqual(['CD']);
  });

  it('passes records through unchanged when empty', () => {
    const stack = new FilterStackable<unknown, unknown, unknown>();
    expect(stack.get([1, 'two', { three: 3 }])).toEqual([1, 'two', { three: 3 }]);
    expect(stack.put(['x'])).toEqual(['x']);
    stack.get_one_start(['left']);
    expect(stack.get_pending()).toEqual(['left']);
  });
});
