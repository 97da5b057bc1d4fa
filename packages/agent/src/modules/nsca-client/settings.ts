// NSCAClient's settings: `[/settings/NSCA/client]` and one `[/settings/NSCA/client/targets/<name>]`
// per NSCA server, with NSClient++'s keys and defaults. A key a target does not set comes from the
// `default` target, then from NSClient++'s default (NSClient++'s targets inherit the same way).
import { isIP } from 'node:net';
import { ModuleError } from '../../errors.js';
import { expandHostname } from '../../nats-client.js';
import type { Plugin } from '../../plugin.js';
import { nscaSettingsPath, parseEncryption, parsePayloadLength, parseWhole, refuseUnknownKeys } from '../nsca-settings.js';

/** One NSCA server results can be sent to. */
export interface NSCATargetSettings {
  name: string;
  /** '' when the target names no server: its submissions are refused with that reason. */
  host: string;
  port: number;
  /** The nsca method number (names are mapped to it). */
  encryption: number;
  password: string;
  /** 512: 720-byte packets (nsca < 2.9, NSClient++'s default); 4096: 4304-byte packets. */
  payloadLength: 512 | 4096;
  /** Seconds for one connection: connect, init packet, writing. */
  timeout: number;
  /** Attempts after the first before the caller is answered with the failure (the result stays queued). */
  retries: number;
  /** Seconds added to the timestamp each packet carries. */
  timeOffset: number;
}

export interface NSCAClientSettings {
  channel: string;
  hostname: string;
  /** Results kept, over all targets, while they wait for their servers. */
  maxQueue: number;
  /** Every configured target by its lower-cased name; `default` is always there. */
  targets: Map<string, NSCATargetSettings>;
}

type Key = [key: string, type: string, title: string, description: string, value: string];

const CLIENT_KEYS: Key[] = [
  ['channel', 'string', 'CHANNEL', 'The channel to listen to', 'NSCA'],
  ['hostname', 'string', 'HOSTNAME', 'The host name results are reported as: auto (the computer name), auto-lc, auto-uc, or text with ${host}, ${host_lc}, ${host_uc}', 'auto'],
  ['encoding', 'string', 'NSCA DATA ENCODING', 'Only utf8 (the default) is supported', ''],
  ['max queue', 'int', 'MAX QUEUE', 'Results kept (over all targets) while their servers do not answer; more are refused, counted and logged', '10000'],
];

const TARGET_KEYS: Key[] = [
  ['address', 'string', 'TARGET ADDRESS', 'host, host:port, [IPv6]:port or nsca://host:port', ''],
  ['host', 'string', 'TARGET HOST', 'The NSCA server (when address does not name it)', ''],
  ['port', 'int', 'TARGET PORT', 'The NSCA server port', '5667'],
  ['encryption', 'string', 'ENCRYPTION', 'none, xor, des, 3des, cast128, xtea, blowfish, twofish, rc2, aes128, aes192, aes, serpent, gost, or send_nsca\'s method numbers', 'aes'],
  ['password', 'string', 'PASSWORD', 'The password the server decrypts with', ''],
  ['payload length', 'int', 'PAYLOAD LENGTH', '512 (nsca < 2.9) or 4096 (nsca >= 2.9); has to be the server\'s', '512'],
  ['timeout', 'int', 'TIMEOUT', 'Seconds for one connection (connect, init packet, send)', '30'],
  ['retries', 'int', 'RETRIES', 'Attempts after the first before a submission is answered as failed (the result stays queued and is delivered later)', '3'],
  ['time offset', 'int', 'TIME OFFSET', 'Seconds added to the time each result carries', '0'],
  ['timezone', 'string', 'TIMEZONE', 'utc (the only one supported)', 'utc'],
  ['encoding', 'string', 'ENCODING', 'Only utf8 (the default) is supported', ''],
  ['use ssl', 'bool', 'ENABLE SSL ENCRYPTION', 'Not supported: nsca speaks no TLS', 'false'],
  // accepted for NSClient++ files, unused without TLS
  ['allowed ciphers', 'string', 'ALLOWED CIPHERS', 'Unused (no TLS)', ''],
  ['ca', 'string', 'CA', 'Unused (no TLS)', ''],
  ['certificate', 'string', 'SSL CERTIFICATE', 'Unused (no TLS)', ''],
  ['certificate format', 'string', 'CERTIFICATE FORMAT', 'Unused (no TLS)', ''],
  ['certificate key', 'string', 'SSL CERTIFICATE', 'Unused (no TLS)', ''],
  ['dh', 'string', 'DH KEY', 'Unused (no TLS)', ''],
  ['verify mode', 'string', 'VERIFY MODE', 'Unused (no TLS)', ''],
];

const OFF = new Set(['', '0', 'false', 'no', 'off', 'disabled']);

