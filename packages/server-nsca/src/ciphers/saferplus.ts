import type { BlockCipher, CipherSpec } from './block-cipher.js';

/*
 * SAFER+ (Massey, Khachatrian, Kuregian: "Nomination of SAFER+ as Candidate Algorithm for the
 * AES", Cylink, 1998): byte-oriented, 128-bit block, 16/24/32-byte keys with 8/12/16 rounds.
 */

/** EXP[x] = 45^x mod 257 (256 stored as 0), LOG its inverse (LOG[0] = 128). */
const EXP = new Uint8Array(256);
const LOG = new Uint8Array(256);
for (let x = 0, v = 1; x < 256; x++) {
  EXP[x] = v & 0xff;
  LOG[v & 0xff] = x;
  v = (v * 45) % 257;
}

/** Byte order of key and block. */
export type SaferPlusByteOrder = 'mcrypt' | 'spec';

/**
 * SAFER+: libmcrypt's "saferplus".
 *
 * libmcrypt quirk ('mcrypt', the default): its saferplus takes the key and the block as
 * arrays of 32-bit words in the opposite word order to the specification's byte strings:
 * word i (bytes 4i..4i+3, their order kept) of the key, of the input and of the output is word
 * n-1-i of the spec's ('spec', for which the published test vectors hold). For a block that
 * maps byte i to byte i ^ 12, for the 32-byte key byte i to byte i ^ 28.
 */
export class SaferPlus implements BlockCipher {
  readonly blockSize = 16;
  private readonly rounds: number;
  /** Subkeys K1..K(2r+1), 16 bytes each. */
  private readonly k: Uint8Array;
  private readonly swap: boolean;

  constructor(key: Uint8Array, byteOrder: SaferPlusByteOrder = 'mcrypt') {
    const n = key.length;
    if (n !== 16 && n !== 24 && n !== 32) throw new RangeError(`saferplus needs a 16, 24 or 32-byte key, got ${n}`);
    this.swap = byteOrder === 'mcrypt';
    this.rounds = n === 16 ? 8 : n === 24 ? 12 : 16;
    const subkeys = 2 * this.rounds + 1;
    this.k = new Uint8Array(16 * subkeys);
    // The key register: the key bytes followed by their XOR (the parity byte).
    const reg = new Uint8Array(n + 1);
    for (let i = 0; i < n; i++) {
      reg[i] = key[this.swap ? reverseWords(i, n) : i]!;
      reg[n] = reg[n]! ^ reg[i]!;
    }
    this.k.set(reg.subarray(0, 16), 0);
    for (let i = 2; i <= subkeys; i++) {
      // Rotate every register byte left by 3 bits, then take 16 bytes starting at byte i - 1
      // (cyclically) and add the bias word B(i).
      for (let j = 0; j <= n; j++) reg[j] = ((reg[j]! << 3) | (reg[j]! >>> 5)) & 0xff;
      for (let j = 0; j < 16; j++) {
        // Bias B(i) (spec numbering j = 1..16, here j + 1): 45^(45^(17i + j) mod 257) mod 257
        // for i <= 17, just 45^(17i + j) mod 257 for the longer keys' i = 18..33.
        const e = (17 * i + j + 1) & 0xff;
        const bias = i <= 17 ? EXP[EXP[e]!]! : EXP[e]!;
        this.k[16 * (i - 1) + j] = (reg[(i - 1 + j) % (n + 1)]! + bias) & 0xff;
      }
    }
  }

