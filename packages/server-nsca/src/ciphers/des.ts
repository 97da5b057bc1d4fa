import { createCipheriv, type Cipher } from 'node:crypto';
import type { BlockCipher } from './block-cipher.js';
import type { NativeCfb8Spec } from './native-cfb8.js';

/**
 * DES and Triple-DES (NSCA methods 2 and 3) on Node's default OpenSSL provider only.
 *
 * Single DES is not in the default provider (`des-ecb`/`des-cfb8` need the legacy provider,
 * which Node does not load), but EDE with K1 = K2 = K3 is single DES: E(K, D(K, E(K, x))) =
 * E(K, x). So method 2 runs as `des-ede3-cfb8` with the key K‖K‖K.
 *
 * The streams use Node's native CFB-8 (`nativeCfb8`). `create()` — a block cipher over
 * `des-ede3-ecb` — exists for the uniform {@link CipherSpec} interface and for tests; it
 * allocates one small Buffer per block (Node's `update()` returns a new one), so it is not the
 * path the codec uses.
 */

class NodeEcbBlockCipher implements BlockCipher {
  readonly blockSize = 8;
  private readonly cipher: Cipher;

  constructor(algorithm: string, key: Uint8Array) {
    this.cipher = createCipheriv(algorithm, key, null);
    this.cipher.setAutoPadding(false);
  }

  encryptBlock(input: Uint8Array, output: Uint8Array): void {
    output.set(this.cipher.update(input.subarray(0, 8)));
  }
}

function tripled(key: Uint8Array): Uint8Array {
  const k = new Uint8Array(24);
  k.set(key.subarray(0, 8), 0);
  k.set(key.subarray(0, 8), 8);
  k.set(key.subarray(0, 8), 16);
  return k;
}

function checkKey(name: string, key: Uint8Array, size: number): Uint8Array {
  if (key.length !== size) throw new RangeError(`${name} needs a ${size}-byte key, got ${key.length}`);
  return key;
}

/** NSCA method 2, libmcrypt `des`: 8-byte key (the password's first 8 bytes, zero-padded). */
export const des: NativeCfb8Spec = {
  method: 2,
  name: 'des',
  keySize: 8,
  blockSize: 8,
  create: (key) => new NodeEcbBlockCipher('des-ede3-ecb', tripled(checkKey('DES', key, 8))),
  nativeCfb8: { algorithm: 'des-ede3-cfb8', key: (key) => tripled(checkKey('DES', key, 8)) },
};

/** NSCA method 3, libmcrypt `tripledes`: 24-byte key, EDE3 as OpenSSL's `des-ede3`. */
export const tripledes: NativeCfb8Spec = {
  method: 3,
  name: 'tripledes',
  keySize: 24,
  blockSize: 8,
  create: (key) => new NodeEcbBlockCipher('des-ede3-ecb', checkKey('Triple-DES', key, 24)),
  nativeCfb8: { algorithm: 'des-ede3-cfb8', key: (key) => checkKey('Triple-DES', key, 24) },
};
