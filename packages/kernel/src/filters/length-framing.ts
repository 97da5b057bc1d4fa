import { Buffer } from 'node:buffer';
import { ByteQueue } from './byte-queue.js';
import type { Chunk } from './filter.js';
import { FilterError } from './filter-error.js';

/** Frames a block: returns the bytes to send for it (POE's encoder prepends a length header). */
export type LengthEncoder = (block: Buffer) => Buffer;

/**
 * What a length decoder found at the head of the buffer: a block of `length`
 * bytes after a header of `headerLength` bytes, or `discard` bytes of junk
 * that cannot start a header (they are dropped and reported).
 */
export type LengthDecoded =
  | { readonly length: number; readonly headerLength: number }
  | { readonly discard: number; readonly reason: string };

/**
 * Reads the header at the start of `buffer` without changing it; returns
 * undefined while the header is incomplete. Unlike POE's decoders it does
 * not remove the header: the filter does that once the whole block is in,
 * so that get_pending() still holds it.
 */
export type LengthDecoder = (buffer: Buffer) => LengthDecoded | undefined;

const ZERO = 0x30;
const NINE = 0x39;
/** More digits than this cannot be a length that fits in memory. */
const MAX_DIGITS = 15;
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= ZERO && byte <= NINE;

/** POE's framing: the length in ASCII decimal digits, a NUL, then the block. */
export function encodeAsciiLength(block: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${block.length}\0`, 'latin1'), block]);
}

/** Reads the header that {@link encodeAsciiLength} writes. */
export function decodeAsciiLength(buffer: Buffer): LengthDecoded | undefined {
  let digits = 0;
  while (digits <= MAX_DIGITS && isDigit(buffer[digits])) digits++;
  if (digits === buffer.length) return undefined;
  if (digits > 0 && digits <= MAX_DIGITS && buffer[digits] === 0) {
    return { length: Number(buffer.toString('latin1', 0, digits)), headerLength: digits + 1 };
  }
  // Not a header: drop everything up to the next digit, where one may start.
  let junk = digits;
  while (junk < buffer.length && !isDigit(buffer[junk])) junk++;
  return { discard: junk, reason: 'dropped bytes that do not start a length header' };
}

/**
 * Length-prefixed framing, shared by Block and Reference. A block longer
 * than MaxLength is reported once, then its bytes are dropped as they
 * arrive, so the framing stays in step without buffering it.
 */
export class LengthFramer {
  private readonly q = new ByteQueue();
  /** Bytes of an over-long block still to drop. */
  private skip = 0;
  /** Bytes were dropped as junk since the last good header: more junk is the same run. */
  private inJunk = false;

  constructor(
    private readonly decoder: LengthDecoder,
    private readonly maxLength: number,
    private readonly maxBuffer: number,
    private readonly what: string,
  ) {}

  append(chunks: readonly Chunk[]): void {
    this.q.appendWithin(chunks, this.maxBuffer);
  }

  /** The next complete block, or undefined. */
  next(): Buffer | undefined {
    const q = this.q;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, q.length);
        q.consume(n);
        this.skip -= n;
        if (this.skip > 0) return undefined;
      }
      if (q.length === 0) return undefined;
      const head = this.decoder(q.view());
      if (head === undefined) return undefined;
      if ('discard' in head) {
        q.consume(checkCount('discard', head.discard, 1, q.length));
        // Junk is reported once per run between good headers, so that the
        // errors do not depend on how the run was split into chunks.
        const reported = this.inJunk;
        this.inJunk = true;
        if (reported) continue;
        throw new FilterError('EBADDATA', `bad ${this.what} header: ${head.reason}`);
      }
      this.inJunk = false;
      const headerLength = checkCount('headerLength', head.headerLength, 0, q.length);
      const length = checkCount('length', head.length, 0, Number.MAX_SAFE_INTEGER);
      if (length > this.maxLength) {
        q.consume(headerLength);
        this.skip = length;
        throw new FilterError(
          'ERECORDTOOLONG',
          `${this.what} exceeds MaxLength (${this.maxLength} bytes): ${length} bytes declared, dropped`,
        );
      }
      if (q.length < headerLength + length) return undefined;
      q.consume(headerLength);
      return q.take(length);
    }
  }

  pending(): Buffer | undefined {
    return this.q.pending();
  }
}

function checkCount(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`length decoder returned an invalid ${name}: ${String(value)}`);
  }
  return value;
}
