import CRC32 from 'crc-32';
import { OFFSET } from './constants.js';

const ZEROS4 = new Uint8Array(4);

/**
 * NSCA's packet checksum: standard CRC-32 (zlib's) of the whole packet with bytes 4..7 (the
 * crc32 field) taken as zero. Computed without copying or touching the packet.
 * @returns the CRC as an unsigned 32-bit integer.
 */
export function packetCrc32(packet: Uint8Array): number {
  const at = OFFSET.crc32;
  let crc = CRC32.buf(packet.subarray(0, at));
  crc = CRC32.buf(ZEROS4, crc);
  crc = CRC32.buf(packet.subarray(at + 4), crc);
  return crc >>> 0;
}
