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
  private readonly keystream: Uint8Array;
  /** The same bytes as 32-bit words, for data that sits at the same alignment. */
  private readonly keystream32: Uint32Array;

  /** @param iv the 128-byte IV of the init packet. */
  constructor(iv: Uint8Array, password: Uint8Array) {
    if (iv.length < IV_SIZE) throw new RangeError(`XOR needs the ${IV_SIZE}-byte IV, got ${iv.length} bytes`);
    const ks = new Uint8Array(PACKET_SIZE);
    const pwLength = password.length;
    for (let i = 0; i < PACKET_SIZE; i++) {
      ks[i] = iv[i % IV_SIZE]! ^ (pwLength > 0 ? password[i % pwLength]! : 0);
    }
    this.keystream = ks;
    this.keystream32 = new Uint32Array(ks.buffer, ks.byteOffset, PACKET_SIZE >>> 2);
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
