import type { CryptStream } from './crypt-stream.js';

/** Method 0: no encryption. */
export class NoneStream implements CryptStream {
  readonly method = 0;
  encrypt(_data: Uint8Array, _packetOffset = 0): void {}
  decrypt(_data: Uint8Array, _packetOffset = 0): void {}
}
