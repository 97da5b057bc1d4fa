export type { BlockCipher, CipherSpec } from './ciphers/block-cipher.js';
export { Cfb8 } from './ciphers/cfb8.js';
