import type { BlockCipher, CipherSpec } from './block-cipher.js';

/**
 * Twofish (Schneier, Kelsey, Whiting, Wagner, Hall, Ferguson, 1998): 128-bit block, 16 rounds,
 * keys of 16, 24 or 32 bytes (NSCA's method 9 always uses 32: libmcrypt's maximum), words
 * little-endian. Written from the published specification; the fixed permutations q0/q1 are
 * built from their 4-bit tables, and the key-dependent S-boxes are folded with the MDS matrix
 * into four 256-word tables at key setup, so `encryptBlock` is lookups and adds, allocation-free.
 */

// --- q0 and q1 from the specification's 4-bit permutations t0..t3 ----------------------------

const Q_TABLES: readonly (readonly number[])[][] = [
  [
    [0x8, 0x1, 0x7, 0xd, 0x6, 0xf, 0x3, 0x2, 0x0, 0xb, 0x5, 0x9, 0xe, 0xc, 0xa, 0x4],
    [0xe, 0xc, 0xb, 0x8, 0x1, 0x2, 0x3, 0x5, 0xf, 0x4, 0xa, 0x6, 0x7, 0x0, 0x9, 0xd],
    [0xb, 0xa, 0x5, 0xe, 0x6, 0xd, 0x9, 0x0, 0xc, 0x8, 0xf, 0x3, 0x2, 0x4, 0x7, 0x1],
    [0xd, 0x7, 0xf, 0x4, 0x1, 0x2, 0x6, 0xe, 0x9, 0xb, 0x3, 0x0, 0x8, 0x5, 0xc, 0xa],
  ],
  [
    [0x2, 0x8, 0xb, 0xd, 0xf, 0x7, 0x6, 0xe, 0x3, 0x1, 0x9, 0x4, 0x0, 0xa, 0xc, 0x5],
    [0x1, 0xe, 0x2, 0xb, 0x4, 0xc, 0x3, 0x7, 0x6, 0xd, 0xa, 0x5, 0xf, 0x9, 0x0, 0x8],
    [0x4, 0xc, 0x7, 0x5, 0x1, 0x6, 0x9, 0xa, 0x0, 0xe, 0xd, 0x8, 0x2, 0xb, 0x3, 0xf],
    [0xb, 0x9, 0x5, 0x1, 0xc, 0x3, 0xd, 0xe, 0x6, 0x4, 0x7, 0xf, 0x2, 0x0, 0x8, 0xa],
  ],
];

function buildQ(t: readonly (readonly number[])[]): Uint8Array {
  const q = new Uint8Array(256);
  const ror4 = (x: number) => ((x >>> 1) | (x << 3)) & 0xf;
  for (let x = 0; x < 256; x++) {
    const a0 = x >>> 4;
    const b0 = x & 0xf;
    const a1 = a0 ^ b0;
    const b1 = (a0 ^ ror4(b0) ^ (8 * a0)) & 0xf;
    const a2 = t[0]![a1]!;
    const b2 = t[1]![b1]!;
    const a3 = a2 ^ b2;
    const b3 = (a2 ^ ror4(b2) ^ (8 * a2)) & 0xf;
    const a4 = t[2]![a3]!;
    const b4 = t[3]![b3]!;
    q[x] = (b4 << 4) | a4;
  }
  return q;
}

const Q0 = buildQ(Q_TABLES[0]!);
const Q1 = buildQ(Q_TABLES[1]!);

// --- GF(2^8) arithmetic for the MDS (x^8+x^6+x^5+x^3+1) and RS (x^8+x^6+x^3+x^2+1) codes ------

function gfMul(a: number, b: number, poly: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= poly;
    b >>>= 1;
  }
  return r;
}

const MDS_POLY = 0x169;
const RS_POLY = 0x14d;

const MDS: readonly (readonly number[])[] = [
  [0x01, 0xef, 0x5b, 0x5b],
  [0x5b, 0xef, 0xef, 0x01],
  [0xef, 0x5b, 0x01, 0xef],
  [0xef, 0x01, 0xef, 0x5b],
];

