import zlib from 'node:zlib';
import CRC32 from 'crc-32';
import { OFFSET } from './constants.js';

const ZEROS4 = new Uint8Array(4);

type Crc = (data: Uint8Array, seed?: number) => number;

/** zlib's native CRC-32 (Node ≥ 20.15, 22.2), else the crc-32 package: the same function. */
const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const crc: Crc = typeof nativeCrc32 === 'function' ? (data, seed = 0) => nativeCrc32(data, seed) : (data, seed) => CRC32.buf(data, seed === undefined ? undefined : seed | 0) >>> 0;

/**
 * NSCA's packet checksum: standard CRC-32 (zlib's) of the whole packet with bytes 4..7 (the
 * crc32 field) taken as zero. Computed without copying or touching the packet.
 * @returns the CRC as an unsigned 32-bit integer.
 */
export function packetCrc32(packet: Uint8Array): number {
  const at = OFFSET.crc32;
  let value = crc(packet.subarray(0, at));
  value = crc(ZEROS4, value);
  value = crc(packet.subarray(at + 4), value);
  return value >>> 0;
}