/** `address` (and `host`/`port`): host and port, or throws why not. */
export function parseAddress(where: string, address: string, host: string, port: string): { host: string; port: number } {
  let h = host.trim();
  let p = port.trim();
  let a = address.trim().replace(/^nsca:\/\//i, '');
  if (a !== '') {
    const bracket = /^\[([^\]]+)\](?::(\d*))?$/.exec(a);
    if (bracket) {
      h = bracket[1]!;
      if (bracket[2]) p = bracket[2];
    } else if (isIP(a) === 6) {
      h = a;
    } else {
      const colon = a.lastIndexOf(':');
      if (colon >= 0) {
        p = a.slice(colon + 1);
        a = a.slice(0, colon);
      }
      h = a;
    }
  }
  const n = p === '' ? 5667 : Number(p);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ModuleError(`${where} port ${p}: not a port (1-65535)`);
  return { host: h, port: n };
}

function documentKeys(plugin: Plugin, path: string, keys: Key[]): void {
  for (const [key, type, title, description, value] of keys) plugin.settings.register_key(path, key, type, title, description, value);
}

function readTarget(plugin: Plugin, base: string, name: string): NSCATargetSettings {
  const store = plugin.agent.settings;
  const path = `${base}/targets/${name}`;
  const where = `[${path}]`;
  refuseUnknownKeys(plugin, path, new Set(TARGET_KEYS.map((k) => k[0])));
  // the target's own value, else the default target's, else NSClient++'s default
  const get = (key: string): string => store.get(path, key) ?? store.get(`${base}/targets/default`, key) ?? TARGET_KEYS.find((k) => k[0] === key)![4];
  if (!OFF.has(get('use ssl').trim().toLowerCase())) throw new ModuleError(`${where} use ssl = ${get('use ssl')}: NSCA over TLS is not supported (nsca speaks none); use encryption`);
  const timezone = get('timezone').trim().toLowerCase();
  if (timezone !== 'utc' && timezone !== '') throw new ModuleError(`${where} timezone = ${get('timezone')}: only utc is supported`);
  const encoding = get('encoding').trim().toLowerCase();
  if (!['', 'utf8', 'utf-8'].includes(encoding)) throw new ModuleError(`${where} encoding = ${get('encoding')}: only utf8 is supported`);
  const { host, port } = parseAddress(where, get('address'), get('host'), get('port'));
  return {
    name,
    host,
    port,
    encryption: parseEncryption(where, get('encryption')),
    password: get('password'),
    payloadLength: parsePayloadLength(where, get('payload length')),
    timeout: parseWhole(where, 'timeout', get('timeout'), 30, 1),
    retries: parseWhole(where, 'retries', get('retries'), 3, 0),
    timeOffset: parseWhole(where, 'time offset', get('time offset'), 0, -1e9),
  };
}

/** Documents the keys and reads them; a bad value throws a ModuleError naming the section and key. */
export function readNSCAClientSettings(plugin: Plugin): NSCAClientSettings {
  const base = nscaSettingsPath(plugin, 'client');
  const s = plugin.settings;
  s.register_path(base, 'NSCA CLIENT SECTION', 'Section for NSCA passive check module');
  s.register_path(`${base}/targets`, 'REMOTE TARGET DEFINITIONS', 'One section per NSCA server; keys not set come from the default target');
  s.register_path(`${base}/targets/default`, 'DEFAULT TARGET', 'Where submissions that name no target go, and the defaults of the other targets');
  documentKeys(plugin, base, CLIENT_KEYS);
  documentKeys(plugin, `${base}/targets/default`, TARGET_KEYS);
  refuseUnknownKeys(plugin, base, new Set(CLIENT_KEYS.map((k) => k[0])));
  const get = (key: string) => s.get_string(base, key, CLIENT_KEYS.find((k) => k[0] === key)![4]);
  const where = `[${base}]`;
  const channel = get('channel').trim();
  if (channel === '' || channel.includes(',')) throw new ModuleError(`${where} channel = ${get('channel')}: one channel name is needed`);
  if (!['', 'utf8', 'utf-8'].includes(get('encoding').trim().toLowerCase())) throw new ModuleError(`${where} encoding = ${get('encoding')}: only utf8 is supported`);
  if (/\$\{domain(_lc|_uc)?\}/.test(get('hostname'))) throw new ModuleError(`${where} hostname = ${get('hostname')}: \${domain} forms are not supported (Node has no domain name of the computer); write the domain out`);
  const names = new Set(['default']);
  for (const section of plugin.agent.settings.get_subsections(`${base}/targets`)) names.add(section.slice(`${base}/targets/`.length));
  const targets = new Map<string, NSCATargetSettings>();
  for (const name of names) targets.set(name.toLowerCase(), readTarget(plugin, base, name));
  return {
    channel,
    hostname: expandHostname(get('hostname')),
    maxQueue: parseWhole(where, 'max queue', get('max queue'), 10000, 1),
    targets,
  };
}
