import { IV_SIZE } from '../codec/constants.js';
import { UnsupportedMethodError } from '../errors.js';
import type { CipherSpec } from './block-cipher.js';
import { blowfish } from './blowfish.js';
import { cast128 } from './cast128.js';
import { cast256 } from './cast256.js';
import type { CryptStream } from './crypt-stream.js';
import { des, tripledes } from './des.js';
import { gost } from './gost.js';
import { loki97 } from './loki97.js';
import { BlockCfb8Stream, NativeCfb8Stream } from './mcrypt-stream.js';
import { hasNativeCfb8 } from './native-cfb8.js';
import { NoneStream } from './none.js';
import { rc2 } from './rc2.js';
import { rijndael128, rijndael192, rijndael256 } from './rijndael.js';
import { saferplus } from './saferplus.js';
import { serpent } from './serpent.js';
import { twofish } from './twofish.js';
import { XorStream } from './xor.js';
import { xtea } from './xtea.js';

/**
 * NSCA's encryption methods (`encryption_method` in send_nsca.cfg, `decryption_method` in
 * nsca.cfg): the protocol's table, which of them this build implements, and the per-connection
 * stream factory.
 */

/**
 * - `ok`: send_nsca/nsca (Debian, libmcrypt 2.5.8) work with it;
 * - `unavailable`: a valid number whose libmcrypt algorithm Debian's libmcrypt lacks
 *   (send_nsca: "Failed to initialize encryption libraries");
 * - `stream-cipher`: a libmcrypt stream cipher, which cannot be opened in CFB mode (same error);
 * - `invalid`: rejected by the config parsers ("Invalid encryption method").
 */
export type MethodStatus = 'ok' | 'unavailable' | 'stream-cipher' | 'invalid';

export interface MethodInfo {
  readonly method: number;
  /** libmcrypt's algorithm name (`none` and `xor` for 0 and 1). */
  readonly name: string;
  readonly status: MethodStatus;
  /** libmcrypt's maximum key size in bytes (the password is zero-padded or cut to it). */
  readonly keySize?: number;
  /** Block size = IV size in bytes (the first bytes of the 128-byte IV are used). */
  readonly blockSize?: number;
}

const m = (method: number, name: string, keySize: number, blockSize: number): MethodInfo => ({
  method,
  name,
  status: 'ok',
  keySize,
  blockSize,
});
const no = (method: number, name: string, status: Exclude<MethodStatus, 'ok'>): MethodInfo => ({ method, name, status });

/** Every method number nsca 2.10 knows of, with libmcrypt's sizes (shared/nsca-protocol.md §4). */
export const NSCA_METHODS: readonly MethodInfo[] = [
  { method: 0, name: 'none', status: 'ok' },
  { method: 1, name: 'xor', status: 'ok' },
  m(2, 'des', 8, 8),
  m(3, 'tripledes', 24, 8),
  m(4, 'cast-128', 16, 8),
  m(5, 'cast-256', 32, 16),
  m(6, 'xtea', 16, 8),
  no(7, 'threeway', 'unavailable'),
  m(8, 'blowfish', 56, 8),
  m(9, 'twofish', 32, 16),
  m(10, 'loki97', 32, 16),
  m(11, 'rc2', 128, 8),
  no(12, 'arcfour', 'stream-cipher'),
  no(13, 'rc6', 'invalid'),
  m(14, 'rijndael-128', 32, 16),
  m(15, 'rijndael-192', 32, 24),
  m(16, 'rijndael-256', 32, 32),
  no(17, 'mars', 'invalid'),
  no(18, 'panama', 'invalid'),
  no(19, 'wake', 'stream-cipher'),
  m(20, 'serpent', 32, 16),
  no(21, 'idea', 'invalid'),
  no(22, 'enigma', 'stream-cipher'),
  m(23, 'gost', 32, 8),
  no(24, 'safer-sk64', 'unavailable'),
  no(25, 'safer-sk128', 'unavailable'),
  m(26, 'saferplus', 32, 16),
];

/**
 * The block ciphers this build provides, one `CipherSpec` per libmcrypt method. To add a
 * method, import its spec and append it here; the registry checks its sizes against
 * {@link NSCA_METHODS} when the module loads.
 */
export const CIPHER_SPECS: readonly CipherSpec[] = [
  des, // 2
  tripledes, // 3
  cast128, // 4
  cast256, // 5
  xtea, // 6
  blowfish, // 8
  twofish, // 9
  loki97, // 10
  rc2, // 11
  rijndael128, // 14
  rijndael192, // 15
  rijndael256, // 16
  serpent, // 20
  gost, // 23
  saferplus, // 26
];