  /**
   * The rounds are written out over sixteen local variables, one per byte: each round is the
   * keyed substitution layer (bytes 0, 3, 4, 7, 8, 11, 12, 15: XOR, EXP, add; the others: add,
   * LOG, XOR), then the linear layer of four 2-PHT layers, (x, y) -> (2x + y, x + y), with the
   * "Armenian shuffle" between them, new[i] = old[[8, 11, 12, 15, 2, 1, 6, 5, 10, 9, 14, 13, 0,
   * 7, 4, 3][i]]. The shuffles are done by renaming which variable holds which byte (they were
   * expanded mechanically from that permutation); the sums are reduced mod 256 once, at the end
   * of the round.
   */
  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const k = this.k;
    // libmcrypt's word order: block byte i is spec byte i ^ 12.
    const x = this.swap ? 12 : 0;
    let b0 = input[0 ^ x]!;
    let b1 = input[1 ^ x]!;
    let b2 = input[2 ^ x]!;
    let b3 = input[3 ^ x]!;
    let b4 = input[4 ^ x]!;
    let b5 = input[5 ^ x]!;
    let b6 = input[6 ^ x]!;
    let b7 = input[7 ^ x]!;
    let b8 = input[8 ^ x]!;
    let b9 = input[9 ^ x]!;
    let b10 = input[10 ^ x]!;
    let b11 = input[11 ^ x]!;
    let b12 = input[12 ^ x]!;
    let b13 = input[13 ^ x]!;
    let b14 = input[14 ^ x]!;
    let b15 = input[15 ^ x]!;
    for (let r = 0; r < this.rounds; r++) {
      const o = 32 * r;
      b0 = (EXP[(b0 ^ k[o + 0]!) & 255]! + k[o + 16]!) & 255;
      b1 = LOG[(b1 + k[o + 1]!) & 255]! ^ k[o + 17]!;
      b2 = LOG[(b2 + k[o + 2]!) & 255]! ^ k[o + 18]!;
      b3 = (EXP[(b3 ^ k[o + 3]!) & 255]! + k[o + 19]!) & 255;
      b4 = (EXP[(b4 ^ k[o + 4]!) & 255]! + k[o + 20]!) & 255;
      b5 = LOG[(b5 + k[o + 5]!) & 255]! ^ k[o + 21]!;
      b6 = LOG[(b6 + k[o + 6]!) & 255]! ^ k[o + 22]!;
      b7 = (EXP[(b7 ^ k[o + 7]!) & 255]! + k[o + 23]!) & 255;
      b8 = (EXP[(b8 ^ k[o + 8]!) & 255]! + k[o + 24]!) & 255;
      b9 = LOG[(b9 + k[o + 9]!) & 255]! ^ k[o + 25]!;
      b10 = LOG[(b10 + k[o + 10]!) & 255]! ^ k[o + 26]!;
      b11 = (EXP[(b11 ^ k[o + 11]!) & 255]! + k[o + 27]!) & 255;
      b12 = (EXP[(b12 ^ k[o + 12]!) & 255]! + k[o + 28]!) & 255;
      b13 = LOG[(b13 + k[o + 13]!) & 255]! ^ k[o + 29]!;
      b14 = LOG[(b14 + k[o + 14]!) & 255]! ^ k[o + 30]!;
      b15 = (EXP[(b15 ^ k[o + 15]!) & 255]! + k[o + 31]!) & 255;
      // 2-PHT layer 1, then the shuffle (a renaming)
      b1 += b0;
      b0 += b1;
      b3 += b2;
      b2 += b3;
      b5 += b4;
      b4 += b5;
      b7 += b6;
      b6 += b7;
      b9 += b8;
      b8 += b9;
      b11 += b10;
      b10 += b11;
      b13 += b12;
      b12 += b13;
      b15 += b14;
      b14 += b15;
      // 2-PHT layer 2, then the shuffle (a renaming)
      b11 += b8;
      b8 += b11;
      b15 += b12;
      b12 += b15;
      b1 += b2;
      b2 += b1;
      b5 += b6;
      b6 += b5;
      b9 += b10;
      b10 += b9;
      b13 += b14;
      b14 += b13;
      b7 += b0;
      b0 += b7;
      b3 += b4;
      b4 += b3;
      // 2-PHT layer 3, then the shuffle (a renaming)
      b13 += b10;
      b10 += b13;
      b3 += b0;
      b0 += b3;
      b11 += b12;
      b12 += b11;
      b1 += b6;
      b6 += b1;
      b9 += b14;
      b14 += b9;
      b7 += b4;
      b4 += b7;
      b5 += b8;
      b8 += b5;
      b15 += b2;
      b2 += b15;
      // 2-PHT layer 4
      b7 += b14;
      b14 += b7;
      b15 += b8;
      b8 += b15;
      b13 += b0;
      b0 += b13;
      b11 += b6;
      b6 += b11;
      b9 += b4;
      b4 += b9;
      b5 += b2;
      b2 += b5;
      b1 += b10;
      b10 += b1;
      b3 += b12;
      b12 += b3;
      // Undo the renaming of the three shuffles, reducing mod 256.
      const n0 = b14 & 255;
      const n1 = b7 & 255;
      const n2 = b8 & 255;
      const n3 = b15 & 255;
      const n4 = b0 & 255;
      const n5 = b13 & 255;
      const n6 = b6 & 255;
      const n7 = b11 & 255;
      const n8 = b4 & 255;
      const n9 = b9 & 255;
      const n10 = b2 & 255;
      const n11 = b5 & 255;
      const n12 = b10 & 255;
      const n13 = b1 & 255;
      const n14 = b12 & 255;
      const n15 = b3 & 255;
      b0 = n0;
      b1 = n1;
      b2 = n2;
      b3 = n3;
      b4 = n4;
      b5 = n5;
      b6 = n6;
      b7 = n7;
      b8 = n8;
      b9 = n9;
      b10 = n10;
      b11 = n11;
      b12 = n12;
      b13 = n13;
      b14 = n14;
      b15 = n15;
    }
    // Output transformation with K(2r+1).
    const o = 32 * this.rounds;
    output[0 ^ x] = b0 ^ k[o + 0]!;
    output[1 ^ x] = (b1 + k[o + 1]!) & 255;
    output[2 ^ x] = (b2 + k[o + 2]!) & 255;
    output[3 ^ x] = b3 ^ k[o + 3]!;
    output[4 ^ x] = b4 ^ k[o + 4]!;
    output[5 ^ x] = (b5 + k[o + 5]!) & 255;
    output[6 ^ x] = (b6 + k[o + 6]!) & 255;
    output[7 ^ x] = b7 ^ k[o + 7]!;
    output[8 ^ x] = b8 ^ k[o + 8]!;
    output[9 ^ x] = (b9 + k[o + 9]!) & 255;
    output[10 ^ x] = (b10 + k[o + 10]!) & 255;
    output[11 ^ x] = b11 ^ k[o + 11]!;
    output[12 ^ x] = b12 ^ k[o + 12]!;
    output[13 ^ x] = (b13 + k[o + 13]!) & 255;
    output[14 ^ x] = (b14 + k[o + 14]!) & 255;
    output[15 ^ x] = b15 ^ k[o + 15]!;
  }
}

/** Index of spec byte i in an n-byte string whose 32-bit words are in reverse order. */
function reverseWords(i: number, n: number): number {
  return n - 4 - (i & ~3) + (i & 3);
}


/** NSCA method 26: libmcrypt "saferplus", 32-byte key, 16-byte block. */
export const saferplus: CipherSpec = {
  method: 26,
  name: 'saferplus',
  keySize: 32,
  blockSize: 16,
  create: (key) => new SaferPlus(key),
};
