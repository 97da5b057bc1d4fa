import type { BlockCipher, CipherSpec } from './block-cipher.js';
import type { NativeCfb8Spec } from './native-cfb8.js';

/**
 * Rijndael as published by Daemen and Rijmen (the AES proposal), with its three block sizes:
 * 128 bits (= AES), 192 and 256 bits. libmcrypt's `rijndael-128`, `rijndael-192` and
 * `rijndael-256` are this cipher with a 32-byte key (NSCA always pads the key to libmcrypt's
 * maximum key size), so NSCA's methods 14, 15 and 16 all use 14 rounds.
 *
 * Table-driven ("T-table") implementation on 32-bit column words; the tables are computed
 * once from the field arithmetic, not typed in. `encryptBlock` allocates nothing.
 */

// --- GF(2^8) tables (polynomial x^8 + x^4 + x^3 + x + 1) ------------------------------------

const SBOX = new Uint8Array(256);
/** Te0[x] = (2·S[x], S[x], S[x], 3·S[x]) as a big-endian word; Te1..Te3 are its byte rotations. */
const TE0 = new Uint32Array(256);
const TE1 = new Uint32Array(256);
const TE2 = new Uint32Array(256);
const TE3 = new Uint32Array(256);

{
  // exp/log tables with generator 3.
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  let x = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= (x << 1) ^ (x & 0x80 ? 0x11b : 0); // x *= 3
    x &= 0xff;
  }
  const rotl8 = (b: number, n: number) => ((b << n) | (b >>> (8 - n))) & 0xff;
  for (let i = 0; i < 256; i++) {
    const inv = i === 0 ? 0 : exp[(255 - log[i]!) % 255]!;
    SBOX[i] = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
  }
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!;
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x11b : 0)) & 0xff;
    const s3 = s2 ^ s;
    const w = ((s2 << 24) | (s << 16) | (s << 8) | s3) >>> 0;
    TE0[i] = w;
    TE1[i] = ((w >>> 8) | (w << 24)) >>> 0;
    TE2[i] = ((w >>> 16) | (w << 16)) >>> 0;
    TE3[i] = ((w >>> 24) | (w << 8)) >>> 0;
  }
}

/** ShiftRows offsets of rows 1, 2, 3 per block size in words (Nb). */
const SHIFTS: Readonly<Record<number, readonly [number, number, number]>> = {
  4: [1, 2, 3],
  6: [1, 2, 3],
  8: [1, 3, 4],
};

/** One Rijndael key schedule for one block size: encryption only (CFB never decrypts blocks). */
export class Rijndael implements BlockCipher {
  readonly blockSize: number;
  private readonly nb: number;
  private readonly rounds: number;
  private readonly roundKeys: Uint32Array;
  /** Source column of each row, per output column: [c + C1, c + C2, c + C3] mod Nb. */
  private readonly src1: Uint8Array;
  private readonly src2: Uint8Array;
  private readonly src3: Uint8Array;
  private readonly s: Uint32Array;
  private readonly t: Uint32Array;

