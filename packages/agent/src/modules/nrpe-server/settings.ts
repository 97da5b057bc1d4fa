// `[/settings/NRPE/server]`: NSClient++'s keys and defaults, documented for `settings --generate`
// and read into one typed object. A bad value throws a ModuleError naming the key.
import { ModuleError } from '../../errors.js';
import { parseAllowedHosts } from '../allowed-hosts.js';
import type { Plugin } from '../../plugin.js';

export const NRPE_SERVER_PATH = '/settings/NRPE/server';

export interface NRPEServerSettings {
  port: number;
  bindTo: string;
  useSsl: boolean;
  insecure: boolean;
  dh: string;
  allowedCiphers: string;
  certificate: string;
  certificateKey: string;
  payloadLength: number;
  extendedResponse: boolean;
  allowArguments: boolean;
  allowNastyCharacters: boolean;
  nastyCharacters: string;
  /** CIDR blocks (IPv4 and IPv6); empty: every client. */
  allowedHosts: string[];
  /** Seconds a client has to send its query (and finish TLS). */
  timeout: number;
}

// [key, type, title, description, default]
const KEYS: [string, string, string, string, string][] = [
  ['port', 'int', 'PORT NUMBER', 'Port to listen on', '5666'],
  ['bind to', 'string', 'BIND TO ADDRESS', 'Address to listen on (empty: every address, IPv4 and IPv6)', ''],
  ['use ssl', 'bool', 'ENABLE SSL ENCRYPTION', 'TLS on the socket (check_nrpe without -n)', 'true'],
  ['insecure', 'bool', 'ALLOW INSECURE CHIPHERS and ENCRYPTION', 'Anonymous Diffie-Hellman (check_nrpe 4 without a certificate), TLS 1.2 at most', 'false'],
  ['dh', 'file', 'DH KEY', 'Diffie-Hellman parameters (PEM); empty or missing: built-in parameters', '${certificate-path}/nrpe_dh_512.pem'],
  ['allowed ciphers', 'string', 'ALLOWED CIPHERS', 'OpenSSL cipher list', 'ALL:!MD5:@STRENGTH:@SECLEVEL=0'],
  ['certificate', 'file', 'SSL CERTIFICATE', 'Server certificate (PEM); when it does not exist the server falls back to anonymous DH', '${certificate-path}/certificate.pem'],
  ['certificate key', 'file', 'SSL CERTIFICATE KEY', 'Key of the certificate (PEM); empty: the certificate file holds it', ''],
  ['payload length', 'int', 'PAYLOAD LENGTH', 'Buffer size of a v2 packet (both ends must agree; check_nrpe uses 1024)', '1024'],
  ['extended response', 'bool', 'EXTENDED RESPONSE', 'v2: send output longer than one packet as several packets', 'true'],
  ['allow arguments', 'bool', 'COMMAND ARGUMENT PROCESSING', 'Accept arguments (check_nrpe -a)', 'false'],
  ['allow nasty characters', 'bool', 'COMMAND ALLOW NASTY META CHARS', 'Accept the nasty characters in arguments', 'false'],
  ['nasty characters', 'string', 'NASTY CHARACTERS', 'Characters refused in arguments unless allow nasty characters', '|`&><\'"\\[]{}'],
  ['allowed hosts', 'string', 'ALLOWED HOSTS', 'Comma separated addresses or CIDR blocks (IPv4, IPv6) allowed to connect', '127.0.0.1'],
  ['timeout', 'int', 'TIMEOUT', 'Seconds a client has to send its query', '30'],
];

export function readNRPEServerSettings(plugin: Plugin): NRPEServerSettings {
  const s = plugin.settings;
  const path = NRPE_SERVER_PATH;
  s.register_path(path, 'NRPE SERVER', 'Answers check_nrpe: NRPE v2, v3 and v4 packets, with or without TLS');
  for (const [key, type, title, description, value] of KEYS) s.register_key(path, key, type, title, description, value);
  const known = new Set(KEYS.map((k) => k[0]));
  for (const key of s.get_section(path)) {
    if (!known.has(key)) throw new ModuleError(`[${path}] ${key}: unknown key (known: ${[...known].join(', ')})`);
  }
  const def = (key: string) => KEYS.find((k) => k[0] === key)![4];
  const str = (key: string) => s.get_string(path, key, def(key));
  const bool = (key: string) => s.get_bool(path, key, def(key) === 'true');
  const int = (key: string, min: number, max: number) => {
    const raw = str(key).trim();
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ModuleError(`[${path}] ${key} = ${raw}: not a whole number from ${min} to ${max}`);
    return n;
  };
  const file = (key: string) => {
    const v = str(key).trim();
    return v === '' ? '' : plugin.core.expand_path(v);
  };
  // NSClient++ reads allowed hosts from /settings/default when the server section has none.
  const hosts = s.get_string(path, 'allowed hosts', s.get_string('/settings/default', 'allowed hosts', def('allowed hosts')));
  return {
    port: int('port', 0, 65535),
    bindTo: str('bind to').trim(),
    useSsl: bool('use ssl'),
    insecure: bool('insecure'),
    dh: file('dh'),
    allowedCiphers: str('allowed ciphers').trim(),
    certificate: file('certificate'),
    certificateKey: file('certificate key'),
    payloadLength: int('payload length', 16, 65536),
    extendedResponse: bool('extended response'),
    allowArguments: bool('allow arguments'),
    allowNastyCharacters: bool('allow nasty characters'),
    nastyCharacters: str('nasty characters'),
    allowedHosts: parseAllowedHosts(hosts, path),
    timeout: int('timeout', 1, 86400),
  };
}
