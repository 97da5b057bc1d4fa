// NRPE's packets, as bytes. A pure parser (bytes in, one packet or the reason it is refused out)
// and an encoder. Layout (big-endian), as check_nrpe 4 and nrpe 4 put it on the wire:
//   v2:    version u16 | type u16 | crc32 u32 | result i16 | buffer[payload] | 2 bytes of padding
//   v3/v4: version u16 | type u16 | crc32 u32 | result i16 | alignment u16 | length u32 | buffer[length]
// v3 carries 3 more bytes after the buffer (the C struct's size leaking onto the wire); v4 dropped them.
// The CRC32 covers the whole packet with its crc field zero.
import { randomFillSync } from 'node:crypto';
import CRC32 from 'crc-32';

export const QUERY_PACKET = 1;
export const RESPONSE_PACKET = 2;
export const V2_HEADER = 10;
export const V3_HEADER = 16;
const V3_TRAILER = 3;
/** NRPE's buffer in a v2 packet, and the least a v3/v4 query carries. */
export const DEFAULT_PAYLOAD = 1024;
/** The most a v3/v4 buffer may claim before the packet is refused unread (NRPE's own cap is 64 KiB). */
export const MAX_V3_BUFFER = 65536;

export type PacketVersion = 2 | 3 | 4;

export interface NRPEPacket {
  version: PacketVersion;
  type: number;
  result: number;
  /** The buffer's text, up to its first NUL. */
  text: string;
  /** Bytes the packet took on the wire. */
  size: number;
}

export type ParseOutcome =
  | { kind: 'need'; bytes: number }
  | { kind: 'packet'; packet: NRPEPacket }
  | { kind: 'refused'; reason: string; code: PacketRefusal };

/** Why a packet is refused, as a metric label: not NRPE at all, a version not accepted, a v3/v4 length over the cap, a bad CRC. */
export type PacketRefusal = 'bad_packet' | 'bad_version' | 'too_long' | 'bad_crc';

export interface ParseOptions {
  /** The v2 buffer size (NSClient++'s `payload length`); 1024 as check_nrpe. */
  payloadLength?: number;
  /** The versions accepted; others are refused. */
  versions?: readonly PacketVersion[];
}

/** The CRC32 NRPE puts in a packet: over `bytes` with the crc field (offset 4..8) taken as zero. */
export function packetCrc(bytes: Uint8Array): number {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(0, 4);
  return CRC32.buf(copy) >>> 0;
}

function textOf(buffer: Buffer): string {
  const nul = buffer.indexOf(0);
  return (nul < 0 ? buffer : buffer.subarray(0, nul)).toString('utf8');
}

/**
 * Reads one packet from the front of `bytes`: the packet, how many bytes are needed in all
 * before it can be read, or why it is refused (the connection is then closed).
 */
export function parsePacket(bytes: Uint8Array, options: ParseOptions = {}): ParseOutcome {
  const payload = options.payloadLength ?? DEFAULT_PAYLOAD;
  const versions = options.versions ?? [2, 3, 4];
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 2) return { kind: 'need', bytes: 2 };
  const version = buf.readUInt16BE(0);
  if (version !== 2 && version !== 3 && version !== 4) return { kind: 'refused', code: 'bad_packet', reason: `not an NRPE packet (version field ${version}, expected 2, 3 or 4)` };
  if (!versions.includes(version)) return { kind: 'refused', code: 'bad_version', reason: `NRPE v${version} packets are not accepted here (accepted: ${versions.map((v) => `v${v}`).join(', ')})` };
  let size: number;
  let text: Buffer;
  if (version === 2) {
    size = V2_HEADER + payload + 2;
    if (buf.length < size) return { kind: 'need', bytes: size };
    text = buf.subarray(V2_HEADER, V2_HEADER + payload);
  } else {
    if (buf.length < V3_HEADER) return { kind: 'need', bytes: V3_HEADER };
    const length = buf.readUInt32BE(12);
    if (length > MAX_V3_BUFFER) return { kind: 'refused', code: 'too_long', reason: `v${version} buffer length ${length} is over ${MAX_V3_BUFFER} bytes` };
    size = V3_HEADER + length + (version === 3 ? V3_TRAILER : 0);
    if (buf.length < size) return { kind: 'need', bytes: size };
    text = buf.subarray(V3_HEADER, V3_HEADER + length);
  }
  const packet = buf.subarray(0, size);
  const crc = packet.readUInt32BE(4);
  const expected = packetCrc(packet);
  if (crc !== expected) return { kind: 'refused', code: 'bad_crc', reason: `bad CRC32 in a v${version} packet (got ${crc.toString(16)}, computed ${expected.toString(16)})` };
  return { kind: 'packet', packet: { version, type: packet.readUInt16BE(2), result: packet.readInt16BE(8), text: textOf(text), size } };
}

