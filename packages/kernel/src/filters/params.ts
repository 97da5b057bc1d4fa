import { Buffer } from 'node:buffer';
import process from 'node:process';
import type { Chunk } from './filter.js';

/** POE's defaults for the framing buffer limit (MaxBuffer). */
export const DEFAULT_MAX_BUFFER = 512 * 1024 * 1024;

/** A POE size limit: absent means `fallback`; otherwise a positive integer. */
export function sizeParam(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, not ${String(value)}`);
  }
  return value;
}

/** POE carps about parameters it does not know; so do we, once per call. */
export function warnUnknownParams(filter: string, params: object, known: readonly string[]): void {
  const unknown = Object.keys(params).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    process.emitWarning(`${filter} ignores unknown parameters: ${unknown.sort().join(', ')}`, {
      code: 'POETS_FILTER_PARAMS',
    });
  }
}

/** A chunk as bytes; strings are UTF-8. */
export function toBuffer(chunk: Chunk | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`a filter chunk must be a Buffer or a string, not ${typeof chunk}`);
}

/** The total byte length of `chunks`, converting them to Buffers on the way. */
export function toBuffers(chunks: readonly Chunk[]): { buffers: Buffer[]; bytes: number } {
  const buffers: Buffer[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    const buffer = toBuffer(chunk);
    if (buffer.length === 0) continue;
    buffers.push(buffer);
    bytes += buffer.length;
  }
  return { buffers, bytes };
}

/** The options a filter knows, copied for clone() (so that it does not warn twice). */
export function pickKnown<T extends object>(options: T, known: readonly string[]): T {
  const copy: Record<string, unknown> = {};
  for (const key of known) {
    if (key in options) copy[key] = (options as Record<string, unknown>)[key];
  }
  return copy as T;
}
