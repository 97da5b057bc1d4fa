// `allowed hosts` as NRPEServer and WEBServer read it: IPv4 and IPv6 addresses and CIDR blocks,
// matched by server-tcp's AccessControl (the one matcher every poets server shares).
import { isIP } from 'node:net';
import { AccessControl } from '@poets/server-tcp';
import { ModuleError } from '../errors.js';

function toCidr(entry: string, where: string): string {
  const [address = '', bits] = entry.split('/');
  const clean = address.replace(/^\[|\]$/g, '');
  const family = isIP(clean);
  if (family === 0) throw new ModuleError(`${where}: ${entry} is not an IPv4 or IPv6 address or block (host names are not supported)`);
  if (bits === undefined) return `${clean}/${family === 4 ? 32 : 128}`;
  const n = Number(bits);
  if (!Number.isInteger(n) || n < 0 || n > (family === 4 ? 32 : 128)) throw new ModuleError(`${where}: ${entry}: bad prefix length`);
  return `${clean}/${n}`;
}

/**
 * Parses `allowed hosts` of the settings section `path`: addresses and CIDR blocks, IPv6 included,
 * `localhost` as both loopbacks; NSClient++'s mask form `a.b.c.d/255.255.255.0` is not taken.
 */
export function parseAllowedHosts(value: string, path: string): string[] {
  const entries = value.split(/[\s,]+/).filter((s) => s !== '');
  return entries.flatMap((entry) => (entry === 'localhost' ? ['127.0.0.1', '::1'] : [entry])).map((e) => toCidr(e, `[${path}] allowed hosts`));
}

/** The matcher for parsed allowed hosts; undefined (everyone allowed) for an empty list. */
export function allowedHostsControl(cidrs: readonly string[]): AccessControl | undefined {
  return AccessControl.from({ cidrAllow: [...cidrs] });
}
