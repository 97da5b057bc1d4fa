import { describe, expect, it } from 'vitest';
import * as filters from '../../src/filters/index.js';

describe('filters/index', () => {
  it('offers POE’s names through the Filter namespace object', () => {
    const { Filter } = filters;
    expect(Filter.Line).toBe(filters.FilterLine);
    expect(Filter.Stream).toBe(filters.FilterStream);
    expect(Filter.Block).toBe(filters.FilterBlock);
    expect(Filter.RecordBlock).toBe(filters.FilterRecordBlock);
    expect(Filter.Map).toBe(filters.FilterMap);
    expect(Filter.Grep).toBe(filters.FilterGrep);
    expect(Filter.Stackable).toBe(filters.FilterStackable);
    expect(Filter.Reference).toBe(filters.FilterReference);
    const line: filters.Filter<string, string> = new Filter.Line({ Literal: '\n' });
    expect(line.get(['ported\n'])).toEqual(['ported']);
  });

  it('recognises filters, including ones written elsewhere', () => {
    const custom = {
      get: () => [],
      get_one_start: () => undefined,
      get_one: () => [],
      put: () => [],
      get_pending: () => undefined,
      clone: () => custom,
    };
    expect(filters.isFilter(custom)).toBe(true);
    expect(filters.isFilter(new filters.FilterStream())).toBe(true);
    expect(filters.isFilter({ get: () => [] })).toBe(false);
    expect(filters.isFilter(null)).toBe(false);
  });

  it('lets a filter of one’s own inherit get() from FilterBase', () => {
    class Chars extends filters.FilterBase<string, string, string> {
      private buffer = '';
      get_one_start(chunks: readonly string[]): void {
        this.buffer += chunks.join('');
      }
      get_one(): string[] {
        const first = this.buffer.slice(0, 1);
        this.buffer = this.buffer.slice(1);
        return first === '' ? [] : [first];
      }
      put(records: readonly string[]): string[] {
        return [records.join('')];
      }
      get_pending(): string[] | undefined {
        return this.buffer === '' ? undefined : [this.buffer];
      }
      clone(): Chars {
        return new Chars();
      }
    }
    expect(new Chars().get(['ab', 'c'])).toEqual(['a', 'b', 'c']);
  });
});
