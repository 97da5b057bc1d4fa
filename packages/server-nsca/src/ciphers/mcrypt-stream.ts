import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import type { CipherSpec } from './block-cipher.js';
import { Cfb8 } from './cfb8.js';
import type { CryptStream } from './crypt-stream.js';
import { hasNativeCfb8 } from './native-cfb8.js';

/**
 * libmcrypt's key for NSCA: a buffer of the algorithm's *maximum* key size, zero-filled, with
 * the password's bytes copied in and cut to that size.
 */
export function mcryptKey(password: Uint8Array, keySize: number): Uint8Array {
  const key = new Uint8Array(keySize);
  key.set(password.subarray(0, keySize));
  return key;
}

/**
 * libmcrypt's IV for NSCA: the first `blockSize` bytes of the 128-byte transmitted IV.
 */
export function mcryptIv(iv: Uint8Array, blockSize: number): Uint8Array {
  if (iv.length < blockSize) throw new RangeError(`the IV has ${iv.length} bytes, the cipher needs ${blockSize}`);
  return Uint8Array.from(iv.subarray(0, blockSize));
}

type Direction = 'encrypt' | 'decrypt';

function oneDirection(method: number, fixed: Direction | undefined, wanted: Direction): Direction {
  if (fixed !== undefined && fixed !== wanted) {
    throw new Error(
      `crypt stream for method ${method} is already used to ${fixed}: one stream is one direction of one connection`,
    );
  }
  return wanted;
}

/**
 * A libmcrypt method as one connection's 8-bit CFB stream over a JavaScript block cipher.
 * Packets continue the stream (never re-initialised between packets), as send_nsca and nsca do.
 */
export class BlockCfb8Stream implements CryptStream {
  readonly method: number;
  private readonly cfb: Cfb8;
  private direction: Direction | undefined;

  constructor(spec: CipherSpec, password: Uint8Array, iv: Uint8Array) {
    this.method = spec.method;
    this.cfb = new Cfb8(spec.create(mcryptKey(password, spec.keySize)), mcryptIv(iv, spec.blockSize));
  }

  encrypt(data: Uint8Array, _packetOffset = 0): void {
    this.direction = oneDirection(this.method, this.direction, 'encrypt');
    this.cfb.encrypt(data);
  }

  decrypt(data: Uint8Array, _packetOffset = 0): void {
    this.direction = oneDirection(this.method, this.direction, 'decrypt');
    this.cfb.decrypt(data);
  }
}

const verifiedAlgorithms = new Set<string>();

/**
 * A libmcrypt method as one connection's 8-bit CFB stream computed by Node's crypto (see
 * `NativeCfb8`). The Cipher/Decipher object is created on first use and kept for the
 * connection; its output is copied back so the interface stays in place.
 */
export class NativeCfb8Stream implements CryptStream {
  readonly method: number;
  private readonly algorithm: string;
  private readonly key: Uint8Array;
  private readonly iv: Uint8Array;
  private cipher: Cipher | Decipher | undefined;
  private direction: Direction | undefined;

  constructor(spec: CipherSpec, password: Uint8Array, iv: Uint8Array) {
    if (!hasNativeCfb8(spec)) throw new TypeError(`${spec.name} has no native CFB-8 stream`);
    this.method = spec.method;
    this.algorithm = spec.nativeCfb8.algorithm;
    this.key = spec.nativeCfb8.key(mcryptKey(password, spec.keySize));
    this.iv = mcryptIv(iv, spec.blockSize);
    // A missing algorithm fails here, at stream creation, not on the first packet (once per
    // algorithm and process).
    if (!verifiedAlgorithms.has(this.algorithm)) {
      createCipheriv(this.algorithm, this.key, this.iv);
      verifiedAlgorithms.add(this.algorithm);
    }
  }

  encrypt(data: Uint8Array, _packetOffset = 0): void {
    this.run('encrypt', data);
  }

  decrypt(data: Uint8Array, _packetOffset = 0): void {
    this.run('decrypt', data);
  }

  private run(direction: Direction, data: Uint8Array): void {
    this.direction = oneDirection(this.method, this.direction, direction);
    this.cipher ??=
      direction === 'encrypt'
        ? createCipheriv(this.algorithm, this.key, this.iv)
        : createDecipheriv(this.algorithm, this.key, this.iv);
    if (data.length === 0) return;
    data.set(this.cipher.update(data));
  }
}
