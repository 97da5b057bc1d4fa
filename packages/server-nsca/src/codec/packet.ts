import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import {
  FIELD_SIZE,
  FILLER_COUNT,
  FILLER_FIRST,
  LEGACY_PACKET_SIZE,
  MAX_HOST_NAME,
  MAX_LEGACY_PLUGIN_OUTPUT,
  MAX_PLUGIN_OUTPUT,
  MAX_SVC_DESCRIPTION,
  OFFSET,
  PACKET_SIZE,
  PACKET_VERSION,
} from './constants.js';
import { packetCrc32 } from './crc32.js';
import { decodeText, fieldBytes, readCString } from './strings.js';

/** The exact bytes of a packet's three strings (up to, not including, their NUL). */
export interface NscaRawStrings {
  readonly host_name: Buffer;
  readonly svc_description: Buffer;
  readonly plugin_output: Buffer;
}

/**
 * One decoded check result. Names follow POE::Component::Server::NSCA's result hash (`version`,
 * `crc32` as sent, `checksum` as computed, ...), with the differences of this port:
 * `return_code` is signed (as nsca reads it), a host check has `svc_description` undefined,
 * and `raw` keeps the exact bytes of the strings (see `codec/strings.ts` for the text form).
 */
export interface NscaPacket {
  readonly version: number;
  /** CRC-32 stored in the packet. */
  readonly crc32: number;
  /** CRC-32 computed over the received packet; equal to `crc32` unless `crc_ok` is false. */
  readonly checksum: number;
  readonly crc_ok: boolean;
  /** Seconds since the epoch, as sent (send_nsca copies the init packet's server timestamp). */
  readonly timestamp: number;
  /** Signed 16-bit return code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, or anything else). */
  readonly return_code: number;
  readonly host_name: string;
  /** The service; `undefined` for a host check (an empty svc_description on the wire). */
  readonly svc_description: string | undefined;
  readonly plugin_output: string;
  /** True for a 720-byte (nsca 2.7 compatible) packet. */
  readonly legacy: boolean;
  readonly raw: NscaRawStrings;
}

/** Why a packet (or the bytes where one should be) was refused. */
export type RefusalReason =
  /** The plaintext is neither 4304 nor 720 bytes (`decodePacket` only). */
  | 'size'
  /** packet_version is not 3 (wrong password or method, or not NSCA at all). */
  | 'version'
  /** The CRC-32 does not match (corruption, or a wrong password or method). */
  | 'crc'
  /** Older than `maxPacketAge` seconds. */
  | 'age'
  /** Timestamped more than `maxPacketAge` seconds in the future. */
  | 'future'
  /** A valid 720-byte legacy packet while legacy packets are refused. */
  | 'legacy'
  /** The connection ended in the middle of a packet. */
  | 'truncated';

export interface PacketAccepted {
  readonly ok: true;
  readonly packet: NscaPacket;
}

export interface PacketRefused {
  readonly ok: false;
  readonly reason: RefusalReason;
  /** One line saying what was wrong, for logs. */
  readonly message: string;
  /** The fields, when they could be read (CRC mismatch, age, legacy refused). */
  readonly packet?: NscaPacket;
}

export type PacketResult = PacketAccepted | PacketRefused;

