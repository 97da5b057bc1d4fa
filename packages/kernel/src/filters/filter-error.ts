/**
 * Why a filter refused some input.
 *
 * - `ERECORDTOOLONG`: a record is longer than the filter's `MaxLength`; its
 *   bytes are dropped (as they arrive) and parsing resumes after it.
 * - `EBUFFERFULL`: accepting the chunks would take the framing buffer past
 *   `MaxBuffer`; those chunks are refused, what was buffered before is kept.
 * - `EBADDATA`: bytes that cannot be parsed (a malformed length header, a
 *   record that cannot be thawed); they are dropped.
 */
export type FilterErrorCode = 'ERECORDTOOLONG' | 'EBUFFERFULL' | 'EBADDATA';

/**
 * Thrown by a filter's `get`, `get_one` or `get_one_start` when input is
 * refused. The filter has already dropped the offending bytes, so a wheel can
 * report the error (as its ErrorEvent) and carry on reading.
 *
 * When thrown by `get`, `records` holds the records that were complete before
 * the refused input; input after it stays buffered, and the next `get`
 * (`get([])` will do) or `get_one` continues from there.
 */
export class FilterError extends Error {
  override readonly name = 'FilterError';
  /** Records parsed by `get` before the error, in order. */
  records: unknown[] = [];

  constructor(
    readonly code: FilterErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
