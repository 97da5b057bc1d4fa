import type { BlockCipher, CipherSpec } from './block-cipher.js';
import { PI_FRACTION_HEX } from './blowfish-pi.js';

/**
 * Blowfish (Schneier, 1993): 64-bit block, 16 rounds, big-endian halves, key of 1..56 bytes
 * (libmcrypt's maximum, 56, is what NSCA uses: the password zero-padded or cut to 56 bytes).
 *
 * Node cannot provide it: OpenSSL's `bf-*` ciphers live in the legacy provider, which Node does
 * not load. `encryptBlock` allocates nothing.
 */

/** The key-independent initial P-array (18 words) and S-boxes (4 × 256 words), from pi. */
const INITIAL = (() => {
  const words = new Uint32Array(18 + 4 * 256);
  for (let i = 0; i < words.length; i++) words[i] = parseInt(PI_FRACTION_HEX.slice(8 * i, 8 * i + 8), 16);
  return words;
})();

export class Blowfish implements BlockCipher {
  readonly blockSize = 8;
  private readonly p: Uint32Array;
  private readonly s0: Uint32Array;
  private readonly s1: Uint32Array;
  private readonly s2: Uint32Array;
  private readonly s3: Uint32Array;
  /** Result of the last `encryptHalves`: [left, right]. */
  private readonly lr = new Uint32Array(2);

  /** @param key 1 to 56 bytes (longer keys are refused; Blowfish only mixes in 72 bytes anyway). */
  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 56) throw new RangeError(`Blowfish key must be 1..56 bytes, not ${key.length}`);
    const state = INITIAL.slice();
    this.p = state.subarray(0, 18);
    this.s0 = state.subarray(18, 18 + 256);
    this.s1 = state.subarray(18 + 256, 18 + 512);
    this.s2 = state.subarray(18 + 512, 18 + 768);
    this.s3 = state.subarray(18 + 768, 18 + 1024);
    // XOR the key, cycled, into the P-array (big-endian words).
    let j = 0;
    for (let i = 0; i < 18; i++) {
      let w = 0;
      for (let b = 0; b < 4; b++) {
        w = (w << 8) | key[j]!;
        j = (j + 1) % key.length;
      }
      this.p[i] = (this.p[i]! ^ w) >>> 0;
    }
    // Replace P and S with the chained encryption of the all-zero block.
    let l = 0;
    let r = 0;
    for (let i = 0; i < state.length; i += 2) {
      this.encryptHalves(l, r);
      l = this.lr[0]!;
      r = this.lr[1]!;
      state[i] = l;
      state[i + 1] = r;
    }
  }

  /** Encrypts one block given as two big-endian halves; the result goes to `this.lr`. */
  private encryptHalves(left: number, right: number): void {
    const { p, s0, s1, s2, s3 } = this;
    let l = left;
    let r = right;
    // Two rounds per iteration, so the halves never need swapping; 32-bit wrap-around comes
    // from the XORs (ToInt32), and lookups use >>> so negative int32 values index correctly.
    for (let i = 0; i < 16; i += 2) {
      l ^= p[i]!;
      r ^= (((s0[l >>> 24]! + s1[(l >>> 16) & 0xff]!) ^ s2[(l >>> 8) & 0xff]!) + s3[l & 0xff]!) ^ p[i + 1]!;
      l ^= ((s0[r >>> 24]! + s1[(r >>> 16) & 0xff]!) ^ s2[(r >>> 8) & 0xff]!) + s3[r & 0xff]!;
    }
    this.lr[0] = r ^ p[17]!;
    this.lr[1] = l ^ p[16]!;
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const l = ((input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!) >>> 0;
    const r = ((input[4]! << 24) | (input[5]! << 16) | (input[6]! << 8) | input[7]!) >>> 0;
    this.encryptHalves(l, r);
    const ol = this.lr[0]!;
    const or = this.lr[1]!;
    output[0] = ol >>> 24;
    output[1] = (ol >>> 16) & 0xff;
    output[2] = (ol >>> 8) & 0xff;
    output[3] = ol & 0xff;
    output[4] = or >>> 24;
    output[5] = (or >>> 16) & 0xff;
    output[6] = (or >>> 8) & 0xff;
    output[7] = or & 0xff;
  }
}

/** NSCA method 8, libmcrypt `blowfish`: 56-byte key, 8-byte block. */
export const blowfish: CipherSpec = {
  method: 8,
  name: 'blowfish',
  keySize: 56,
  blockSize: 8,
  create: (key) => new Blowfish(key),
};
