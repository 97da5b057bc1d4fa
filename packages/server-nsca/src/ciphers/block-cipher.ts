/**
 * A block cipher as libmcrypt uses it for NSCA: only encryption of one block is needed, since
 * CFB mode decrypts with the cipher's encryption direction too.
 */
export interface BlockCipher {
  /** Bytes per block (the CFB shift register's size). */
  readonly blockSize: number;
  /** Encrypts `blockSize` bytes of `input` into `output` (they may be the same array). */
  encryptBlock(input: Uint8Array, output: Uint8Array): void;
}

/** One of NSCA's mcrypt methods: its number, libmcrypt's name, and sizes as libmcrypt reports them. */
export interface CipherSpec {
  readonly method: number;
  readonly name: string;
  /** libmcrypt's maximum key size: the password is zero-padded or truncated to it. */
  readonly keySize: number;
  readonly blockSize: number;
  create(key: Uint8Array): BlockCipher;
}
