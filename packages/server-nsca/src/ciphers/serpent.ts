import type { BlockCipher, CipherSpec } from './block-cipher.js';

/**
 * Serpent's eight 4-bit S-boxes S0..S7 (Anderson, Biham, Knudsen: "Serpent: A Proposal for
 * the Advanced Encryption Standard", 1998).
 */
export const SERPENT_SBOXES: readonly (readonly number[])[] = [
  [3, 8, 15, 1, 10, 6, 5, 11, 14, 13, 4, 2, 7, 0, 9, 12],
  [15, 12, 2, 7, 9, 0, 5, 10, 1, 11, 14, 8, 6, 13, 3, 4],
  [8, 6, 7, 9, 3, 12, 10, 15, 13, 1, 14, 4, 0, 11, 5, 2],
  [0, 15, 11, 8, 12, 9, 6, 3, 13, 1, 2, 4, 10, 7, 5, 14],
  [1, 15, 8, 3, 12, 0, 11, 6, 2, 5, 4, 10, 9, 14, 7, 13],
  [15, 5, 2, 11, 4, 10, 9, 12, 0, 3, 14, 8, 13, 6, 7, 1],
  [7, 2, 12, 5, 8, 4, 6, 11, 14, 9, 1, 15, 13, 3, 10, 0],
  [1, 13, 15, 0, 14, 8, 2, 11, 7, 4, 12, 10, 9, 3, 5, 6],
];

/**
 * Applies S-box `box` in bitslice mode to the four words w[0..3]: for every bit position j,
 * the nibble (w0_j | w1_j << 1 | w2_j << 2 | w3_j << 3) goes through the S-box and its output
 * bits are written back the same way.
 *
 * Each output bit is written as its algebraic normal form over the input bits (the XOR of
 * AND-products, ~ for a constant 1 term), computed mechanically from {@link SERPENT_SBOXES}
 * (the test file checks every entry), so a whole S-box layer costs a few dozen word operations
 * instead of 32 table look-ups.
 */
export function serpentSbox(box: number, w: Uint32Array): void {
  const x0 = w[0]!;
  const x1 = w[1]!;
  const x2 = w[2]!;
  const x3 = w[3]!;
  switch (box) {
    case 0: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x012 = x01 & x2;
      const x023 = x02 & x3;
      const x123 = x12 & x3;
      w[0] = ~(x0 ^ x01 ^ x2 ^ x02 ^ x12 ^ x012 ^ x3 ^ x023 ^ x123);
      w[1] = ~(x0 ^ x02 ^ x12 ^ x012 ^ x13 ^ x023 ^ x123);
      w[2] = x1 ^ x01 ^ x02 ^ x012 ^ x3 ^ x13 ^ x123;
      w[3] = x0 ^ x1 ^ x2 ^ x3 ^ x03;
      return;
    }
    case 1: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x013 = x01 & x3;
      const x023 = x02 & x3;
      const x123 = x12 & x3;
      w[0] = ~(x0 ^ x1 ^ x12 ^ x03 ^ x23 ^ x023 ^ x123);
      w[1] = ~(x0 ^ x01 ^ x2 ^ x02 ^ x3 ^ x13 ^ x013 ^ x023 ^ x123);
      w[2] = ~(x1 ^ x01 ^ x2 ^ x3);
      w[3] = ~(x1 ^ x02 ^ x3 ^ x03 ^ x013 ^ x023 ^ x123);
      return;
    }
    case 2: {
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x012 = x0 & x1 & x2;
      const x013 = x0 & x1 & x3;
      const x023 = x02 & x3;
      w[0] = x1 ^ x2 ^ x02 ^ x3;
      w[1] = x0 ^ x1 ^ x2 ^ x12 ^ x012 ^ x03 ^ x013 ^ x23 ^ x023;
      w[2] = x0 ^ x1 ^ x12 ^ x3 ^ x13 ^ x013 ^ x23 ^ x023;
      w[3] = ~(x0 ^ x1 ^ x2 ^ x012 ^ x13);
      return;
    }
    case 3: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x012 = x01 & x2;
      const x013 = x01 & x3;
      const x023 = x02 & x3;
      const x123 = x12 & x3;
      w[0] = x0 ^ x1 ^ x12 ^ x3 ^ x03 ^ x23 ^ x023 ^ x123;
      w[1] = x0 ^ x1 ^ x02 ^ x03 ^ x013 ^ x23 ^ x023;
      w[2] = x0 ^ x01 ^ x2 ^ x012 ^ x3 ^ x13 ^ x013;
      w[3] = x0 ^ x1 ^ x01 ^ x2 ^ x02 ^ x012 ^ x3 ^ x23 ^ x023;
      return;
    }
    case 4: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x012 = x01 & x2;
      const x013 = x01 & x3;
      const x023 = x02 & x3;
      const x123 = x12 & x3;
      w[0] = ~(x1 ^ x01 ^ x2 ^ x3 ^ x03 ^ x13);
      w[1] = x0 ^ x02 ^ x12 ^ x3 ^ x13 ^ x23 ^ x023 ^ x123;
      w[2] = x0 ^ x01 ^ x2 ^ x12 ^ x012 ^ x13 ^ x013 ^ x23 ^ x123;
      w[3] = x0 ^ x1 ^ x2 ^ x12 ^ x03 ^ x13 ^ x013;
      return;
    }
    case 5: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x012 = x01 & x2;
      const x013 = x01 & x3;
      const x023 = x02 & x3;
      const x123 = x1 & x2 & x3;
      w[0] = ~(x1 ^ x01 ^ x2 ^ x3 ^ x03 ^ x13);
      w[1] = ~(x0 ^ x01 ^ x2 ^ x3 ^ x13 ^ x013 ^ x23);
      w[2] = ~(x1 ^ x02 ^ x3 ^ x013 ^ x23 ^ x023 ^ x123);
      w[3] = ~(x0 ^ x1 ^ x2 ^ x012 ^ x3 ^ x03 ^ x023);
      return;
    }
    case 6: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x012 = x01 & x2;
      const x013 = x01 & x3;
      const x123 = x12 & x3;
      w[0] = ~(x0 ^ x1 ^ x2 ^ x02 ^ x12 ^ x012 ^ x3 ^ x013 ^ x123);
      w[1] = ~(x1 ^ x2 ^ x03);
      w[2] = ~(x0 ^ x01 ^ x2 ^ x12 ^ x012 ^ x13 ^ x013 ^ x23 ^ x123);
      w[3] = x1 ^ x01 ^ x2 ^ x02 ^ x012 ^ x3 ^ x23 ^ x123;
      return;
    }
    case 7: {
      const x01 = x0 & x1;
      const x02 = x0 & x2;
      const x12 = x1 & x2;
      const x03 = x0 & x3;
      const x13 = x1 & x3;
      const x23 = x2 & x3;
      const x012 = x01 & x2;
      const x013 = x01 & x3;
      const x023 = x02 & x3;
      const x123 = x12 & x3;
      w[0] = ~(x01 ^ x2 ^ x03 ^ x13 ^ x23 ^ x023 ^ x123);
      w[1] = x1 ^ x01 ^ x2 ^ x02 ^ x12 ^ x3 ^ x03 ^ x013 ^ x023;
      w[2] = x0 ^ x1 ^ x2 ^ x012 ^ x3 ^ x03 ^ x13 ^ x013 ^ x123;
      w[3] = x0 ^ x1 ^ x2 ^ x02 ^ x012 ^ x03;
      return;
    }
    default:
      throw new RangeError(`no Serpent S-box ${box}`);
  }
}

