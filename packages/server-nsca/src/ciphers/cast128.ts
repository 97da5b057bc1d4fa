import type { BlockCipher, CipherSpec } from './block-cipher.js';
import { S5, S6, S7, S8, f1, f2, f3 } from './cast-common.js';

/**
 * CAST-128 (RFC 2144), 64-bit block, 128-bit key, 16 rounds: libmcrypt's "cast-128".
 *
 * libmcrypt's cast-128 is the RFC cipher byte for byte (big-endian words, the RFC's test
 * vector holds), so there is no quirk to match: NSCA always hands it the full 16-byte key.
 */
class Cast128 implements BlockCipher {
  readonly blockSize = 8;
  /** Masking subkeys Km1..Km16 (as signed words: see cast-common.ts). */
  private readonly km = new Int32Array(16);
  /** Rotation subkeys Kr1..Kr16 (5 bits each). */
  private readonly kr = new Uint8Array(16);

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`cast-128 needs a 16-byte key, got ${key.length}`);
    const k = scheduleKey(key);
    for (let i = 0; i < 16; i++) {
      this.km[i] = k[i]!;
      this.kr[i] = k[16 + i]! & 31;
    }
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { km, kr } = this;
    let l = (input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!;
    let r = (input[4]! << 24) | (input[5]! << 16) | (input[6]! << 8) | input[7]!;
    // Round i (1..16) uses function type f1, f2, f3, f1, ...; instead of swapping the halves,
    // the rounds alternate which variable they update: after round 16, r = R16 and l = L16.
    l ^= f1(r, km[0]!, kr[0]!);
    r ^= f2(l, km[1]!, kr[1]!);
    l ^= f3(r, km[2]!, kr[2]!);
    r ^= f1(l, km[3]!, kr[3]!);
    l ^= f2(r, km[4]!, kr[4]!);
    r ^= f3(l, km[5]!, kr[5]!);
    l ^= f1(r, km[6]!, kr[6]!);
    r ^= f2(l, km[7]!, kr[7]!);
    l ^= f3(r, km[8]!, kr[8]!);
    r ^= f1(l, km[9]!, kr[9]!);
    l ^= f2(r, km[10]!, kr[10]!);
    r ^= f3(l, km[11]!, kr[11]!);
    l ^= f1(r, km[12]!, kr[12]!);
    r ^= f2(l, km[13]!, kr[13]!);
    l ^= f3(r, km[14]!, kr[14]!);
    r ^= f1(l, km[15]!, kr[15]!);
    // c = R16 || L16.
    output[0] = r >>> 24;
    output[1] = r >>> 16;
    output[2] = r >>> 8;
    output[3] = r;
    output[4] = l >>> 24;
    output[5] = l >>> 16;
    output[6] = l >>> 8;
    output[7] = l;
  }
}

/**
 * RFC 2144 §2.4: the 32 subkey words K1..K32 (Km = K1..K16, Kr = K17..K32), computed in the
 * RFC's own notation: x0..xF are the key bytes, z0..zF the temporary bytes.
 */
function scheduleKey(key: Uint8Array): Uint32Array {
  const x = Uint8Array.from(key);
  const z = new Uint8Array(16);
  const out = new Uint32Array(32);
  let n = 0;
  const word = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  const put = (b: Uint8Array, i: number, w: number): void => {
    b[i] = w >>> 24;
    b[i + 1] = w >>> 16;
    b[i + 2] = w >>> 8;
    b[i + 3] = w;
  };
  const xz = (): void => {
    put(z, 0, word(x, 0) ^ S5[x[0xd]!]! ^ S6[x[0xf]!]! ^ S7[x[0xc]!]! ^ S8[x[0xe]!]! ^ S7[x[0x8]!]!);
    put(z, 4, word(x, 8) ^ S5[z[0x0]!]! ^ S6[z[0x2]!]! ^ S7[z[0x1]!]! ^ S8[z[0x3]!]! ^ S8[x[0xa]!]!);
    put(z, 8, word(x, 12) ^ S5[z[0x7]!]! ^ S6[z[0x6]!]! ^ S7[z[0x5]!]! ^ S8[z[0x4]!]! ^ S5[x[0x9]!]!);
    put(z, 12, word(x, 4) ^ S5[z[0xa]!]! ^ S6[z[0x9]!]! ^ S7[z[0xb]!]! ^ S8[z[0x8]!]! ^ S6[x[0xb]!]!);
  };
  const zx = (): void => {
    put(x, 0, word(z, 8) ^ S5[z[0x5]!]! ^ S6[z[0x7]!]! ^ S7[z[0x4]!]! ^ S8[z[0x6]!]! ^ S7[z[0x0]!]!);
    put(x, 4, word(z, 0) ^ S5[x[0x0]!]! ^ S6[x[0x2]!]! ^ S7[x[0x1]!]! ^ S8[x[0x3]!]! ^ S8[z[0x2]!]!);
    put(x, 8, word(z, 4) ^ S5[x[0x7]!]! ^ S6[x[0x6]!]! ^ S7[x[0x5]!]! ^ S8[x[0x4]!]! ^ S5[z[0x1]!]!);
    put(x, 12, word(z, 12) ^ S5[x[0xa]!]! ^ S6[x[0x9]!]! ^ S7[x[0xb]!]! ^ S8[x[0x8]!]! ^ S6[z[0x3]!]!);
  };
  /** Four subkeys: S5[a] ^ S6[b] ^ S7[c] ^ S8[d] ^ S5..S8[e], the last box cycling S5, S6, S7, S8. */
  const k4 = (b: Uint8Array, idx: readonly number[]): void => {
    const last = [S5, S6, S7, S8] as const;
    for (let j = 0; j < 4; j++) {
      const o = j * 5;
      out[n++] = S5[b[idx[o]!]!]! ^ S6[b[idx[o + 1]!]!]! ^ S7[b[idx[o + 2]!]!]! ^ S8[b[idx[o + 3]!]!]! ^ last[j]![b[idx[o + 4]!]!]!;
    }
  };
  for (let half = 0; half < 2; half++) {
    xz();
    k4(z, [0x8, 0x9, 0x7, 0x6, 0x2, 0xa, 0xb, 0x5, 0x4, 0x6, 0xc, 0xd, 0x3, 0x2, 0x9, 0xe, 0xf, 0x1, 0x0, 0xc]);
    zx();
    k4(x, [0x3, 0x2, 0xc, 0xd, 0x8, 0x1, 0x0, 0xe, 0xf, 0xd, 0x7, 0x6, 0x8, 0x9, 0x3, 0x5, 0x4, 0xa, 0xb, 0x7]);
    xz();
    k4(z, [0x3, 0x2, 0xc, 0xd, 0x9, 0x1, 0x0, 0xe, 0xf, 0xc, 0x7, 0x6, 0x8, 0x9, 0x2, 0x5, 0x4, 0xa, 0xb, 0x6]);
    zx();
    k4(x, [0x8, 0x9, 0x7, 0x6, 0x3, 0xa, 0xb, 0x5, 0x4, 0x7, 0xc, 0xd, 0x3, 0x2, 0x8, 0xe, 0xf, 0x1, 0x0, 0xd]);
  }
  return out;
}

/** NSCA method 4: libmcrypt "cast-128", 16-byte key, 8-byte block. */
export const cast128: CipherSpec = {
  method: 4,
  name: 'cast-128',
  keySize: 16,
  blockSize: 8,
  create: (key) => new Cast128(key),
};
