import { readWord, writeWord } from './words.js';
import type { BlockCipher, CipherSpec } from './block-cipher.js';

/**
 * The eight 4-bit S-boxes of libmcrypt's gost, K1 (applied to the lowest nibble of the round
 * function's input) to K8 (the highest nibble). GOST 28147-89 leaves the S-boxes to the user;
 * libmcrypt uses the set printed with GOST in Schneier's "Applied Cryptography" (the same as
 * RFC 4357's id-GostR3411-94-TestParamSet, whose S-box 1 is K8 here), with one quirk that must
 * be reproduced: the last entry of K1 is 2 where the published box has 12, so K1 is not a
 * permutation (inputs 9 and 15 both give 2, none gives 12).
 */
export const MCRYPT_GOST_SBOXES: readonly (readonly number[])[] = [
  [1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 2], // K1 (published: ..., 8, 12)
  [13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12], // K2
  [4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14], // K3
  [6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2], // K4
  [7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3], // K5
  [5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11], // K6
  [14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9], // K7
  [4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3], // K8
];

/**
 * Builds the round function's substitution and 11-bit rotation as four byte tables: table
 * `b` maps byte `b` of the input word (b = 0 lowest) to its substituted nibbles, already
 * shifted into place and rotated left by 11, so f(x) = T0[x & 255] ^ T1[..] ^ T2[..] ^ T3[..].
 */
function roundTables(sboxes: readonly (readonly number[])[]): Uint32Array {
  const t = new Uint32Array(4 * 256);
  for (let b = 0; b < 4; b++) {
    const lo = sboxes[2 * b]!;
    const hi = sboxes[2 * b + 1]!;
    for (let x = 0; x < 256; x++) {
      const v = (((hi[x >>> 4]! << 4) | lo[x & 15]!) << (8 * b)) >>> 0;
      t[256 * b + x] = ((v << 11) | (v >>> 21)) >>> 0;
    }
  }
  return t;
}

const MCRYPT_TABLES = roundTables(MCRYPT_GOST_SBOXES);

/** Byte order in which 32-bit words are read from and written to bytes. */
export type ByteOrder = 'little' | 'big';

export interface GostOptions {
  /** The eight S-boxes K1..K8 (default: libmcrypt's, {@link MCRYPT_GOST_SBOXES}). */
  readonly sboxes?: readonly (readonly number[])[];
  /** Byte order of the eight key words (libmcrypt: little-endian). */
  readonly keyOrder?: ByteOrder;
  /** Byte order of the two data words, in and out (libmcrypt: big-endian). */
  readonly dataOrder?: ByteOrder;
}

/**
 * GOST 28147-89 in simple substitution (ECB) mode, 64-bit block, 256-bit key, 32 rounds:
 * libmcrypt's "gost".
 *
 * The block is two words n1 (first) and n2; the rounds use key words K0..K7 three times in
 * order, then K7..K0, each doing n2 ^= f(n1 + K) and swapping the roles of n1 and n2; after
 * the last round the output is (n2, n1). f substitutes the eight nibbles through K1..K8 and
 * rotates left by 11.
 *
 * libmcrypt quirks (checked against libmcrypt 2.5.8 on x86-64): its S-boxes (above, with the
 * altered K1); the key words are read little-endian (the machine's native order) but the data
 * words big-endian, in and out.
 */
export class Gost implements BlockCipher {
  readonly blockSize = 8;
  private readonly k = new Uint32Array(8);
  private readonly t: Uint32Array;
  private readonly littleData: boolean;

  constructor(key: Uint8Array, options: GostOptions = {}) {
    if (key.length !== 32) throw new RangeError(`gost needs a 32-byte key, got ${key.length}`);
    const { sboxes = MCRYPT_GOST_SBOXES, keyOrder = 'little', dataOrder = 'big' } = options;
    this.littleData = dataOrder === 'little';
    this.t = sboxes === MCRYPT_GOST_SBOXES ? MCRYPT_TABLES : roundTables(sboxes);
    for (let i = 0; i < 8; i++) this.k[i] = readWord(key, 4 * i, keyOrder !== 'little') >>> 0;
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { k, t, littleData } = this;
    let n1 = readWord(input, 0, !littleData) >>> 0;
    let n2 = readWord(input, 4, !littleData) >>> 0;
    for (let i = 0; i < 32; i += 2) {
      // Key word index: 0..7 for rounds 0..23, then 7..0.
      const j = i < 24 ? i & 7 : 31 - i;
      const j2 = i < 24 ? (i + 1) & 7 : 30 - i;
      let x = (n1 + k[j]!) >>> 0;
      n2 = (n2 ^ t[x & 255]! ^ t[256 + ((x >>> 8) & 255)]! ^ t[512 + ((x >>> 16) & 255)]! ^ t[768 + (x >>> 24)]!) >>> 0;
      x = (n2 + k[j2]!) >>> 0;
      n1 = (n1 ^ t[x & 255]! ^ t[256 + ((x >>> 8) & 255)]! ^ t[512 + ((x >>> 16) & 255)]! ^ t[768 + (x >>> 24)]!) >>> 0;
    }
    // No swap after round 32: the output is (n2, n1).
    writeWord(output, 0, n2, !littleData);
    writeWord(output, 4, n1, !littleData);
  }
}



/** NSCA method 23: libmcrypt "gost", 32-byte key, 8-byte block. */
export const gost: CipherSpec = {
  method: 23,
  name: 'gost',
  keySize: 32,
  blockSize: 8,
  create: (key) => new Gost(key),
};