const PHI = 0x9e3779b9;

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

/** Serpent's linear transformation on the four words of the state. */
function linear(w: Uint32Array): void {
  let x0 = rotl(w[0]!, 13);
  let x2 = rotl(w[2]!, 3);
  let x1 = w[1]! ^ x0 ^ x2;
  let x3 = w[3]! ^ x2 ^ (x0 << 3);
  x1 = rotl(x1 >>> 0, 1);
  x3 = rotl(x3 >>> 0, 7);
  x0 = x0 ^ x1 ^ x3;
  x2 = x2 ^ x3 ^ (x1 << 7);
  w[0] = rotl(x0 >>> 0, 5);
  w[1] = x1;
  w[2] = rotl(x2 >>> 0, 22);
  w[3] = x3;
}

/**
 * Serpent (bitslice form), 128-bit block, keys up to 256 bits, 32 rounds: libmcrypt's
 * "serpent".
 *
 * Block and key are read as little-endian 32-bit words (word 0 = bytes 0..3, byte 0 least
 * significant), the byte order of the published (NESSIE-format) test vectors. libmcrypt's
 * serpent uses the same order, so it needs no quirk beyond NSCA's full 32-byte key.
 */
class Serpent implements BlockCipher {
  readonly blockSize = 16;
  /** The 33 round keys K0..K32, four words each. */
  private readonly k = new Uint32Array(33 * 4);
  private readonly s = new Uint32Array(4);

  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 32) throw new RangeError(`serpent needs a 1..32-byte key, got ${key.length}`);
    // A key shorter than 256 bits gets a 1 bit appended above its most significant bit.
    const kb = new Uint8Array(32);
    kb.set(key);
    if (key.length < 32) kb[key.length] = 1;
    // Prekeys w(-8..131), stored at w[0..139]: w(i) = (w(i-8) ^ w(i-5) ^ w(i-3) ^ w(i-1) ^ phi ^ i) <<< 11.
    const w = new Uint32Array(140);
    for (let i = 0; i < 8; i++) w[i] = load(kb, 4 * i);
    for (let i = 8; i < 140; i++) w[i] = rotl((w[i - 8]! ^ w[i - 5]! ^ w[i - 3]! ^ w[i - 1]! ^ PHI ^ (i - 8)) >>> 0, 11);
    // Round key i = S((3 - i) mod 8) applied to prekeys 4i..4i+3.
    const t = new Uint32Array(4);
    for (let i = 0; i < 33; i++) {
      t.set(w.subarray(8 + 4 * i, 12 + 4 * i));
      serpentSbox((3 - i + 32) & 7, t);
      this.k.set(t, 4 * i);
    }
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { k, s } = this;
    s[0] = load(input, 0);
    s[1] = load(input, 4);
    s[2] = load(input, 8);
    s[3] = load(input, 12);
    for (let r = 0; r < 32; r++) {
      const o = 4 * r;
      s[0] = s[0]! ^ k[o]!;
      s[1] = s[1]! ^ k[o + 1]!;
      s[2] = s[2]! ^ k[o + 2]!;
      s[3] = s[3]! ^ k[o + 3]!;
      serpentSbox(r & 7, s);
      if (r < 31) linear(s);
    }
    for (let i = 0; i < 4; i++) {
      const v = s[i]! ^ k[128 + i]!;
      output[4 * i] = v;
      output[4 * i + 1] = v >>> 8;
      output[4 * i + 2] = v >>> 16;
      output[4 * i + 3] = v >>> 24;
    }
  }
}

function load(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** NSCA method 20: libmcrypt "serpent", 32-byte key, 16-byte block. */
export const serpent: CipherSpec = {
  method: 20,
  name: 'serpent',
  keySize: 32,
  blockSize: 16,
  create: (key) => new Serpent(key),
};
