import type { BlockCipher, CipherSpec } from './block-cipher.js';

const DELTA = 0x9e3779b9;

/**
 * XTEA (Needham & Wheeler, "Tea extensions", 1997), 64-bit block, 128-bit key, 32 cycles
 * (64 Feistel rounds): libmcrypt's "xtea".
 *
 * libmcrypt's xtea reads the key and the block as big-endian 32-bit words, which is the
 * usual convention for XTEA's published test vectors, so there is no quirk to match.
 */
class Xtea implements BlockCipher {
  readonly blockSize = 8;
  private readonly k = new Uint32Array(4);

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`xtea needs a 16-byte key, got ${key.length}`);
    for (let i = 0; i < 4; i++) {
      this.k[i] = ((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) >>> 0;
    }
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const k = this.k;
    let v0 = ((input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!) >>> 0;
    let v1 = ((input[4]! << 24) | (input[5]! << 16) | (input[6]! << 8) | input[7]!) >>> 0;
    let sum = 0;
    for (let i = 0; i < 32; i++) {
      v0 = (v0 + (((((v1 << 4) ^ (v1 >>> 5)) + v1) ^ (sum + k[sum & 3]!)) >>> 0)) >>> 0;
      sum = (sum + DELTA) >>> 0;
      v1 = (v1 + (((((v0 << 4) ^ (v0 >>> 5)) + v0) ^ (sum + k[(sum >>> 11) & 3]!)) >>> 0)) >>> 0;
    }
    output[0] = v0 >>> 24;
    output[1] = v0 >>> 16;
    output[2] = v0 >>> 8;
    output[3] = v0;
    output[4] = v1 >>> 24;
    output[5] = v1 >>> 16;
    output[6] = v1 >>> 8;
    output[7] = v1;
  }
}

/** NSCA method 6: libmcrypt "xtea", 16-byte key, 8-byte block. */
export const xtea: CipherSpec = {
  method: 6,
  name: 'xtea',
  keySize: 16,
  blockSize: 8,
  create: (key) => new Xtea(key),
};
