/**
 * One direction of one NSCA connection's encryption: what send_nsca applies to the packets it
 * sends, what nsca undoes on the packets it reads. Created per connection by
 * `createCryptStream()`; the same object must see every byte of that direction, in order.
 *
 * Both methods work **in place** on `data` (no allocation on the XOR and CFB-8 paths).
 *
 * `packetOffset` is where `data` starts inside its packet (0 for a whole packet). Only XOR
 * (method 1) depends on it — its key restarts at index 0 with every packet — while the
 * libmcrypt methods are one continuous CFB-8 stream over the whole connection and ignore it.
 * So a packet may be processed in pieces: `decrypt(a, 0)`, `decrypt(b, a.length)`, ... gives the
 * same bytes as `decrypt(a ‖ b, 0)`.
 */
export interface CryptStream {
  /** The NSCA encryption method number (0 none, 1 XOR, 2..26 libmcrypt). */
  readonly method: number;
  /** Encrypts the bytes of a packet starting at `packetOffset`, in place. */
  encrypt(data: Uint8Array, packetOffset?: number): void;
  /** Decrypts the bytes of a packet starting at `packetOffset`, in place. */
  decrypt(data: Uint8Array, packetOffset?: number): void;
  /** The connection is over: the stream may give back what it holds (it must not be used after). */
  dispose?(): void;
}
