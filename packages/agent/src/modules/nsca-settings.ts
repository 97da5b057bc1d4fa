// What NSCAClient and NSCAServer read alike: the encryption by NSClient++'s names or by the nsca
// method numbers, the payload length, and where a module's settings live.
import { isSupportedMethod, methodInfo } from '@poets/server-nsca';
import { ModuleError } from '../errors.js';
import type { Plugin } from '../plugin.js';

/**
 * NSClient++'s encryption names and the nsca method number each stands for (NSClient++ names
 * methods 16 `aes`, 15 `aes192`, 14 `aes128`, as its table does; see the README on AES).
 */
export const ENCRYPTION_NAMES: ReadonlyMap<string, number> = new Map([
  ['none', 0],
  ['xor', 1],
  ['des', 2],
  ['3des', 3],
  ['cast128', 4],
  ['cast256', 5],
  ['xtea', 6],
  ['3way', 7],
  ['blowfish', 8],
  ['twofish', 9],
  ['loki97', 10],
  ['rc2', 11],
  ['rijndael128', 14],
  ['aes128', 14],
  ['rijndael192', 15],
  ['aes192', 15],
  ['rijndael256', 16],
  ['aes256', 16],
  ['aes', 16],
  ['serpent', 20],
  ['gost', 23],
  ['saferplus', 26],
]);

/** `encryption = aes` or `= 14`: the nsca method number, or throws naming the key and what is supported. */
export function parseEncryption(where: string, raw: string): number {
  const value = raw.trim().toLowerCase();
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
