import { Buffer } from 'node:buffer';
import type { Chunk } from './filter.js';
import { FilterError } from './filter-error.js';
import { toBuffers } from './params.js';

const EMPTY = Buffer.alloc(0);
/** Backing stores up to this size are kept for reuse between chunks. */
const KEEP_STORE = 256 * 1024;

/**
 * A FIFO of bytes for the framing filters. Positions in its methods are
 * relative to the oldest unconsumed byte.
 *
 * A chunk that arrives when the queue is empty is used as is, without a
 * copy; otherwise bytes are appended to a backing store that grows
 * geometrically and is compacted in place, so a record spread over many
 * chunks costs one copy of each chunk, not a copy of the whole buffer per
 * chunk.
 */
export class ByteQueue {
  /** Valid bytes are `data[start..]`; `data` is a caller's chunk or a prefix view of `store`. */
  private data: Buffer = EMPTY;
  private start = 0;
  private store: Buffer | undefined;
  private owned = false;

  get length(): number {
    return this.data.length - this.start;
  }

  /** Appends chunks unless that would take the queue past `maxBuffer` (EBUFFERFULL); returns the bytes added. */
  appendWithin(chunks: readonly Chunk[], maxBuffer: number): number {
    const { buffers, bytes } = toBuffers(chunks);
    if (bytes === 0) return 0;
    if (this.length + bytes > maxBuffer) {
      throw new FilterError('EBUFFERFULL', `framing buffer exceeds MaxBuffer (${maxBuffer} bytes): ${bytes} bytes refused`);
    }
    for (const buffer of buffers) this.append(buffer);
    return bytes;
  }

  append(chunk: Buffer): void {
    const n = chunk.length;
    if (n === 0) return;
    const have = this.length;
    if (have === 0) {
      if (this.store !== undefined && this.store.length > KEEP_STORE) this.store = undefined;
      this.data = chunk;
      this.start = 0;
      this.owned = false;
      return;
    }
    const end = this.data.length;
    if (this.owned && end + n <= this.store!.length) {
      chunk.copy(this.store!, end);
      this.data = this.store!.subarray(0, end + n);
      return;
    }
    const need = have + n;
    let target = this.store;
    if (target === undefined || target.length < need) {
      target = Buffer.allocUnsafe(Math.max(need + (need >> 1), 4096));
    }
    // Buffer#copy is a memmove, so compacting within the same store is safe.
    this.data.copy(target, 0, this.start, end);
    chunk.copy(target, have);
    this.store = target;
    this.owned = true;
    this.data = target.subarray(0, need);
    this.start = 0;
  }

  /** Drop the first `n` bytes. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.data.length) this.clear();
  }

  clear(): void {
    this.data = EMPTY;
    this.start = 0;
    this.owned = false;
  }

  byteAt(i: number): number {
    return this.data[this.start + i]!;
  }

  indexOf(needle: number | Buffer, from: number): number {
    const i = this.data.indexOf(needle, this.start + from);
    return i < 0 ? -1 : i - this.start;
  }

  toString(encoding: 'utf8' | 'latin1', from = 0, to = this.length): string {
    return this.data.toString(encoding, this.start + from, this.start + to);
  }

  /** A view of the buffered bytes, valid until the queue next changes. */
  view(): Buffer {
    return this.data.subarray(this.start);
  }

  /** Remove and return the first `n` bytes as a Buffer of their own. */
  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.data.copy(out, 0, this.start, this.start + n);
    this.consume(n);
    return out;
  }

  /** A copy of everything buffered, or undefined when empty. */
  pending(): Buffer | undefined {
    return this.length === 0 ? undefined : Buffer.from(this.view());
  }

  /** The raw backing state, for a parser's inner loop. */
  get buffer(): Buffer {
    return this.data;
  }
  get offset(): number {
    return this.start;
  }
}
