import { FilterBase } from './base.js';
import { isFilter, type AnyFilter, type Chunk } from './filter.js';
import { warnUnknownParams } from './params.js';
import { RecordQueue } from './record-queue.js';

export interface StackableOptions {
  /** The stack, input side first: filter 0 parses the stream, the last filter returns records. */
  Filters?: readonly AnyFilter[];
}

/**
 * POE::Filter::Stackable: several filters used as one. Input runs through
 * them in index order, output (put) in reverse order.
 *
 * Type parameters are the stack's ends: `In` what the last filter's get
 * returns, `Out` what it puts, `Raw` what the first filter reads and writes.
 * An empty stack passes records through unchanged.
 */
export class FilterStackable<In = unknown, Out = unknown, Raw = Chunk> extends FilterBase<In, Out, Raw> {
  private stack: AnyFilter[];
  /** Input held by an empty stack. */
  private readonly passthrough = new RecordQueue<unknown>();

  constructor(options: StackableOptions = {}) {
    super();
    warnUnknownParams('FilterStackable', options, ['Filters']);
    const filters: unknown = options.Filters ?? [];
    if (!Array.isArray(filters)) throw new TypeError('FilterStackable Filters must be an array of filters');
    checkFilters(filters);
    this.stack = [...(filters as AnyFilter[])];
  }

  get_one_start(chunks: readonly Raw[]): void {
    const first = this.stack[0];
    if (first === undefined) this.passthrough.push(chunks);
    else first.get_one_start(chunks);
  }

  get_one(): In[] {
    if (this.stack.length === 0) {
      return (this.passthrough.length === 0 ? [] : [this.passthrough.shift()]) as In[];
    }
    // A later filter may make several records of one, so every filter is
    // polled on each round until one comes out of the end or none moves.
    let records: unknown[] = [];
    while (records.length === 0) {
      let moved = false;
      for (const filter of this.stack) {
        if (records.length > 0) {
          filter.get_one_start(records);
          moved = true;
        }
        records = filter.get_one();
      }
      if (!moved) break;
    }
    return records as In[];
  }

  put(records: readonly Out[]): Raw[] {
    let data: unknown[] = [...records];
    for (let i = this.stack.length - 1; i >= 0 && data.length > 0; i--) data = this.stack[i]!.put(data);
    return data as Raw[];
  }

  /**
   * The first filter's pending input: the raw bytes not yet parsed. (POE
   * returns the last filter's; records held further up the stack are
   * already parsed and cannot be turned back into raw input.)
   */
  get_pending(): Raw[] | undefined {
    const first = this.stack[0];
    if (first === undefined) return this.passthrough.length === 0 ? undefined : (this.passthrough.toArray() as Raw[]);
    return first.get_pending() as Raw[] | undefined;
  }

  clone(): FilterStackable<In, Out, Raw> {
    return new FilterStackable<In, Out, Raw>({ Filters: this.stack.map((filter) => filter.clone()) });
  }

  /** The filters, input side first. */
  filters(): AnyFilter[] {
    return [...this.stack];
  }

  /** The filters' class names, input side first. */
  filter_types(): string[] {
    return this.stack.map((filter) => filter.constructor.name);
  }

  /** Add filters at the output end. */
  push(...filters: AnyFilter[]): number {
    checkFilters(filters);
    return this.stack.push(...filters);
  }

  /** Add filters at the input end. */
  unshift(...filters: AnyFilter[]): number {
    checkFilters(filters);
    return this.stack.unshift(...filters);
  }

  /** Remove the output-end filter; input it holds stays in it (see its get_pending). */
  pop(): AnyFilter | undefined {
    return this.stack.pop();
  }

  /**
   * Remove the input-end filter; its unparsed input moves to the new first
   * filter (and is left in the removed one only if the stack is now empty).
   */
  shift(): AnyFilter | undefined {
    const filter = this.stack.shift();
    const head = this.stack[0];
    const pending = head === undefined ? undefined : filter?.get_pending();
    if (pending !== undefined && pending.length > 0) head!.get_one_start(pending);
    return filter;
  }
}

function checkFilters(filters: readonly unknown[]): void {
  filters.forEach((filter, i) => {
    if (!isFilter(filter)) throw new TypeError(`FilterStackable: element ${i} is not a filter`);
  });
}
