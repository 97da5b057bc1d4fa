import { readWord, writeWord } from './words.js';
import type { BlockCipher, CipherSpec } from './block-cipher.js';
import { f1, f2, f3 } from './cast-common.js';

/**
 * CAST-256 (RFC 2612), 128-bit block, 256-bit key, 12 quad-rounds: libmcrypt's "cast-256".
 *
 * libmcrypt quirk: its cast-256 loads the key and the block as 32-bit words in the machine's
 * (little-endian) byte order where RFC 2612 reads them big-endian, and stores the result the
 * same way. So each 4-byte group of the key, of the input and of the output is byte-reversed
 * relative to the RFC; `bigEndian: true` gives the RFC cipher (used for its test vectors).
 */
export class Cast256 implements BlockCipher {
  readonly blockSize = 16;
  /** Km(i) for i = 0..11, four words each (as signed words: see cast-common.ts). */
  private readonly km = new Int32Array(48);
  /** Kr(i) for i = 0..11, four 5-bit rotations each. */
  private readonly kr = new Uint8Array(48);

  constructor(
    key: Uint8Array,
    private readonly bigEndian = false,
  ) {
    if (key.length !== 16 && key.length !== 20 && key.length !== 24 && key.length !== 28 && key.length !== 32) {
      throw new RangeError(`cast-256 needs a 16..32-byte key (multiple of 4), got ${key.length}`);
    }
    // RFC 2612 §2.4: shorter keys are padded with zero bits to 256 bits.
    const k = new Uint32Array(8);
    for (let i = 0; i < key.length / 4; i++) k[i] = readWord(key, 4 * i, bigEndian);
    scheduleKey(k, this.km, this.kr);
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { km, kr } = this;
    const be = this.bigEndian;
    let a = readWord(input, 0, be);
    let b = readWord(input, 4, be);
    let c = readWord(input, 8, be);
    let d = readWord(input, 12, be);
    // Six forward quad-rounds Q(i), then six reverse quad-rounds QBAR(i).
    for (let i = 0; i < 6; i++) {
      const o = 4 * i;
      c ^= f1(d, km[o]!, kr[o]!);
      b ^= f2(c, km[o + 1]!, kr[o + 1]!);
      a ^= f3(b, km[o + 2]!, kr[o + 2]!);
      d ^= f1(a, km[o + 3]!, kr[o + 3]!);
    }
    for (let i = 6; i < 12; i++) {
      const o = 4 * i;
      d ^= f1(a, km[o + 3]!, kr[o + 3]!);
      a ^= f3(b, km[o + 2]!, kr[o + 2]!);
      b ^= f2(c, km[o + 1]!, kr[o + 1]!);
      c ^= f1(d, km[o]!, kr[o]!);
    }
    writeWord(output, 0, a, be);
    writeWord(output, 4, b, be);
    writeWord(output, 8, c, be);
    writeWord(output, 12, d, be);
  }
}



/** RFC 2612 §2.4: 24 forward octaves W(i) over the key words ABCDEFGH, driven by Tm/Tr. */
function scheduleKey(k: Uint32Array, km: Int32Array, kr: Uint8Array): void {
  // Tm(i,j), Tr(i,j): Cm = 2^30·√2, Mm = 2^30·√3, Cr = 19, Mr = 17.
  const tm = new Uint32Array(24 * 8);
  const tr = new Uint8Array(24 * 8);
  let cm = 0x5a827999;
  let cr = 19;
  for (let i = 0; i < 24 * 8; i++) {
    tm[i] = cm;
    cm = (cm + 0x6ed9eba1) >>> 0;
    tr[i] = cr;
    cr = (cr + 17) & 31;
  }
  const w = (i: number): void => {
    const o = 8 * i;
    k[6] = k[6]! ^ f1(k[7]!, tm[o]!, tr[o]!); // G ^= f1(H)
    k[5] = k[5]! ^ f2(k[6]!, tm[o + 1]!, tr[o + 1]!); // F ^= f2(G)
    k[4] = k[4]! ^ f3(k[5]!, tm[o + 2]!, tr[o + 2]!); // E ^= f3(F)
    k[3] = k[3]! ^ f1(k[4]!, tm[o + 3]!, tr[o + 3]!); // D ^= f1(E)
    k[2] = k[2]! ^ f2(k[3]!, tm[o + 4]!, tr[o + 4]!); // C ^= f2(D)
    k[1] = k[1]! ^ f3(k[2]!, tm[o + 5]!, tr[o + 5]!); // B ^= f3(C)
    k[0] = k[0]! ^ f1(k[1]!, tm[o + 6]!, tr[o + 6]!); // A ^= f1(B)
    k[7] = k[7]! ^ f2(k[0]!, tm[o + 7]!, tr[o + 7]!); // H ^= f2(A)
  };
  for (let i = 0; i < 12; i++) {
    w(2 * i);
    w(2 * i + 1);
    // Kr(i) = (A, C, E, G) mod 32, Km(i) = (H, F, D, B).
    kr[4 * i] = k[0]! & 31;
    kr[4 * i + 1] = k[2]! & 31;
    kr[4 * i + 2] = k[4]! & 31;
    kr[4 * i + 3] = k[6]! & 31;
    km[4 * i] = k[7]!;
    km[4 * i + 1] = k[5]!;
    km[4 * i + 2] = k[3]!;
    km[4 * i + 3] = k[1]!;
  }
}

/** NSCA method 5: libmcrypt "cast-256", 32-byte key, 16-byte block. */
export const cast256: CipherSpec = {
  method: 5,
  name: 'cast-256',
  keySize: 32,
  blockSize: 16,
  create: (key) => new Cast256(key),
};
