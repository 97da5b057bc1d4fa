import type { BlockCipher } from './block-cipher.js';

/**
 * 8-bit CFB over any block cipher, as libmcrypt's "cfb" mode: one block encryption per byte,
 * the ciphertext byte shifted into the register. One instance is one connection's stream:
 * packets continue it, as send_nsca and nsca do.
 */
export class Cfb8 {
  private readonly register: Uint8Array;
  private readonly keystream: Uint8Array;

  constructor(
    private readonly cipher: BlockCipher,
    iv: Uint8Array,
  ) {
    if (iv.length < cipher.blockSize) throw new RangeError(`CFB-8 needs a ${cipher.blockSize}-byte IV, got ${iv.length}`);
    this.register = Uint8Array.from(iv.subarray(0, cipher.blockSize));
    this.keystream = new Uint8Array(cipher.blockSize);
  }

  /** Encrypts `data` in place. */
  encrypt(data: Uint8Array): void {
    const { cipher, register, keystream } = this;
    const last = register.length - 1;
    for (let i = 0; i < data.length; i++) {
      cipher.encryptBlock(register, keystream);
      const c = data[i]! ^ keystream[0]!;
      data[i] = c;
      register.copyWithin(0, 1);
      register[last] = c;
    }
  }

  /** Decrypts `data` in place. */
  decrypt(data: Uint8Array): void {
    const { cipher, register, keystream } = this;
    const last = register.length - 1;
    for (let i = 0; i < data.length; i++) {
      cipher.encryptBlock(register, keystream);
      const c = data[i]!;
      data[i] = c ^ keystream[0]!;
      register.copyWithin(0, 1);
      register[last] = c;
    }
  }
}
