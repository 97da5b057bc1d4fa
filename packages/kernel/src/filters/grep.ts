import { FilterBase } from './base.js';
import { codeParams, modifyParams } from './map.js';
import { RecordQueue } from './record-queue.js';

type Predicate<T> = (record: T) => unknown;

/** Either one `Code` predicate used both ways, or a `Get` and a `Put`. */
export type GrepOptions<T> =
  | { Code: Predicate<T>; Get?: undefined; Put?: undefined }
  | { Code?: undefined; Get: Predicate<T>; Put: Predicate<T> };

/** POE::Filter::Grep: keeps the records for which the predicate is truthy, on the way in (Get) and out (Put). */
export class FilterGrep<T = unknown> extends FilterBase<T, T, T> {
  private code: { get: Predicate<unknown>; put: Predicate<unknown> };
  private readonly buffer = new RecordQueue<T>();

  constructor(options: GrepOptions<T>) {
    super();
    this.code = codeParams('FilterGrep', options);
  }

  get_one_start(records: readonly T[]): void {
    this.buffer.push(records);
  }

  get_one(): T[] {
    while (this.buffer.length > 0) {
      const record = this.buffer.shift();
      if (this.code.get(record)) return [record];
    }
    return [];
  }

  put(records: readonly T[]): T[] {
    return records.filter((record) => this.code.put(record));
  }

  get_pending(): T[] | undefined {
    return this.buffer.length === 0 ? undefined : this.buffer.toArray();
  }

  /** Replace the predicates (same parameters as the constructor, each optional). */
  modify(params: { Code?: Predicate<T>; Get?: Predicate<T>; Put?: Predicate<T> }): void {
    this.code = modifyParams('FilterGrep', this.code, params);
  }

  clone(): FilterGrep<T> {
    const copy = new FilterGrep<T>({ Code: () => true });
    copy.code = this.code;
    return copy;
  }
}
