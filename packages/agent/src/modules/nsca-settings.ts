// What NSCAClient and NSCAServer read alike: the encryption by NSClient++'s names or by the nsca
// method numbers, the payload length, and where a module's settings live.
import { isSupportedMethod, methodInfo } from '@poets/server-nsca';
import { ModuleError } from '../errors.js';
import type { Plugin } from '../plugin.js';

/**
 * NSClient++'s encryption names and the nsca method number whose bytes on the wire are the same.
 * NSClient++ ciphers with Crypto++ in 8-bit CFB, the password zero-padded to the cipher's key size,
 * as nsca does with libmcrypt — so `aes` (Crypto++ AES, 32-byte key, 16-byte block) is nsca's
 * method 14 (libmcrypt's rijndael-128 takes a 32-byte key), not 16 (rijndael-256 has 32-byte
 * blocks). NSClient++'s `aes128` and `aes192` (AES with 16- and 24-byte keys) match no nsca method.
 */
export const ENCRYPTION_NAMES: ReadonlyMap<string, number> = new Map([
  ['none', 0],
  ['xor', 1],
  ['des', 2],
  ['3des', 3],
  ['cast128', 4],
  ['xtea', 6],
  ['3way', 7],
  ['blowfish', 8],
  ['twofish', 9],
  ['rc2', 11],
  ['aes', 14],
  ['aes256', 14],
  ['rijndael256', 14],
  ['serpent', 20],
  ['gost', 23],
]);

/** NSClient++ names that have no nsca counterpart, and why. */
const NO_NSCA_METHOD: ReadonlyMap<string, string> = new Map([
  ['aes128', 'AES with a 16-byte key'],
  ['rijndael128', 'AES with a 16-byte key'],
  ['aes192', 'AES with a 24-byte key'],
  ['rijndael192', 'AES with a 24-byte key'],
]);

/** `encryption = aes` or `= 14`: the nsca method number, or throws naming the key and what is supported. */
export function parseEncryption(where: string, raw: string): number {
  const value = raw.trim().toLowerCase();
  const unmatched = NO_NSCA_METHOD.get(value);
  if (unmatched !== undefined) throw new ModuleError(`${where} encryption = ${raw}: NSClient++'s ${value} (${unmatched}) matches no nsca method; use aes (AES-256, nsca's 14) or a method number`);
  const method = /^\d+$/.test(value) ? Number(value) : ENCRYPTION_NAMES.get(value);
  if (method === undefined) throw new ModuleError(`${where} encryption = ${raw}: unknown method (names: ${[...ENCRYPTION_NAMES.keys()].join(', ')}; or send_nsca's numbers)`);
  if (!isSupportedMethod(method)) {
    const info = methodInfo(method);
    throw new ModuleError(`${where} encryption = ${raw}: method ${method}${info ? ` (${info.name})` : ''} is not available (${info?.status ?? 'not an nsca method'})`);
  }
  return method;
}

/** `payload length`: 512 (nsca before 2.9: 720-byte packets) or 4096 (nsca 2.9 and later: 4304-byte packets). */
export function parsePayloadLength(where: string, raw: string): 512 | 4096 {
  const value = raw.trim() === '' ? 512 : Number(raw);
  if (value === 512 || value === 4096) return value;
  throw new ModuleError(`${where} payload length = ${raw}: nsca packets carry 512 (nsca < 2.9) or 4096 (nsca >= 2.9) bytes of output`);
}

/** A whole number of at least `min`, or the default when empty; throws naming the key otherwise. */
export function parseWhole(where: string, key: string, raw: string, fallback: number, min: number): number {
  if (raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ModuleError(`${where} ${key} = ${raw}: not a whole number >= ${min}`);
  return n;
}

/**
 * Where a module's section is: `/settings/NSCA/<suffix>` when it is loaded under its own name (as
 * NSClient++'s `set_alias("NSCA", alias, suffix)` does), else `/settings/<alias>/<suffix>`.
 */
export function nscaSettingsPath(plugin: Plugin, suffix: 'client' | 'server'): string {
  const root = plugin.alias.toLowerCase() === plugin.module.name.toLowerCase() ? 'NSCA' : plugin.alias;
  return `/settings/${root}/${suffix}`;
}

/** Throws for a key of `path` that is not in `known` (a misspelt key would otherwise be a silent default). */
export function refuseUnknownKeys(plugin: Plugin, path: string, known: ReadonlySet<string>): void {
  for (const key of plugin.settings.get_section(path)) {
    if (!known.has(key.toLowerCase())) throw new ModuleError(`[${path}] ${key}: unknown key (known: ${[...known].join(', ')})`);
  }
}