/** Splits a query's text, `command!arg1!arg2`, into the command and its arguments. */
export function splitQuery(text: string): { command: string; args: string[] } {
  const [command = '', ...args] = text.split('!');
  return { command, args };
}

export interface EncodeOptions {
  version: PacketVersion;
  type: number;
  result: number;
  text: string;
  /** v2: the buffer size (the text is cut to one byte less); v3/v4: the least buffer size. */
  payloadLength?: number;
  /** Fill unused buffer bytes with random bytes, as NRPE does (on by default). */
  randomPadding?: boolean;
}

/** One NRPE packet, CRC filled in. */
export function encodePacket(options: EncodeOptions): Buffer {
  const payload = options.payloadLength ?? DEFAULT_PAYLOAD;
  const text = Buffer.from(options.text, 'utf8');
  let out: Buffer;
  let at: number;
  let room: number;
  if (options.version === 2) {
    out = Buffer.alloc(V2_HEADER + payload + 2);
    at = V2_HEADER;
    room = payload;
  } else {
    const length = Math.max(text.length + 1, options.version === 3 ? payload : 0);
    out = Buffer.alloc(V3_HEADER + length + (options.version === 3 ? V3_TRAILER : 0));
    out.writeUInt32BE(length, 12);
    at = V3_HEADER;
    room = length;
  }
  // The v3 trailer stays zero: check_nrpe reads only the buffer and counts the trailer as zeros in its CRC.
  if (options.randomPadding !== false) randomFillSync(out, at, room);
  const used = Math.min(text.length, room - 1);
  text.copy(out, at, 0, used);
  out[at + used] = 0;
  out.writeUInt16BE(options.version, 0);
  out.writeUInt16BE(options.type, 2);
  out.writeInt16BE(options.result, 8);
  out.writeUInt32BE(packetCrc(out), 4);
  return out;
}

/**
 * The packets that carry one response: v3/v4 one packet of any length; v2 one packet cut at the
 * payload, or with `extended` (NSClient++'s extended response) the rest in further v2 packets.
 * check_nrpe 4 reads only the first (as from nrpe 4, whose v2 output stops at 1023 bytes); a
 * client that reads on gets the whole output. All are RESPONSE_PACKETs: check_nrpe 4 refuses any
 * other type, NRPE 3's "more" type included.
 */
export function encodeResponse(version: PacketVersion, result: number, text: string, payloadLength = DEFAULT_PAYLOAD, extended = false): Buffer[] {
  if (version !== 2 || !extended) return [encodePacket({ version, type: RESPONSE_PACKET, result, text, payloadLength })];
  const bytes = Buffer.from(text, 'utf8');
  const chunk = payloadLength - 1;
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length || out.length === 0; at += chunk) {
    out.push(encodePacket({ version, type: RESPONSE_PACKET, result, text: bytes.subarray(at, at + chunk).toString('utf8'), payloadLength }));
  }
  return out;
}
