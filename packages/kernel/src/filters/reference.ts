import { Buffer } from 'node:buffer';
import { deserialize, serialize } from 'node:v8';
import { deflateSync, inflateSync } from 'node:zlib';
import { FilterBase } from './base.js';
import type { Chunk } from './filter.js';
import { FilterError } from './filter-error.js';
import { BLOCK_MAX_LENGTH } from './block.js';
import { LengthFramer, decodeAsciiLength, encodeAsciiLength } from './length-framing.js';
import { DEFAULT_MAX_BUFFER, pickKnown, sizeParam, warnUnknownParams } from './params.js';

/**
 * A serializer in POE's sense: `nfreeze` (preferred, as in POE) or `freeze`
 * turns a value into bytes, `thaw` turns them back. Methods are called on
 * the object, so a class instance works.
 */
export interface ReferenceSerializer {
  freeze?(value: unknown): Buffer | Uint8Array | string;
  nfreeze?(value: unknown): Buffer | Uint8Array | string;
  thaw(data: Buffer): unknown;
}

export interface ReferenceOptions {
  /** 'json' (default), 'v8' (node:v8 structured serialization) or a serializer object. In place of Storable. */
  Serializer?: 'json' | 'v8' | ReferenceSerializer;
  /** Compress each frozen record with zlib (the format of Compress::Zlib's compress). */
  Compression?: boolean;
  /** Return errors in the input as strings (the error message) among the records instead of throwing. */
  NoFatals?: boolean;
  /** Most bytes buffered at once (default 512 MiB, as POE). */
  MaxBuffer?: number;
  /** Longest frozen record accepted, in bytes (new; default 64 MiB, as Block's). */
  MaxLength?: number;
}

const KNOWN = ['Serializer', 'Compression', 'NoFatals', 'MaxBuffer', 'MaxLength'];

const JSON_SERIALIZER: ReferenceSerializer = {
  freeze(value) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`cannot serialize ${typeof value} as JSON`);
    return text;
  },
  thaw: (data) => JSON.parse(data.toString('utf8')) as unknown,
};

const V8_SERIALIZER: ReferenceSerializer = {
  freeze: (value) => serialize(value),
  thaw: (data) => deserialize(data) as unknown,
};

/**
 * POE::Filter::Reference: records are values, sent frozen with a length
 * header (ASCII digits and a NUL, as POE). With NoFatals, records that
 * cannot be read come out as their error message (a string), as in POE.
 */
export class FilterReference<T = unknown> extends FilterBase<T, T> {
  private readonly options: ReferenceOptions;
  private readonly freeze: (value: unknown) => Buffer | Uint8Array | string;
  private readonly thaw: (data: Buffer) => unknown;
  private readonly compression: boolean;
  private readonly noFatals: boolean;
  private readonly maxLength: number;
  private readonly framer: LengthFramer;
  /** NoFatals: an error from get_one_start, returned by the next get_one. */
  private error: string | undefined;

  constructor(options: ReferenceOptions = {}) {
    super();
    warnUnknownParams('FilterReference', options, KNOWN);
    this.options = pickKnown(options, KNOWN);
    const serializer = pickSerializer(options.Serializer);
    const freeze = serializer.nfreeze ?? serializer.freeze;
    if (typeof freeze !== 'function' || typeof serializer.thaw !== 'function') {
      throw new TypeError('FilterReference Serializer needs a freeze (or nfreeze) and a thaw method');
    }
    this.freeze = (value) => freeze.call(serializer, value);
    this.thaw = (data) => serializer.thaw(data);
    this.compression = Boolean(options.Compression);
    this.noFatals = Boolean(options.NoFatals);
    const maxBuffer = sizeParam('MaxBuffer', options.MaxBuffer, DEFAULT_MAX_BUFFER);
    this.maxLength = sizeParam('MaxLength', options.MaxLength, Math.min(BLOCK_MAX_LENGTH, maxBuffer));
    if (maxBuffer < this.maxLength) {
      throw new RangeError(`MaxBuffer (${maxBuffer}) is smaller than MaxLength (${this.maxLength})`);
    }
    this.framer = new LengthFramer(decodeAsciiLength, this.maxLength, maxBuffer, 'reference');
  }

  get_one_start(chunks: readonly Chunk[]): void {
    try {
      this.framer.append(chunks);
    } catch (error) {
      if (!this.noFatals || !(error instanceof FilterError)) throw error;
      this.error = error.message;
    }
  }

  get_one(): T[] {
    if (this.error !== undefined) {
      const message = this.error;
      this.error = undefined;
      return [message as T];
    }
    let frozen: Buffer | undefined;
    try {
      frozen = this.framer.next();
      if (frozen === undefined) return [];
      if (this.compression) frozen = inflateSync(frozen, { maxOutputLength: this.maxLength });
      return [this.thaw(frozen) as T];
    } catch (error) {
      const failure =
        error instanceof FilterError
          ? error
          : new FilterError('EBADDATA', `cannot thaw a reference: ${messageOf(error)}`, { cause: error });
      if (this.noFatals) return [failure.message as T];
      throw failure;
    }
  }

  put(records: readonly T[]): Buffer[] {
    return records.map((record) => {
      let frozen = toBytes(this.freeze(record));
      if (this.compression) frozen = deflateSync(frozen);
      return encodeAsciiLength(frozen);
    });
  }

  get_pending(): Buffer[] | undefined {
    const pending = this.framer.pending();
    return pending === undefined ? undefined : [pending];
  }

  clone(): FilterReference<T> {
    return new FilterReference<T>(this.options);
  }
}

function pickSerializer(choice: ReferenceOptions['Serializer']): ReferenceSerializer {
  if (choice === undefined || choice === 'json') return JSON_SERIALIZER;
  if (choice === 'v8') return V8_SERIALIZER;
  if (typeof choice === 'object' && choice !== null) return choice;
  throw new TypeError(`FilterReference Serializer must be 'json', 'v8' or a serializer object, not ${String(choice)}`);
}

function toBytes(frozen: Buffer | Uint8Array | string): Buffer {
  if (typeof frozen === 'string') return Buffer.from(frozen, 'utf8');
  if (Buffer.isBuffer(frozen)) return frozen;
  return Buffer.from(frozen.buffer, frozen.byteOffset, frozen.byteLength);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
