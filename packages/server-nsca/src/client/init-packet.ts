import { Buffer } from 'node:buffer';
import { INIT_PACKET_SIZE, IV_SIZE } from '../codec/constants.js';

/**
 * The 132 bytes an NSCA server sends first: a 128-byte IV and the server's time (uint32,
 * big-endian). A client must accept any 128 bytes as the IV (nsca draws them from rand(), the Perl
 * server sends ASCII digits) and stamps every packet of the connection with this timestamp.
 */
export interface InitPacket {
  readonly iv: Buffer;
  /** Seconds since the epoch, by the server's clock. */
  readonly timestamp: number;
}

/** Reads an init packet (the first 132 bytes of `bytes`). Throws a RangeError when there are fewer. */
export function parseInitPacket(bytes: Uint8Array): InitPacket {
  if (bytes.length < INIT_PACKET_SIZE) {
    throw new RangeError(`an NSCA init packet is ${INIT_PACKET_SIZE} bytes, got ${bytes.length}`);
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, INIT_PACKET_SIZE);
  return { iv: Buffer.from(b.subarray(0, IV_SIZE)), timestamp: b.readUInt32BE(IV_SIZE) };
}

/** The 132 bytes of an init packet (for servers and tests). */
export function encodeInitPacket(iv: Uint8Array, timestamp: number): Buffer {
  if (iv.length !== IV_SIZE) throw new RangeError(`the NSCA IV is ${IV_SIZE} bytes, got ${iv.length}`);
  const packet = Buffer.allocUnsafe(INIT_PACKET_SIZE);
  packet.set(iv, 0);
  packet.writeUInt32BE(Math.trunc(timestamp) >>> 0, IV_SIZE);
  return packet;
}
