import { Buffer } from 'node:buffer';
import { FilterBase, FilterError, type Chunk } from '@poets/kernel';

/**
 * send_nsca 2.10 cuts its standard input into *sets* on the block delimiter (ETB, 0x17, unless
 * `-ds` says otherwise), not on newlines. It reads a set byte by byte into a 5120-byte buffer
 * and gives up — "Error: Input set is longer than max allowed.", exit 255, the sets before it
 * already sent — as soon as it reads a byte at index 5120 or beyond of a set, *the delimiter
 * included*. So a set followed by a delimiter holds at most 5119 bytes, while the last set, ended
 * by the end of input, may hold 5120.
 *
 * The delimiter is compared as a C `char`, which is signed on x86-64: a delimiter byte of 0x80 or
 * more never matches any input byte (Debian amd64's send_nsca never splits on `-ds 0xc3`), which
 * the caller expresses as a `null` delimiter. A delimiter of 0 (`-ds ''`) splits on NUL bytes.
 */

/** MAX_INPUT_BUFFER: a set may not reach this many bytes before its delimiter. */
export const MAX_SET_BYTES = 5120;

/** The default set delimiter, ETB (^W). */
export const ETB = 0x17;

export interface SetFilterOptions {
  /** The delimiter byte (default ETB); `null`: no byte ever matches (a signed-char delimiter ≥ 0x80). */
  blockDelimiter?: number | null;
}

/**
 * A POE filter (input side) giving send_nsca's sets, without their delimiter. A set that grows
 * past the limit throws a `FilterError` ('ERECORDTOOLONG') from `get_one`; its bytes, up to and
 * including its delimiter, are dropped. Bytes after the last delimiter stay pending: at the end
 * of input they are the last set (`get_pending()`). `put` writes each set followed by the
 * delimiter, so the filter also builds send_nsca input.
 */
export class FilterNscaSets extends FilterBase<Buffer, Chunk> {
  private readonly delimiter: number | null;
  private buffer: Buffer = Buffer.alloc(0);
  /** The current set overflowed: its remaining bytes are being dropped. */
  private discarding = false;

  constructor(options: SetFilterOptions = {}) {
    super();
    const delimiter = options.blockDelimiter === undefined ? ETB : options.blockDelimiter;
    if (delimiter !== null && !(Number.isInteger(delimiter) && delimiter >= 0 && delimiter <= 0xff)) {
      throw new RangeError(`a set delimiter is one byte (0..255) or null, not ${String(delimiter)}`);
    }
    this.delimiter = delimiter;
  }

  get_one_start(chunks: readonly Chunk[]): void {
    const parts: Buffer[] = this.buffer.length > 0 ? [this.buffer] : [];
    for (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    this.buffer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  get_one(): Buffer[] {
    if (this.discarding && !this.dropThroughDelimiter()) return [];
    const buffer = this.buffer;
    const window = Math.min(buffer.length, MAX_SET_BYTES);
    const at = this.delimiter === null ? -1 : buffer.subarray(0, window).indexOf(this.delimiter);
    if (at >= 0) {
      const set = Buffer.from(buffer.subarray(0, at));
      this.buffer = buffer.subarray(at + 1);
      return [set];
    }
    if (buffer.length > MAX_SET_BYTES) {
      // A byte at index MAX_SET_BYTES exists and no delimiter came before it.
      this.buffer = buffer.subarray(MAX_SET_BYTES);
      this.discarding = true;
      this.dropThroughDelimiter();
      throw new FilterError('ERECORDTOOLONG', `Input set is longer than max allowed (${MAX_SET_BYTES} bytes with its delimiter)`);
    }
    return [];
  }

  put(records: readonly Chunk[]): Chunk[] {
    const out: Chunk[] = [];
    const tail = this.delimiter === null ? undefined : Buffer.of(this.delimiter);
    for (const record of records) {
      out.push(record);
      if (tail !== undefined) out.push(tail);
    }
    return out;
  }

  get_pending(): Buffer[] | undefined {
    return this.buffer.length > 0 && !this.discarding ? [Buffer.from(this.buffer)] : undefined;
  }

  clone(): FilterNscaSets {
    return new FilterNscaSets({ blockDelimiter: this.delimiter });
  }

  /** Drops bytes through the next delimiter; false when the buffer ran out first. */
  private dropThroughDelimiter(): boolean {
    const at = this.delimiter === null ? -1 : this.buffer.indexOf(this.delimiter);
    if (at < 0) {
      this.buffer = Buffer.alloc(0);
      return false;
    }
    this.buffer = this.buffer.subarray(at + 1);
    this.discarding = false;
    return true;
  }
}

export interface SplitSets {
  /** The sets send_nsca reads, in order, the last one ended by the end of input (maybe empty). */
  readonly sets: Buffer[];
  /** A set was too long: send_nsca stops there (exit 255), after sending the sets before it. */
  readonly tooLong: boolean;
}

/** The sets of a whole input, as send_nsca reads them (pure). */
export function splitSets(input: Uint8Array, options: SetFilterOptions = {}): SplitSets {
  const filter = new FilterNscaSets(options);
  filter.get_one_start([Buffer.from(input.buffer, input.byteOffset, input.byteLength)]);
  const sets: Buffer[] = [];
  for (;;) {
    let next: Buffer[];
    try {
      next = filter.get_one();
    } catch (error) {
      if (error instanceof FilterError) return { sets, tooLong: true };
      throw error;
    }
    if (next.length === 0) break;
    sets.push(...next);
  }
  sets.push(filter.get_pending()?.[0] ?? Buffer.alloc(0));
  return { sets, tooLong: false };
}
