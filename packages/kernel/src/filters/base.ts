import type { Chunk, Filter } from './filter.js';
import { FilterError } from './filter-error.js';

/**
 * What every filter shares: `get` as POE::Filter defines it, in terms of
 * `get_one_start` and `get_one`. Extend it to write a filter of your own.
 */
export abstract class FilterBase<In, Out = In, Raw = Chunk> implements Filter<In, Out, Raw> {
  abstract get_one_start(chunks: readonly Raw[]): void;
  abstract get_one(): In[];
  abstract put(records: readonly Out[]): Raw[];
  abstract get_pending(): Raw[] | undefined;
  abstract clone(): FilterBase<In, Out, Raw>;

  get(chunks: readonly Raw[]): In[] {
    this.get_one_start(chunks);
    const records: In[] = [];
    try {
      for (;;) {
        const next = this.get_one();
        if (next.length === 0) return records;
        for (const record of next) records.push(record);
      }
    } catch (error) {
      throw withRecords(error, records);
    }
  }
}

/** Hands the records parsed before a FilterError to whoever catches it. */
export function withRecords(error: unknown, records: readonly unknown[]): unknown {
  if (error instanceof FilterError) error.records = [...records, ...error.records];
  return error;
}