const RS: readonly (readonly number[])[] = [
  [0x01, 0xa4, 0x55, 0x87, 0x5a, 0x58, 0xdb, 0x9e],
  [0xa4, 0x56, 0x82, 0xf3, 0x1e, 0xc6, 0x68, 0xe5],
  [0x02, 0xa1, 0xfc, 0xc1, 0x47, 0xae, 0x3d, 0x19],
  [0xa4, 0x55, 0x87, 0x5a, 0x58, 0xdb, 0x9e, 0x03],
];

/** MDS_COL[i][y] = column i of the MDS matrix times byte y, as a little-endian word. */
const MDS_COL: Uint32Array[] = [0, 1, 2, 3].map((i) => {
  const col = new Uint32Array(256);
  for (let y = 0; y < 256; y++) {
    col[y] =
      (gfMul(MDS[0]![i]!, y, MDS_POLY) |
        (gfMul(MDS[1]![i]!, y, MDS_POLY) << 8) |
        (gfMul(MDS[2]![i]!, y, MDS_POLY) << 16) |
        (gfMul(MDS[3]![i]!, y, MDS_POLY) << 24)) >>>
      0;
  }
  return col;
});

/** The q permutation each of the (up to) four key stages applies to byte j of the word. */
const STAGE_Q: readonly (readonly Uint8Array[])[] = [
  // Applied first for 256-bit keys (list entry L3), then L2 (192/256), then the L1/L0 pair.
  [Q1, Q0, Q0, Q1], // before XOR with L3
  [Q1, Q1, Q0, Q0], // before XOR with L2
  [Q0, Q1, Q0, Q1], // before XOR with L1
  [Q0, Q0, Q1, Q1], // before XOR with L0
];
/** The final q after XOR with L0. */
const FINAL_Q: readonly Uint8Array[] = [Q1, Q0, Q1, Q0];

/** The byte the h function yields in position j for input byte x and key list `l` (k words). */
function hByte(x: number, j: number, l: Uint32Array, k: number): number {
  let y = x;
  const shift = 8 * j;
  if (k === 4) y = STAGE_Q[0]![j]![y]! ^ ((l[3]! >>> shift) & 0xff);
  if (k >= 3) y = STAGE_Q[1]![j]![y]! ^ ((l[2]! >>> shift) & 0xff);
  y = STAGE_Q[2]![j]![y]! ^ ((l[1]! >>> shift) & 0xff);
  y = STAGE_Q[3]![j]![y]! ^ ((l[0]! >>> shift) & 0xff);
  return FINAL_Q[j]![y]!;
}

/** The h function: word `x` through the q/key stages, then the MDS matrix. */
function h(x: number, l: Uint32Array, k: number): number {
  return (
    (MDS_COL[0]![hByte(x & 0xff, 0, l, k)]! ^
      MDS_COL[1]![hByte((x >>> 8) & 0xff, 1, l, k)]! ^
      MDS_COL[2]![hByte((x >>> 16) & 0xff, 2, l, k)]! ^
      MDS_COL[3]![hByte(x >>> 24, 3, l, k)]!) >>>
    0
  );
}

const rol = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

export class Twofish implements BlockCipher {
  readonly blockSize = 16;
  /** 40 subkeys: 8 whitening words then 2 per round. */
  private readonly k: Uint32Array;
  /** Key-dependent S-boxes folded with the MDS columns: g(X) = S0[x0] ^ S1[x1] ^ S2[x2] ^ S3[x3]. */
  private readonly s0 = new Uint32Array(256);
  private readonly s1 = new Uint32Array(256);
  private readonly s2 = new Uint32Array(256);
  private readonly s3 = new Uint32Array(256);

