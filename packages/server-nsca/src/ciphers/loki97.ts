import { readWord, writeWord } from './words.js';
import type { BlockCipher, CipherSpec } from './block-cipher.js';

/*
 * LOKI97 (Brown, Pieprzyk, Seberry: "Introducing the new LOKI97 Block Cipher", AES submission,
 * 1998): 128-bit block as two 64-bit halves L and R, 16 rounds, 48 64-bit subkeys made from a
 * 256-bit key by an unbalanced Feistel network that reuses the round function f.
 *
 * 64-bit quantities are kept as (hi, lo) pairs of 32-bit words, held as signed integers
 * (`| 0`) on the hot path: V8 keeps those unboxed, where unsigned words of 2^31 or more crossing
 * a function boundary would be heap-allocated numbers.
 */

/** S1(x) = ((x ^ 0x1FFF)^3 mod 0x2911) & 0xFF in GF(2^13); S2 likewise in GF(2^11) mod 0xAA7. */
function makeSbox(bits: number, generator: number): Uint8Array {
  const size = 1 << bits;
  const mul = (a: number, b: number): number => {
    let p = 0;
    while (b !== 0) {
      if (b & 1) p ^= a;
      a <<= 1;
      if (a >= size) a ^= generator;
      b >>>= 1;
    }
    return p;
  };
  const s = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const b = i ^ (size - 1);
    s[i] = mul(mul(b, b), b) & 0xff;
  }
  return s;
}

const S1 = makeSbox(13, 0x2911);
const S2 = makeSbox(11, 0xaa7);

/**
 * The permutation P moves bit b of the byte from S-box j (j = 0 for the most significant of
 * the eight) to bit 8·b + j of the 64-bit result, i.e. P maps input bits [63..0] to
 * [56, 48, 40, 32, 24, 16, 8, 0, 57, 49, ..., 63, 55, 47, 39, 31, 23, 15, 7]. PH/PL hold the
 * spread of each byte value as for j = 7; other j shift it right by 7 - j.
 */
const PH = new Uint32Array(256);
const PL = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 4; b++) lo |= ((i >>> b) & 1) << (8 * b + 7);
  for (let b = 4; b < 8; b++) hi |= ((i >>> b) & 1) << (8 * (b - 4) + 7);
  PH[i] = hi >>> 0;
  PL[i] = lo >>> 0;
}

/** f's result (hi, lo): f writes it here to return two words without allocating. */
const F = new Int32Array(2);

/** Carry out of the 32-bit addition lo = a + b (all as 32-bit words). */
const carry = (lo: number, a: number): number => ((lo >>> 0) < (a >>> 0) ? 1 : 0);

/**
 * The round function f(A, B) = Sb(P(Sa(E(KP(A, B)))), B).
 *  - KP swaps the bits of A's two halves where B's low word has a 1.
 *  - E expands the 64 bits to 96: [4-0,63-56 | 58-48 | 52-40 | 42-32 | 34-24 | 28-16 | 18-8 | 12-0]
 *    and Sa = [S1, S2, S1, S2, S2, S1, S2, S1] turns those 13/11-bit groups into bytes.
 *  - Sb = [S2, S2, S1, S1, S2, S2, S1, S1] takes each byte of P's output with 3 or 5 more
 *    input bits from B's high word (3, 3, 5, 5, 3, 3, 5, 5 bits, most significant first).
 * The result goes to F.
 */
function f(ah: number, al: number, bh: number, bl: number): void {
  const dh = (ah & ~bl) | (al & bl);
  const dl = (al & ~bl) | (ah & bl);
  let s = S1[((dh >>> 24) | (dl << 8)) & 0x1fff]!;
  let eh = PH[s]! >>> 7;
  let el = PL[s]! >>> 7;
  s = S2[(dh >>> 16) & 0x7ff]!;
  eh |= PH[s]! >>> 6;
  el |= PL[s]! >>> 6;
  s = S1[(dh >>> 8) & 0x1fff]!;
  eh |= PH[s]! >>> 5;
  el |= PL[s]! >>> 5;
  s = S2[dh & 0x7ff]!;
  eh |= PH[s]! >>> 4;
  el |= PL[s]! >>> 4;
  s = S2[((dl >>> 24) | (dh << 8)) & 0x7ff]!;
  eh |= PH[s]! >>> 3;
  el |= PL[s]! >>> 3;
  s = S1[(dl >>> 16) & 0x1fff]!;
  eh |= PH[s]! >>> 2;
  el |= PL[s]! >>> 2;
  s = S2[(dl >>> 8) & 0x7ff]!;
  eh |= PH[s]! >>> 1;
  el |= PL[s]! >>> 1;
  s = S1[dl & 0x1fff]!;
  eh |= PH[s]!;
  el |= PL[s]!;
  F[0] =
    (S2[((eh >>> 24) & 0xff) | ((bh >>> 21) & 0x700)]! << 24) |
    (S2[((eh >>> 16) & 0xff) | ((bh >>> 18) & 0x700)]! << 16) |
    (S1[((eh >>> 8) & 0xff) | ((bh >>> 13) & 0x1f00)]! << 8) |
    S1[(eh & 0xff) | ((bh >>> 8) & 0x1f00)]!;
  F[1] =
    (S2[((el >>> 24) & 0xff) | ((bh >>> 5) & 0x700)]! << 24) |
    (S2[((el >>> 16) & 0xff) | ((bh >>> 2) & 0x700)]! << 16) |
    (S1[((el >>> 8) & 0xff) | ((bh << 3) & 0x1f00)]! << 8) |
    S1[(el & 0xff) | ((bh << 8) & 0x1f00)]!;
}