const infoByMethod = new Map<number, MethodInfo>(NSCA_METHODS.map((info) => [info.method, info]));
const specByMethod = new Map<number, CipherSpec>();

for (const spec of CIPHER_SPECS) {
  const info = infoByMethod.get(spec.method);
  if (!info || info.status !== 'ok' || info.method < 2) {
    throw new Error(`cipher spec ${spec.name}: ${spec.method} is not a libmcrypt method NSCA can use`);
  }
  if (info.name !== spec.name || info.keySize !== spec.keySize || info.blockSize !== spec.blockSize) {
    throw new Error(
      `cipher spec for method ${spec.method} (${spec.name}, key ${spec.keySize}, block ${spec.blockSize}) ` +
        `does not match libmcrypt's ${info.name} (key ${String(info.keySize)}, block ${String(info.blockSize)})`,
    );
  }
  if (specByMethod.has(spec.method)) throw new Error(`two cipher specs for method ${spec.method}`);
  specByMethod.set(spec.method, spec);
}

/** The protocol's facts about a method number, or undefined for a number nsca does not know. */
export function methodInfo(method: number): MethodInfo | undefined {
  return infoByMethod.get(method);
}

/** The block cipher of a libmcrypt method, when this build provides it. */
export function cipherSpec(method: number): CipherSpec | undefined {
  return specByMethod.get(method);
}

/** Method numbers `createCryptStream` accepts, ascending. */
export function supportedMethods(): number[] {
  return [0, 1, ...specByMethod.keys()].sort((a, b) => a - b);
}

export function isSupportedMethod(method: number): boolean {
  return method === 0 || method === 1 || specByMethod.has(method);
}

/** Methods send_nsca can use but this build does not provide yet. */
export function missingMethods(): number[] {
  return NSCA_METHODS.filter((info) => info.status === 'ok' && !isSupportedMethod(info.method)).map((i) => i.method);
}

/** Why `method` cannot be used: the message of UnsupportedMethodError. */
export function unsupportedMessage(method: number): string {
  const info = infoByMethod.get(method);
  const supported = `(supported: ${supportedMethods().join(', ')})`;
  if (!info) return `NSCA encryption method ${String(method)} does not exist ${supported}`;
  const which = `NSCA encryption method ${method} (${info.name})`;
  switch (info.status) {
    case 'invalid':
      return `${which} is invalid: nsca and send_nsca reject it in their config ${supported}`;
    case 'unavailable':
      return `${which} is not available: libmcrypt as packaged lacks it, so send_nsca and nsca fail with it too ${supported}`;
    case 'stream-cipher':
      return (
        `${which} cannot work: it is a stream cipher, which libmcrypt cannot run in CFB mode ` +
        `(send_nsca and nsca fail with it too) ${supported}`
      );
    case 'ok':
      return `${which} is not implemented in this build ${supported}`;
  }
}

export interface CryptStreamOptions {
  /**
   * Use Node's native CFB-8 where a method has one (DES, 3DES, AES-256): default true. False
   * forces the JavaScript block cipher with the generic CFB-8 (for cross-checks).
   */
  native?: boolean;
}

/**
 * One connection's encryption stream (one direction) for `method`, keyed the way send_nsca and
 * nsca key it: libmcrypt key = zero-filled maximum key size with the password's bytes copied in
 * (cut to that size); IV = the first block-size bytes of the 128-byte IV. Create exactly one per
 * connection: the libmcrypt methods continue their CFB stream from packet to packet.
 *
 * @param password the password's bytes (a string is taken as UTF-8).
 * @param iv the 128 bytes of the init packet's IV.
 * @throws UnsupportedMethodError for a method this build cannot run.
 * @throws RangeError for an IV that is not 128 bytes.
 */
export function createCryptStream(
  method: number,
  password: string | Uint8Array,
  iv: Uint8Array,
  options: CryptStreamOptions = {},
): CryptStream {
  if (!isSupportedMethod(method)) throw new UnsupportedMethodError(method);
  if (iv.length !== IV_SIZE) throw new RangeError(`the NSCA IV is ${IV_SIZE} bytes, got ${iv.length}`);
  const pw = typeof password === 'string' ? new TextEncoder().encode(password) : password;
  if (method === 0) return new NoneStream();
  if (method === 1) return new XorStream(iv, pw);
  const spec = specByMethod.get(method)!;
  if (options.native !== false && hasNativeCfb8(spec)) return new NativeCfb8Stream(spec, pw, iv);
  return new BlockCfb8Stream(spec, pw, iv);
}