  /** @param key 16, 24 or 32 bytes. */
  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new RangeError(`Twofish key must be 16, 24 or 32 bytes, not ${key.length}`);
    }
    const k = key.length / 8;
    const me = new Uint32Array(k);
    const mo = new Uint32Array(k);
    const sKey = new Uint32Array(k);
    for (let i = 0; i < k; i++) {
      me[i] = readLE(key, 8 * i);
      mo[i] = readLE(key, 8 * i + 4);
      // S vector: RS times the key's 8-byte group i, stored in reverse order.
      let w = 0;
      for (let row = 0; row < 4; row++) {
        let v = 0;
        for (let c = 0; c < 8; c++) v ^= gfMul(RS[row]![c]!, key[8 * i + c]!, RS_POLY);
        w |= v << (8 * row);
      }
      sKey[k - 1 - i] = w >>> 0;
    }
    this.k = new Uint32Array(40);
    const rho = 0x01010101;
    for (let i = 0; i < 20; i++) {
      const a = h(Math.imul(2 * i, rho) >>> 0, me, k);
      const b = rol(h(Math.imul(2 * i + 1, rho) >>> 0, mo, k), 8);
      this.k[2 * i] = (a + b) >>> 0;
      this.k[2 * i + 1] = rol((a + 2 * b) >>> 0, 9);
    }
    const tables = [this.s0, this.s1, this.s2, this.s3];
    for (let j = 0; j < 4; j++) {
      const table = tables[j]!;
      const col = MDS_COL[j]!;
      for (let x = 0; x < 256; x++) table[x] = col[hByte(x, j, sKey, k)]!;
    }
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { k: key, s0, s1, s2, s3 } = this;
    let r0 = readLE(input, 0) ^ key[0]!;
    let r1 = readLE(input, 4) ^ key[1]!;
    let r2 = readLE(input, 8) ^ key[2]!;
    let r3 = readLE(input, 12) ^ key[3]!;
    // Two rounds per iteration so the halves never swap.
    for (let round = 0; round < 16; round += 2) {
      let t0 = s0[r0 & 0xff]! ^ s1[(r0 >>> 8) & 0xff]! ^ s2[(r0 >>> 16) & 0xff]! ^ s3[r0 >>> 24]!;
      let t1 = s0[r1 >>> 24]! ^ s1[r1 & 0xff]! ^ s2[(r1 >>> 8) & 0xff]! ^ s3[(r1 >>> 16) & 0xff]!;
      r2 ^= (t0 + t1 + key[2 * round + 8]!) | 0;
      r2 = (r2 >>> 1) | (r2 << 31);
      r3 = ((r3 << 1) | (r3 >>> 31)) ^ ((t0 + 2 * t1 + key[2 * round + 9]!) | 0);

      t0 = s0[r2 & 0xff]! ^ s1[(r2 >>> 8) & 0xff]! ^ s2[(r2 >>> 16) & 0xff]! ^ s3[r2 >>> 24]!;
      t1 = s0[r3 >>> 24]! ^ s1[r3 & 0xff]! ^ s2[(r3 >>> 8) & 0xff]! ^ s3[(r3 >>> 16) & 0xff]!;
      r0 ^= (t0 + t1 + key[2 * round + 10]!) | 0;
      r0 = (r0 >>> 1) | (r0 << 31);
      r1 = ((r1 << 1) | (r1 >>> 31)) ^ ((t0 + 2 * t1 + key[2 * round + 11]!) | 0);
    }
    writeLE(output, 0, r2 ^ key[4]!);
    writeLE(output, 4, r3 ^ key[5]!);
    writeLE(output, 8, r0 ^ key[6]!);
    writeLE(output, 12, r1 ^ key[7]!);
  }
}

function readLE(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function writeLE(b: Uint8Array, i: number, w: number): void {
  b[i] = w & 0xff;
  b[i + 1] = (w >>> 8) & 0xff;
  b[i + 2] = (w >>> 16) & 0xff;
  b[i + 3] = (w >>> 24) & 0xff;
}

/** NSCA method 9, libmcrypt `twofish`: 32-byte key, 16-byte block. */
export const twofish: CipherSpec = {
  method: 9,
  name: 'twofish',
  keySize: 32,
  blockSize: 16,
  create: (key) => new Twofish(key),
};
