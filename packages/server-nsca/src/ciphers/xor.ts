import { IV_SIZE, PACKET_SIZE } from '../codec/constants.js';
import type { CryptStream } from './crypt-stream.js';

/**
 * Method 1, NSCA's XOR "encryption": byte i of every packet is XORed with `iv[i % 128]` and
 * with `password[i % password.length]` (an empty password leaves only the IV). The index
 * restarts at 0 with every packet, so encryption and decryption are the same operation and
 * there is no state across packets.
 *
 * The combined key bytes are precomputed once per connection for a whole (4304-byte) packet,
 * so each byte costs one XOR.
 */
export class XorStream implements CryptStream {
  readonly method = 1;
  private keystream: Uint8Array;
  /** The same bytes as 32-bit words, for data that sits at the same alignment. */
  private keystream32: Uint32Array;

  /** @param iv the 128-byte IV of the init packet. */
  constructor(iv: Uint8Array, password: Uint8Array) {
    if (iv.length < IV_SIZE) throw new RangeError(`XOR needs the ${IV_SIZE}-byte IV, got ${iv.length} bytes`);
    // The IV repeated over the packet (doubling copies), then the repeated password XORed in a
    // word at a time: a server builds one of these per connection, so it must be cheap.
    const ks32 = keystreamPool.pop() ?? new Uint32Array(PACKET_SIZE >>> 2);
    const ks = new Uint8Array(ks32.buffer, ks32.byteOffset, PACKET_SIZE);
    ks.set(iv.subarray(0, IV_SIZE), 0);
    for (let n = IV_SIZE; n < PACKET_SIZE; n *= 2) ks.copyWithin(n, 0, Math.min(n, PACKET_SIZE - n));
    if (password.length > 0) {
      const pw32 = passwordPattern(password);
      for (let w = 0; w < ks32.length; w++) ks32[w] ^= pw32[w]!;
    }
    this.keystream = ks;
    this.keystream32 = ks32;
  }

  /** Gives the keystream back for the next connection's stream; this one cannot be used after. */
  dispose(): void {
    if (this.keystream.length === 0) return;
    if (keystreamPool.length < KEYSTREAM_POOL_MAX) keystreamPool.push(this.keystream32);
    this.keystream = EMPTY;
    this.keystream32 = EMPTY32;
  }

  encrypt(data: Uint8Array, packetOffset = 0): void {
    this.apply(data, packetOffset);
  }

  decrypt(data: Uint8Array, packetOffset = 0): void {
    this.apply(data, packetOffset);
  }

  private apply(data: Uint8Array, packetOffset: number): void {
    const ks = this.keystream;
    const n = data.length;
    if (packetOffset < 0 || packetOffset + n > ks.length) {
      throw new RangeError(`XOR: bytes ${packetOffset}..${packetOffset + n} are outside a ${ks.length}-byte packet`);
    }
    let i = 0;
    // Word at a time when data and keystream share the alignment (always, for a packet in a
    // buffer of its own, or the decoder's frame); endianness does not matter to XOR.
    if (n >= 32 && ((data.byteOffset - packetOffset) & 3) === 0) {
      while (((data.byteOffset + i) & 3) !== 0) {
        data[i] ^= ks[packetOffset + i]!;
        i++;
      }
      const words = (n - i) >>> 2;
      const d32 = new Uint32Array(data.buffer, data.byteOffset + i, words);
      const k32 = this.keystream32;
      const k = (packetOffset + i) >>> 2;
      for (let w = 0; w < words; w++) d32[w] ^= k32[k + w]!;
      i += words << 2;
    }
    for (; i < n; i++) data[i] ^= ks[packetOffset + i]!;
  }
}

/** Keystreams of disposed streams, for the next connections (a server makes one per connection). */
const keystreamPool: Uint32Array[] = [];
const KEYSTREAM_POOL_MAX = 256;
const EMPTY = new Uint8Array(0);
const EMPTY32 = new Uint32Array(0);

/** The password repeated over a whole packet, as words; the last password's is kept (servers use one). */
let lastPassword: Uint8Array | undefined;
let lastPattern: Uint32Array | undefined;

function passwordPattern(password: Uint8Array): Uint32Array {
  if (lastPattern !== undefined && lastPassword !== undefined && sameBytes(lastPassword, password)) return lastPattern;
  const pattern = new Uint8Array(PACKET_SIZE);
  const first = Math.min(password.length, PACKET_SIZE);
  pattern.set(password.subarray(0, first), 0);
  for (let n = first; n < PACKET_SIZE; n *= 2) pattern.copyWithin(n, 0, Math.min(n, PACKET_SIZE - n));
  lastPassword = Uint8Array.from(password);
  lastPattern = new Uint32Array(pattern.buffer, 0, PACKET_SIZE >>> 2);
  return lastPattern;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
