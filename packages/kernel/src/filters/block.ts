import { Buffer } from 'node:buffer';
import { FilterBase } from './base.js';
import { ByteQueue } from './byte-queue.js';
import type { Chunk } from './filter.js';
import {
  LengthFramer,
  decodeAsciiLength,
  encodeAsciiLength,
  type LengthDecoder,
  type LengthEncoder,
} from './length-framing.js';
import { DEFAULT_MAX_BUFFER, pickKnown, sizeParam, toBuffer, warnUnknownParams } from './params.js';

/** Default MaxLength of a length-prefixed block, in bytes (POE's: 64 MiB). */
export const BLOCK_MAX_LENGTH = 64 * 1024 * 1024;

export interface BlockOptions {
  /** Fixed-size blocks of this many bytes. Without it, blocks carry a length header. */
  BlockSize?: number;
  /** [encoder, decoder] for the length header (default: ASCII digits and a NUL, as POE). */
  LengthCodec?: readonly [LengthEncoder, LengthDecoder];
  /** Longest length-prefixed block accepted, in bytes (default {@link BLOCK_MAX_LENGTH}). */
  MaxLength?: number;
  /** Most bytes buffered at once (default 512 MiB, as POE). */
  MaxBuffer?: number;
}

const KNOWN = ['BlockSize', 'LengthCodec', 'MaxLength', 'MaxBuffer'];

/** POE::Filter::Block: records are blocks of bytes, of a fixed size or length-prefixed. */
export class FilterBlock extends FilterBase<Buffer, Chunk> {
  private readonly options: BlockOptions;
  private readonly blockSize: number | undefined;
  private readonly encoder: LengthEncoder;
  private readonly maxBuffer: number;
  /** Fixed-size mode. */
  private readonly q = new ByteQueue();
  /** Length-prefixed mode. */
  private readonly framer: LengthFramer | undefined;

  constructor(options: BlockOptions = {}) {
    super();
    warnUnknownParams('FilterBlock', options, KNOWN);
    this.options = pickKnown(options, KNOWN);
    this.maxBuffer = sizeParam('MaxBuffer', options.MaxBuffer, DEFAULT_MAX_BUFFER);
    const { BlockSize: blockSize } = options;
    if (blockSize !== undefined) {
      if (typeof blockSize !== 'number' || !Number.isSafeInteger(blockSize) || blockSize < 1) {
        throw new RangeError(`FilterBlock BlockSize must be a positive integer, not ${String(blockSize)}`);
      }
      if ('LengthCodec' in options) throw new TypeError("FilterBlock can't use both LengthCodec and BlockSize");
      if ('MaxLength' in options) throw new TypeError("FilterBlock can't use both MaxLength and BlockSize");
      this.blockSize = blockSize;
      this.encoder = encodeAsciiLength;
      this.framer = undefined;
      return;
    }
    let decoder: LengthDecoder = decodeAsciiLength;
    this.encoder = encodeAsciiLength;
    if (options.LengthCodec !== undefined) {
      const codec: unknown = options.LengthCodec;
      if (!Array.isArray(codec) || codec.length !== 2) {
        throw new TypeError('FilterBlock LengthCodec must be an [encoder, decoder] pair');
      }
      const [encoder, customDecoder] = codec as unknown[];
      if (typeof encoder !== 'function' || typeof customDecoder !== 'function') {
        throw new TypeError('FilterBlock LengthCodec encoder and decoder must be functions');
      }
      this.encoder = encoder as LengthEncoder;
      decoder = customDecoder as LengthDecoder;
    }
    const maxLength = sizeParam('MaxLength', options.MaxLength, BLOCK_MAX_LENGTH);
    if (this.maxBuffer < maxLength + String(maxLength).length + 1) {
      throw new RangeError(`MaxBuffer (${this.maxBuffer}) has no room for a block of MaxLength (${maxLength}) and its header`);
    }
    this.blockSize = undefined;
    this.framer = new LengthFramer(decoder, maxLength, this.maxBuffer, 'block');
  }

  get_one_start(chunks: readonly Chunk[]): void {
    if (this.framer !== undefined) return this.framer.append(chunks);
    this.q.appendWithin(chunks, this.maxBuffer);
  }

  get_one(): Buffer[] {
    const block = this.framer !== undefined ? this.framer.next() : this.nextFixed();
    return block === undefined ? [] : [block];
  }

  put(records: readonly Chunk[]): Buffer[] {
    // POE joins fixed-size blocks without checking their sizes; so do we.
    if (this.blockSize !== undefined) {
      return records.length === 0 ? [] : [Buffer.concat(records.map(toBuffer))];
    }
    return records.map((record) => this.encoder(toBuffer(record)));
  }

  get_pending(): Buffer[] | undefined {
    const pending = this.framer !== undefined ? this.framer.pending() : this.q.pending();
    return pending === undefined ? undefined : [pending];
  }

  clone(): FilterBlock {
    return new FilterBlock(this.options);
  }

  private nextFixed(): Buffer | undefined {
    const size = this.blockSize!;
    return this.q.length >= size ? this.q.take(size) : undefined;
  }
}
