import { Buffer } from 'node:buffer';
import type { CryptStream } from '../ciphers/crypt-stream.js';
import { createCryptStream, isSupportedMethod } from '../ciphers/methods.js';
import { UnsupportedMethodError } from '../errors.js';
import { IV_SIZE, LEGACY_PACKET_SIZE, OFFSET, PACKET_SIZE, PACKET_VERSION } from './constants.js';
import { packetCrc32 } from './crc32.js';
import { decodePacket, type NscaPacket, type PacketResult, type RefusalReason } from './packet.js';

/**
 * Decoding one NSCA connection: the bytes the client sends after the init packet, in, check
 * results and refusals out. Pure: no I/O, no timers; time only through `options.now`.
 *
 * ## Framing
 *
 * Packets are 4304 bytes, or 720 for legacy (nsca 2.7 compatible) ones, back to back, with no
 * length field. nsca itself reads 4304 bytes at a time and takes a legacy packet only when the
 * connection ends after exactly 720 bytes, so it loses any legacy packet that is not the last
 * one. This decoder tells them apart by content instead:
 *
 * > At each packet boundary, as soon as 720 bytes are there, they are decrypted and checked as
 * > a legacy packet: version 3 and a CRC-32 over those 720 bytes equal to the one stored at
 * > bytes 4..7. If so, that is a 720-byte packet; otherwise the packet is 4304 bytes.
 *
 * This is sound because decryption does not depend on the framing guess: XOR (method 1) keys a
 * byte by its index in the packet, and both framings put the packet's first byte at index 0;
 * the libmcrypt methods are one CFB-8 stream over the whole connection, whose state after any
 * byte depends only on the bytes before it. So the bytes are decrypted once, as they arrive,
 * whatever the packet turns out to be. A real 4304-byte packet passes the 720-byte check only
 * if 32 bits of its CRC collide by chance (2^-32). The price: a 720-byte packet whose CRC is
 * *bad* cannot be told from the start of a 4304-byte one, so in the middle of a connection it
 * is read as 4304 bytes (refused, and the framing of what follows is lost: those are refused
 * too, never misdelivered, since they fail their CRC). When the connection ends after exactly
 * 720 bytes of a packet, those are decoded as a legacy packet, as nsca does.
 *
 * ## Results
 *
 * Every packet, and every piece of a connection that is not one, gives exactly one result, in
 * order: `{ ok: true, packet }` or `{ ok: false, reason, message, packet? }`, each with its
 * byte `offset` and `length` in the connection. Checks, in order: version (≠ 3 refused:
 * usually a wrong password or method), CRC (refused, or delivered with `crc_ok: false` when
 * `deliverBadCrc`), legacy (refused when `acceptLegacy` is false), age (when `maxPacketAge`).
 * Unlike nsca, a bad packet does not end the connection's decoding: the next packet is tried.
 * Nothing here throws on any input bytes, and chunk boundaries never change the results.
 */

export interface DecoderOptions {
  /** Accept 720-byte legacy packets (default true). When false they are refused ('legacy'). */
  acceptLegacy?: boolean;
  /** Deliver packets whose CRC does not match, flagged `crc_ok: false` (default false: refuse). */
  deliverBadCrc?: boolean;
  /**
   * Refuse packets whose timestamp is more than this many seconds old ('age') or ahead
   * ('future') of `now()`. Undefined or 0: not enforced (nsca 2.10 never enforces its
   * max_packet_age).
   */
  maxPacketAge?: number;
  /** Clock in seconds since the epoch (default: `Date.now() / 1000`). */
  now?: () => number;
  /** Use Node's native CFB-8 where available (default true); see `createCryptStream`. */
  native?: boolean;
}

export interface ConnectionDecodeOptions extends DecoderOptions {
  /** NSCA encryption method number. */
  method: number;
  /** Password bytes (a string is taken as UTF-8). */
  password: string | Uint8Array;
  /** The 128-byte IV the server sent in its init packet. */
  iv: Uint8Array;
}

/** Where a result sits in the connection (bytes after the init packet). */
export interface ResultPosition {
  readonly offset: number;
  readonly length: number;
}

export type DecodeResult = PacketResult & ResultPosition;

const defaultNow = (): number => Date.now() / 1000;

