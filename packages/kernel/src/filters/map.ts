import { FilterBase } from './base.js';
import { warnUnknownParams } from './params.js';
import { RecordQueue } from './record-queue.js';

/**
 * Either one `Code` function used both ways, or a `Get` and a `Put`:
 * Get turns a raw record into an input record, Put an output record into a
 * raw one. (POE lets Code return a list; here each call returns one record.)
 */
export type MapOptions<Raw, In, Out> =
  | { Code: (record: Raw) => Raw; Get?: undefined; Put?: undefined }
  | { Code?: undefined; Get: (raw: Raw) => In; Put: (record: Out) => Raw };

export interface MapModify<Raw, In, Out> {
  Code?: (record: Raw) => Raw;
  Get?: (raw: Raw) => In;
  Put?: (record: Out) => Raw;
}

type Fn = (value: unknown) => unknown;

/** Checks Code/Get/Put the way POE's Map and Grep constructors do. */
export function codeParams(filter: string, options: object): { get: Fn; put: Fn } {
  warnUnknownParams(filter, options, ['Code', 'Get', 'Put']);
  const { Code, Get, Put } = options as Record<string, unknown>;
  for (const [name, value] of [['Code', Code], ['Get', Get], ['Put', Put]] as const) {
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`${filter} ${name} must be a function`);
  }
  if (Code === undefined && (Get === undefined || Put === undefined)) {
    throw new TypeError(`${filter} requires a Code or both Get and Put parameters`);
  }
  return { get: (Code ?? Get) as Fn, put: (Code ?? Put) as Fn };
}

/** Applies modify() parameters, as POE does: keys in any case, Code replacing both. */
export function modifyParams(filter: string, current: { get: Fn; put: Fn }, params: object): { get: Fn; put: Fn } {
  const next = { ...current };
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'function') throw new TypeError(`${filter} modify ${key} must be a function`);
    const name = key.toLowerCase();
    if (name === 'code') next.get = next.put = value as Fn;
    else if (name === 'get') next.get = value as Fn;
    else if (name === 'put') next.put = value as Fn;
    else throw new TypeError(`${filter} modify does not know ${key}`);
  }
  return next;
}

/** POE::Filter::Map: transforms each record on the way in (Get) and out (Put). */
export class FilterMap<Raw = unknown, In = Raw, Out = In> extends FilterBase<In, Out, Raw> {
  private code: { get: Fn; put: Fn };
  private readonly buffer = new RecordQueue<Raw>();

  constructor(options: MapOptions<Raw, In, Out>) {
    super();
    this.code = codeParams('FilterMap', options);
  }

  get_one_start(records: readonly Raw[]): void {
    this.buffer.push(records);
  }

  get_one(): In[] {
    if (this.buffer.length === 0) return [];
    return [this.code.get(this.buffer.shift()) as In];
  }

  put(records: readonly Out[]): Raw[] {
    return records.map((record) => this.code.put(record) as Raw);
  }

  get_pending(): Raw[] | undefined {
    return this.buffer.length === 0 ? undefined : this.buffer.toArray();
  }

  /** Replace the transforms (same parameters as the constructor, each optional). */
  modify(params: MapModify<Raw, In, Out>): void {
    this.code = modifyParams('FilterMap', this.code, params);
  }

  clone(): FilterMap<Raw, In, Out> {
    const copy = new FilterMap<Raw, In, Out>({ Code: (record: Raw) => record });
    copy.code = this.code;
    return copy;
  }
}