export interface DecodePacketOptions {
  /** Accept packets whose CRC does not match, with `crc_ok: false` (default false: refuse). */
  deliverBadCrc?: boolean;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

/**
 * Decodes one decrypted packet of 4304 (or legacy 720) bytes. Checks in nsca's order —
 * version, then CRC — and never throws, whatever the bytes.
 */
export function decodePacket(plaintext: Uint8Array, options: DecodePacketOptions = {}): PacketResult {
  const size = plaintext.length;
  if (size !== PACKET_SIZE && size !== LEGACY_PACKET_SIZE) {
    return {
      ok: false,
      reason: 'size',
      message: `a packet is ${PACKET_SIZE} or ${LEGACY_PACKET_SIZE} bytes, not ${size}`,
    };
  }
  const rawVersion = u16(plaintext, OFFSET.version);
  const version = (rawVersion << 16) >> 16;
  if (version !== PACKET_VERSION) {
    return {
      ok: false,
      reason: 'version',
      message: `invalid packet version ${version} (expected ${PACKET_VERSION}): wrong password or encryption method?`,
    };
  }
  const packet = readFields(plaintext, version);
  if (!packet.crc_ok && !options.deliverBadCrc) {
    return {
      ok: false,
      reason: 'crc',
      message:
        `CRC-32 mismatch (packet says ${hex32(packet.crc32)}, computed ${hex32(packet.checksum)}): ` +
        'corrupt packet, or wrong password or encryption method',
      packet,
    };
  }
  return { ok: true, packet };
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function readFields(p: Uint8Array, version: number): NscaPacket {
  const legacy = p.length === LEGACY_PACKET_SIZE;
  const crc32 = u32(p, OFFSET.crc32);
  const checksum = packetCrc32(p);
  const outputSize = legacy ? FIELD_SIZE.legacy_plugin_output : FIELD_SIZE.plugin_output;
  const host = readCString(p.subarray(OFFSET.host_name, OFFSET.host_name + FIELD_SIZE.host_name));
  const svc = readCString(p.subarray(OFFSET.svc_description, OFFSET.svc_description + FIELD_SIZE.svc_description));
  const output = readCString(p.subarray(OFFSET.plugin_output, OFFSET.plugin_output + outputSize));
  return {
    version,
    crc32,
    checksum,
    crc_ok: crc32 === checksum,
    timestamp: u32(p, OFFSET.timestamp),
    return_code: (u16(p, OFFSET.return_code) << 16) >> 16,
    host_name: decodeText(host),
    svc_description: svc.length === 0 ? undefined : decodeText(svc),
    plugin_output: decodeText(output),
    legacy,
    raw: { host_name: host, svc_description: svc, plugin_output: output },
  };
}

/** What goes into a packet. Strings are sent as UTF-8; byte arrays as they are. */
export interface PacketFields {
  host_name: string | Uint8Array;
  /** Empty or absent: a host check. */
  svc_description?: string | Uint8Array | undefined;
  /** Truncated to 16 bits as send_nsca does (70000 → 4464, −1 stays −1); NaN → 0. */
  return_code: number;
  plugin_output: string | Uint8Array;
  /** Seconds since the epoch; send_nsca sends the init packet's timestamp here. */
  timestamp: number;
}

/**
 * The bytes a packet starts from before its fields are written:
 * - `'random'` (default): send_nsca's, every byte a random character '0'..'w';
 * - a number: every byte that value (0 for a zeroed packet);
 * - a Uint8Array of at least the packet's size: its first bytes (e.g. a recorded plaintext,
 *   to reproduce a send_nsca packet exactly).
 */
export type Filler = 'random' | number | Uint8Array;

export interface EncodePacketOptions {
  /** Build a 720-byte legacy (2.7) packet, with plugin_output cut at 511 bytes. */
  legacy?: boolean;
  filler?: Filler;
  /** packet_version to write (default 3; other values only make sense in tests). */
  version?: number;
}

/**
 * Builds a packet's plaintext the way send_nsca does: fill the whole packet (filler), write the
 * version, timestamp and return code, copy each string and its NUL (cut byte-wise at 63, 127
 * and 4095 — or 511 legacy — bytes, and at an embedded NUL), then store the CRC-32 computed
 * with bytes 4..7 zero. The padding after the version and after plugin_output, and every byte
 * after a string's NUL, keep the filler. Encryption is a separate step (`CryptStream`).
 */
export function encodePacket(fields: PacketFields, options: EncodePacketOptions = {}): Buffer {
  const legacy = options.legacy === true;
  const size = legacy ? LEGACY_PACKET_SIZE : PACKET_SIZE;
  const p = Buffer.allocUnsafe(size);
  fill(p, options.filler ?? 'random');
  const version = options.version ?? PACKET_VERSION;
  p.writeUInt16BE(version & 0xffff, OFFSET.version);
  p.writeUInt32BE(0, OFFSET.crc32);
  p.writeUInt32BE(Number.isFinite(fields.timestamp) ? Math.trunc(fields.timestamp) >>> 0 : 0, OFFSET.timestamp);
  const rc = Number.isFinite(fields.return_code) ? Math.trunc(fields.return_code) : 0;
  p.writeUInt16BE(rc & 0xffff, OFFSET.return_code);
  putCString(p, OFFSET.host_name, fieldBytes(fields.host_name, MAX_HOST_NAME));
  putCString(p, OFFSET.svc_description, fieldBytes(fields.svc_description ?? '', MAX_SVC_DESCRIPTION));
  putCString(p, OFFSET.plugin_output, fieldBytes(fields.plugin_output, legacy ? MAX_LEGACY_PLUGIN_OUTPUT : MAX_PLUGIN_OUTPUT));
  p.writeUInt32BE(packetCrc32(p), OFFSET.crc32);
  return p;
}

function putCString(p: Buffer, offset: number, bytes: Uint8Array): void {
  p.set(bytes, offset);
  p[offset + bytes.length] = 0;
}

function fill(p: Buffer, filler: Filler): void {
  if (filler === 'random') {
    randomFillSync(p);
    for (let i = 0; i < p.length; i++) p[i] = FILLER_FIRST + (p[i]! % FILLER_COUNT);
  } else if (typeof filler === 'number') {
    p.fill(filler & 0xff);
  } else {
    if (filler.length < p.length) {
      throw new RangeError(`a filler template needs at least ${p.length} bytes, got ${filler.length}`);
    }
    p.set(filler.subarray(0, p.length));
  }
}