/** Byte order of the 32-bit words of key, input and output. */
export type Loki97ByteOrder = 'mcrypt' | 'spec';

/**
 * LOKI97: libmcrypt's "loki97".
 *
 * The specification reads key and block as big-endian 64-bit words ('spec'; its published
 * test triple holds for that). libmcrypt quirk ('mcrypt', the default): it reads every 32-bit
 * word of the key and of the block little-endian and writes the output words the same way,
 * so each 4-byte group of key, input and output is byte-reversed relative to the spec.
 */
export class Loki97 implements BlockCipher {
  readonly blockSize = 16;
  /** 48 subkeys as (hi, lo) pairs. */
  private readonly sk = new Int32Array(96);
  private readonly little: boolean;

  constructor(key: Uint8Array, byteOrder: Loki97ByteOrder = 'mcrypt') {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new RangeError(`loki97 needs a 16, 24 or 32-byte key, got ${key.length}`);
    }
    this.little = byteOrder === 'mcrypt';
    const w = (i: number): number => readWord(key, 4 * i, !this.little);
    // The key registers K4, K3, K2, K1 as (hi, lo) pairs: K4 = key bits 255..192 and so on;
    // a 128-bit key makes K2 = f(K3, K4) and K1 = f(K4, K3), a 192-bit one K1 = f(K4, K3).
    let k4h = w(0);
    let k4l = w(1);
    let k3h = w(2);
    let k3l = w(3);
    let k2h = 0;
    let k2l = 0;
    if (key.length === 16) {
      f(k3h, k3l, k4h, k4l);
      k2h = F[0]!;
      k2l = F[1]!;
    } else {
      k2h = w(4);
      k2l = w(5);
    }
    let k1h = 0;
    let k1l = 0;
    if (key.length === 32) {
      k1h = w(6);
      k1l = w(7);
    } else {
      f(k4h, k4l, k3h, k3l);
      k1h = F[0]!;
      k1l = F[1]!;
    }
    // SK(i) = K4 ^ f(K1 + K3 + (i + 1)·delta, K2), then shift: K4 <- K3 <- K2 <- K1 <- SK(i).
    // delta = floor((sqrt(5) - 1) · 2^63).
    const deltaH = 0x9e3779b9 | 0;
    const deltaL = 0x7f4a7c15;
    let dh = deltaH;
    let dl = deltaL;
    for (let i = 0; i < 48; i++) {
      let tl = (k1l + k3l) | 0;
      let th = (k1h + k3h + carry(tl, k1l)) | 0;
      const sl = (tl + dl) | 0;
      th = (th + dh + carry(sl, tl)) | 0;
      tl = sl;
      f(th, tl, k2h, k2l);
      const nh = k4h ^ F[0]!;
      const nl = k4l ^ F[1]!;
      this.sk[2 * i] = nh;
      this.sk[2 * i + 1] = nl;
      k4h = k3h;
      k4l = k3l;
      k3h = k2h;
      k3l = k2l;
      k2h = k1h;
      k2l = k1l;
      k1h = nh;
      k1l = nl;
      const ndl = (dl + deltaL) | 0;
      dh = (dh + deltaH + carry(ndl, dl)) | 0;
      dl = ndl;
    }
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { sk, little } = this;
    let lh = readWord(input, 0, !little);
    let ll = readWord(input, 4, !little);
    let rh = readWord(input, 8, !little);
    let rl = readWord(input, 12, !little);
    for (let k = 0; k < 96; k += 6) {
      // Round i: nR = R + SK(3i); R' = L ^ f(nR, SK(3i+1)); L' = nR + SK(3i+2).
      let nl = (rl + sk[k + 1]!) | 0;
      let nh = (rh + sk[k]! + carry(nl, rl)) | 0;
      f(nh, nl, sk[k + 2]!, sk[k + 3]!);
      rh = lh ^ F[0]!;
      rl = ll ^ F[1]!;
      const l2 = (nl + sk[k + 5]!) | 0;
      nh = (nh + sk[k + 4]! + carry(l2, nl)) | 0;
      nl = l2;
      lh = nh;
      ll = nl;
    }
    // Output R || L (the last round's swap undone).
    writeWord(output, 0, rh, !little);
    writeWord(output, 4, rl, !little);
    writeWord(output, 8, lh, !little);
    writeWord(output, 12, ll, !little);
  }
}



/** NSCA method 10: libmcrypt "loki97", 32-byte key, 16-byte block. */
export const loki97: CipherSpec = {
  method: 10,
  name: 'loki97',
  keySize: 32,
  blockSize: 16,
  create: (key) => new Loki97(key),
};