/** One connection's streaming decoder. Feed `push()` the client's bytes, then call `end()`. */
export class NscaDecoder {
  /** Made at the first byte: an idle connection holds no keystream or cipher state. */
  private crypt: CryptStream | undefined = undefined;
  private readonly makeCrypt: () => CryptStream;
  private readonly acceptLegacy: boolean;
  private readonly deliverBadCrc: boolean;
  private readonly maxPacketAge: number;
  private readonly now: () => number;
  /** The packet being assembled, decrypted as it arrives (from a small pool: see `dispose()`); taken at the first byte. */
  private frame: Buffer = EMPTY;
  private have = 0;
  /** The 720-byte legacy check of the current packet has been made and failed. */
  private notLegacy = false;
  /** Connection offset of the current packet's first byte. */
  private start = 0;
  private ended = false;

  /**
   * @param method NSCA encryption method.
   * @param password the password's bytes (a string is taken as UTF-8).
   * @param iv the 128-byte IV this connection's init packet carried.
   * @throws UnsupportedMethodError / RangeError for a method or IV that cannot work (a
   *   configuration error, reported before any byte is read).
   */
  constructor(method: number, password: string | Uint8Array, iv: Uint8Array, options: DecoderOptions = {}) {
    const maxAge = options.maxPacketAge ?? 0;
    if (!Number.isFinite(maxAge) || maxAge < 0) throw new RangeError(`maxPacketAge must be ≥ 0 seconds, not ${maxAge}`);
    // what createCryptStream would refuse is refused now, before any byte is read
    if (!isSupportedMethod(method)) throw new UnsupportedMethodError(method);
    if (iv.length !== IV_SIZE) throw new RangeError(`the NSCA IV is ${IV_SIZE} bytes, got ${iv.length}`);
    const native = options.native === undefined ? {} : { native: options.native };
    this.makeCrypt = () => createCryptStream(method, password, iv, native);
    this.acceptLegacy = options.acceptLegacy ?? true;
    this.deliverBadCrc = options.deliverBadCrc ?? false;
    this.maxPacketAge = maxAge;
    this.now = options.now ?? defaultNow;
  }

  /** Bytes received of a packet not yet complete. */
  get pending(): number {
    return this.have;
  }

  /** Bytes consumed so far (complete packets and the pending part). */
  get offset(): number {
    return this.start + this.have;
  }

  /** Takes the next bytes of the connection; returns the results they complete (maybe none). */
  push(chunk: Uint8Array): DecodeResult[] {
    if (this.ended) throw new Error('NscaDecoder: push() after end() or dispose()');
    const results: DecodeResult[] = [];
    const n = chunk.length;
    if (this.crypt === undefined && n > 0) {
      this.crypt = this.makeCrypt();
      this.frame = takeFrame();
    }
    const crypt = this.crypt!;
    let pos = 0;
    while (pos < n) {
      const target = this.notLegacy ? PACKET_SIZE : LEGACY_PACKET_SIZE;
      const take = Math.min(target - this.have, n - pos);
      const dst = this.frame.subarray(this.have, this.have + take);
      dst.set(chunk.subarray(pos, pos + take));
      crypt.decrypt(dst, this.have);
      this.have += take;
      pos += take;
      if (this.have < target) break;
      if (this.notLegacy) {
        results.push(this.finish(PACKET_SIZE));
      } else if (this.looksLegacy()) {
        results.push(this.finish(LEGACY_PACKET_SIZE));
      } else {
        this.notLegacy = true;
      }
    }
    return results;
  }

  /**
   * The connection has ended: returns the result for any bytes left (a last legacy packet, as
   * nsca reads it, or a 'truncated' refusal). The decoder takes no more bytes after this.
   */
  end(): DecodeResult[] {
    if (this.ended) return [];
    this.ended = true;
    if (this.have === 0) {
      this.dispose();
      return [];
    }
    if (this.have === LEGACY_PACKET_SIZE && this.acceptLegacy) {
      // Exactly 720 bytes and the legacy check failed: nsca's rule reads them as a legacy
      // packet, which gives its version or CRC refusal (or a flagged delivery).
      const last = [this.finish(LEGACY_PACKET_SIZE)];
      this.dispose();
      return last;
    }
    const offset = this.start;
    const length = this.have;
    this.start += length;
    this.dispose();
    return [
      {
        ok: false,
        reason: 'truncated',
        message:
          `connection closed after ${length} bytes of a packet ` +
          `(a packet is ${PACKET_SIZE} bytes, or ${LEGACY_PACKET_SIZE} in legacy mode)`,
        offset,
        length,
      },
    ];
  }

