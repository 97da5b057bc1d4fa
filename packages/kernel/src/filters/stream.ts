import { Buffer } from 'node:buffer';
import { FilterBase } from './base.js';
import type { Chunk } from './filter.js';
import { toBuffers } from './params.js';

/** POE::Filter::Stream: bytes pass through unchanged; a get returns everything buffered as one record. */
export class FilterStream extends FilterBase<Buffer, Chunk> {
  private parts: Buffer[] = [];

  get_one_start(chunks: readonly Chunk[]): void {
    const { buffers } = toBuffers(chunks);
    for (const buffer of buffers) this.parts.push(buffer);
  }

  get_one(): Buffer[] {
    const all = this.drain();
    return all === undefined ? [] : [all];
  }

  put(records: readonly Chunk[]): Chunk[] {
    return [...records];
  }

  get_pending(): Buffer[] | undefined {
    if (this.parts.length === 0) return undefined;
    const all = Buffer.concat(this.parts);
    this.parts = [all];
    return [Buffer.from(all)];
  }

  clone(): FilterStream {
    return new FilterStream();
  }

  private drain(): Buffer | undefined {
    const parts = this.parts;
    if (parts.length === 0) return undefined;
    this.parts = [];
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}
