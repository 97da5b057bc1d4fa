import type { Buffer } from 'node:buffer';

/** Raw stream data: bytes, or a string taken as UTF-8. */
export type Chunk = Buffer | string;

/**
 * The interface every POE filter follows.
 *
 * `In` is the record type `get` produces, `Out` the record type `put`
 * accepts, and `Raw` the type on the stream side (chunks for byte filters,
 * arbitrary records for filters such as Map or Grep that sit inside a stack).
 *
 * Errors in the input are reported by throwing a `FilterError` from `get`,
 * `get_one` or `get_one_start`; the filter stays usable afterwards.
 */
export interface Filter<In, Out = In, Raw = Chunk> {
  /** Buffer `chunks` and return every complete record (POE's greedy get). */
  get(chunks: readonly Raw[]): In[];
  /** Buffer `chunks` without parsing them. */
  get_one_start(chunks: readonly Raw[]): void;
  /** Parse at most one record from the buffer; `[]` when none is complete. */
  get_one(): In[];
  /** Serialise records for the stream. */
  put(records: readonly Out[]): Raw[];
  /** The buffered input not yet returned as records, or undefined when there is none. */
  get_pending(): Raw[] | undefined;
  /** A filter with the same configuration and an empty buffer. */
  clone(): Filter<In, Out, Raw>;
}

/** Any filter, whatever its record types (what a filter stack holds). */
export type AnyFilter = Filter<unknown, unknown, unknown>;

const METHODS = ['get', 'get_one_start', 'get_one', 'put', 'get_pending', 'clone'] as const;

/** True when `value` has the whole filter interface (POE checks `isa POE::Filter`). */
export function isFilter(value: unknown): value is AnyFilter {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return METHODS.every((name) => typeof candidate[name] === 'function');
}