  /**
   * The connection is over (ended, timed out, failed): the decoder takes no more bytes and gives
   * its packet buffer back for the next connection's decoder. Results already returned are
   * unaffected (they never share that buffer). `end()` does this itself.
   */
  dispose(): void {
    this.ended = true;
    if (this.frame.length === 0) return;
    this.crypt?.dispose?.();
    giveFrame(this.frame);
    this.frame = EMPTY;
    this.have = 0;
  }

  /** The first 720 bytes of the current packet form a valid legacy packet. */
  private looksLegacy(): boolean {
    const f = this.frame;
    if (((f[OFFSET.version]! << 8) | f[OFFSET.version + 1]!) !== PACKET_VERSION) return false;
    const at = OFFSET.crc32;
    const stored = ((f[at]! << 24) | (f[at + 1]! << 16) | (f[at + 2]! << 8) | f[at + 3]!) >>> 0;
    return stored === packetCrc32(f.subarray(0, LEGACY_PACKET_SIZE));
  }

  /** Decodes the current packet (`size` bytes), then starts the next one. */
  private finish(size: number): DecodeResult {
    const position: ResultPosition = { offset: this.start, length: size };
    const decoded = decodePacket(this.frame.subarray(0, size), { deliverBadCrc: this.deliverBadCrc });
    this.start += size;
    this.have = 0;
    this.notLegacy = false;
    if (!decoded.ok) return { ...decoded, ...position };
    const { packet } = decoded;
    if (packet.legacy && !this.acceptLegacy) {
      return refuse('legacy', `legacy ${LEGACY_PACKET_SIZE}-byte packet refused (acceptLegacy is off)`, packet, position);
    }
    const max = this.maxPacketAge;
    if (max > 0) {
      const age = Math.floor(this.now()) - packet.timestamp;
      const detail = `(timestamp ${packet.timestamp}; max_packet_age ${max} s)`;
      if (age > max) return refuse('age', `packet is ${age} s old ${detail}`, packet, position);
      if (-age > max) return refuse('future', `packet is timestamped ${-age} s in the future ${detail}`, packet, position);
    }
    return { ok: true, packet, ...position };
  }
}

/**
 * Packet buffers of decoders whose connection is over, for the next ones: a server decodes one
 * connection after another, and a fresh 4304-byte buffer per connection is a measurable share of
 * a one-packet connection's cost. Bounded; a decoder never disposed is simply collected.
 */
const framePool: Buffer[] = [];
const FRAME_POOL_MAX = 256;
const EMPTY = Buffer.alloc(0);

function takeFrame(): Buffer {
  return framePool.pop() ?? Buffer.allocUnsafe(PACKET_SIZE);
}

function giveFrame(frame: Buffer): void {
  if (framePool.length < FRAME_POOL_MAX) framePool.push(frame);
}

function refuse(reason: RefusalReason, message: string, packet: NscaPacket, position: ResultPosition): DecodeResult {
  return { ok: false, reason, message, packet, ...position };
}

/**
 * Decodes a whole connection at once — "decoding is a pure function of bytes": the client's
 * bytes (after the init packet; one buffer or its chunks) to the ordered results, exactly as
 * {@link NscaDecoder} gives them for any chunking.
 */
export function decodeConnection(bytes: Uint8Array | readonly Uint8Array[], options: ConnectionDecodeOptions): DecodeResult[] {
  const { method, password, iv, ...decoderOptions } = options;
  const decoder = new NscaDecoder(method, password, iv, decoderOptions);
  const chunks = bytes instanceof Uint8Array ? [bytes] : bytes;
  const results: DecodeResult[] = [];
  // (no push(...spread): one chunk can complete more results than a call takes arguments)
  for (const chunk of chunks) for (const r of decoder.push(chunk)) results.push(r);
  for (const r of decoder.end()) results.push(r);
  return results;
}
