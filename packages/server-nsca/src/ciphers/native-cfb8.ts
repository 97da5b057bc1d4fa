import type { CipherSpec } from './block-cipher.js';

/**
 * How Node's own crypto (OpenSSL's *default* provider: never the legacy one, which Node does
 * not load) produces exactly libmcrypt's 8-bit CFB stream for a method. Faster than a CFB-8
 * loop over a JavaScript block cipher, and verified against send_nsca's bytes.
 */
export interface NativeCfb8 {
  /** A `crypto.createCipheriv` algorithm name, e.g. `aes-256-cfb8`. */
  readonly algorithm: string;
  /** Maps libmcrypt's (zero-padded) key to the key that algorithm wants. */
  key(mcryptKey: Uint8Array): Uint8Array;
}

/** A cipher that also has a native CFB-8 stream; `create` stays the reference/fallback path. */
export interface NativeCfb8Spec extends CipherSpec {
  readonly nativeCfb8: NativeCfb8;
}

export function hasNativeCfb8(spec: CipherSpec): spec is NativeCfb8Spec {
  return 'nativeCfb8' in spec && (spec as Partial<NativeCfb8Spec>).nativeCfb8 !== undefined;
}