  /**
   * @param key 16, 24 or 32 bytes.
   * @param blockSize 16, 24 or 32 bytes.
   */
  constructor(key: Uint8Array, blockSize: number) {
    const shifts = SHIFTS[blockSize / 4];
    if (!shifts || blockSize % 4 !== 0) throw new RangeError(`Rijndael block size must be 16, 24 or 32 bytes, not ${blockSize}`);
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new RangeError(`Rijndael key must be 16, 24 or 32 bytes, not ${key.length}`);
    }
    const nb = blockSize / 4;
    const nk = key.length / 4;
    this.blockSize = blockSize;
    this.nb = nb;
    this.rounds = Math.max(nb, nk) + 6;
    this.roundKeys = expandKey(key, nb, nk, this.rounds);
    this.src1 = new Uint8Array(nb);
    this.src2 = new Uint8Array(nb);
    this.src3 = new Uint8Array(nb);
    for (let c = 0; c < nb; c++) {
      this.src1[c] = (c + shifts[0]) % nb;
      this.src2[c] = (c + shifts[1]) % nb;
      this.src3[c] = (c + shifts[2]) % nb;
    }
    this.s = new Uint32Array(nb);
    this.t = new Uint32Array(nb);
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    const { nb, rounds, roundKeys: rk, src1, src2, src3 } = this;
    let s = this.s;
    let t = this.t;
    for (let c = 0, i = 0; c < nb; c++, i += 4) {
      s[c] = ((input[i]! << 24) | (input[i + 1]! << 16) | (input[i + 2]! << 8) | input[i + 3]!) ^ rk[c]!;
    }
    let k = nb;
    for (let r = 1; r < rounds; r++) {
      for (let c = 0; c < nb; c++) {
        t[c] =
          TE0[s[c]! >>> 24]! ^
          TE1[(s[src1[c]!]! >>> 16) & 0xff]! ^
          TE2[(s[src2[c]!]! >>> 8) & 0xff]! ^
          TE3[s[src3[c]!]! & 0xff]! ^
          rk[k + c]!;
      }
      k += nb;
      const swap = s;
      s = t;
      t = swap;
    }
    for (let c = 0, i = 0; c < nb; c++, i += 4) {
      const w = rk[k + c]!;
      output[i] = SBOX[s[c]! >>> 24]! ^ (w >>> 24);
      output[i + 1] = SBOX[(s[src1[c]!]! >>> 16) & 0xff]! ^ ((w >>> 16) & 0xff);
      output[i + 2] = SBOX[(s[src2[c]!]! >>> 8) & 0xff]! ^ ((w >>> 8) & 0xff);
      output[i + 3] = SBOX[s[src3[c]!]! & 0xff]! ^ (w & 0xff);
    }
  }
}

function subWord(w: number): number {
  return (
    ((SBOX[w >>> 24]! << 24) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[(w >>> 8) & 0xff]! << 8) | SBOX[w & 0xff]!) >>> 0
  );
}

/** Rijndael's key expansion: Nb·(Nr+1) words, for any Nb and Nk. */
function expandKey(key: Uint8Array, nb: number, nk: number, rounds: number): Uint32Array {
  const total = nb * (rounds + 1);
  const w = new Uint32Array(total);
  for (let i = 0; i < nk; i++) {
    w[i] = ((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) >>> 0;
  }
  let rcon = 1;
  for (let i = nk; i < total; i++) {
    let temp = w[i - 1]!;
    if (i % nk === 0) {
      temp = (subWord(((temp << 8) | (temp >>> 24)) >>> 0) ^ (rcon << 24)) >>> 0;
      rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0)) & 0xff;
    } else if (nk > 6 && i % nk === 4) {
      temp = subWord(temp);
    }
    w[i] = (w[i - nk]! ^ temp) >>> 0;
  }
  return w;
}

function rijndaelSpec(method: number, name: string, blockSize: number): CipherSpec {
  return {
    method,
    name,
    keySize: 32,
    blockSize,
    create: (key) => new Rijndael(key, blockSize),
  };
}

/**
 * NSCA method 14, libmcrypt `rijndael-128`: with its 32-byte key this is AES-256, so Node's
 * `aes-256-cfb8` gives the same stream (used for speed); `create` is the pure implementation.
 */
export const rijndael128: NativeCfb8Spec = {
  ...rijndaelSpec(14, 'rijndael-128', 16),
  nativeCfb8: { algorithm: 'aes-256-cfb8', key: (key) => key },
};

/** NSCA method 15, libmcrypt `rijndael-192`: 192-bit block, 256-bit key (not AES). */
export const rijndael192: CipherSpec = rijndaelSpec(15, 'rijndael-192', 24);

/** NSCA method 16, libmcrypt `rijndael-256`: 256-bit block, 256-bit key (not AES). */
export const rijndael256: CipherSpec = rijndaelSpec(16, 'rijndael-256', 32);
