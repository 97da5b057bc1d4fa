// Net::Server::Proto's parse_info: every form of `port` (with `host`, `proto`, `ipv`) as the list of
// endpoints to bind. A pure function of its arguments, but for service names read from /etc/services.
import { readFileSync } from 'node:fs';
import { PortError } from './errors.js';

/** One endpoint to bind (an entry of Net::Server's `_bind`). */
export interface BindInfo {
  host: string;
  /** A port number, 0 for one the system picks, or a unix socket's path. */
  port: number | string;
  /** As given (`tcp`, `UDP`, `ssl`, `unix`...); compared without case. */
  proto: string;
  /** `4`, `6`, or `*` (a unix socket; or, for host `*`, every address of both families). */
  ipv: string;
  unix_type?: string;
  listen?: number | string;
  [option: string]: unknown;
}

/** A port given as a hashref: `{ port, host?, proto?, ipv?, listen?, unix_type?, SSL_... }`. */
export type PortSpec = string | number | { port: string | number; [key: string]: unknown };

const SEP = String.raw`(?<=[\w*\]])[,|\s:/]+`;
const UNIX_TYPE = new RegExp(`${SEP}(sock_stream|sock_dgram)\\b`, 'i');
const IPV = new RegExp(`${SEP}IPv([*\\d]+)`, 'i');
const PROTO = new RegExp(`${SEP}(tcp|udp|ssl|ssleay|unix|unixdgram|\\w+(?:::\\w+)+)$`, 'i');
const HOST = /^(.*?)[,|\s:]+(?=\w+$)/;

/** Strips one `…/IPv6`-style marker from `text`; returns what is left and the digits, if any. */
function takeIpv(text: string): [string, string] {
  let found = '';
  for (let i = 0; i < 2; i++) {
    const m = IPV.exec(text);
    if (m === null) break;
    found += m[1];
    text = text.slice(0, m.index) + text.slice(m.index + m[0].length);
  }
  return [text, found];
}

/**
 * The endpoints one `port` entry stands for, given the `host`, `proto` and `ipv` that apply to it.
 * Where Net::Server asks getaddrinfo for an unset ipv, this port decides without the network: an
 * address with `:` is IPv6, host `*` is every address of both families (ipv `*`: one dual-stack
 * socket), any other host is IPv4 unless `ipv` (or the environment's IPV, as in Net::Server) says 6.
 */
export function parse_info(port: PortSpec, host?: string, proto?: string, ipv?: string | string[]): BindInfo[] {
  let info: Partial<BindInfo>;
  let ipvs = Array.isArray(ipv) ? ipv.join('') : ipv ?? '';
  if (typeof port === 'object' && port !== null) {
    if (port.port === undefined || port.port === '') throw new PortError('missing port in the object passed in the port argument');
    info = { ...port } as Partial<BindInfo>;
  } else {
    let text = String(port).trim();
    info = {};
    const unixType = UNIX_TYPE.exec(text);
    if (unixType !== null) {
      info.unix_type = unixType[1];
      text = text.slice(0, unixType.index) + text.slice(unixType.index + unixType[0].length);
    }
    const [withoutIpv, found] = takeIpv(text);
    text = withoutIpv;
    if (found !== '') ipvs = found;
    const protoMatch = PROTO.exec(text) ?? /\/(\w+)$/.exec(text);
    if (protoMatch !== null) {
      proto = protoMatch[1];
      text = text.slice(0, protoMatch.index);
    }
    const hostMatch = HOST.exec(text);
    if (hostMatch !== null) {
      host = hostMatch[1];
      text = text.slice(hostMatch[0].length);
    }
    info.port = text;
  }
  if (info.port === undefined || info.port === '') info.port = 0;

  let hostText = String(info.host ?? (host !== undefined && host !== '' ? host : '*'));
  const [hostLeft, hostIpv] = takeIpv(hostText);
  hostText = hostLeft;
  if (hostIpv !== '') ipvs = hostIpv;
  const bracketed = /^\[([\w/.\-:]+|\*?)\]$/.exec(hostText);
  const plain = /^([\w/.\-:]+|\*?)$/.exec(hostText);
  if (bracketed !== null) hostText = bracketed[1] === '' ? '*' : bracketed[1]!;
  else if (plain !== null) hostText = plain[1] === '' ? '*' : plain[1]!;
  else throw new PortError(`could not determine host from "${hostText}"`);
  info.host = hostText;

  let protoText = String(info.proto ?? (proto !== undefined && proto !== '' ? proto : 'tcp'));
  const [protoLeft, protoIpv] = takeIpv(protoText);
  protoText = protoLeft.trim();
  if (protoIpv !== '') ipvs = protoIpv;
  if (!/^\w+(?:::\w+)*$/.test(protoText)) throw new PortError(`could not determine proto from "${protoText}"`);
  info.proto = protoText;

  if (/^unix/i.test(protoText)) return [{ ...info, ipv: '*' } as BindInfo];

  info.port = numericPort(info.port, protoText);
  const given = info.ipv !== undefined ? (Array.isArray(info.ipv) ? info.ipv.join('') : String(info.ipv)) : '';
  ipvs = given || ipvs || process.env.IPV || '';
  if (ipvs !== '' && !/[46*]/.test(ipvs)) throw new PortError(`invalid ipv parameter "${ipvs}" - must contain 4, 6, or *`);
  const base = { ...info } as BindInfo;
  if (/6/.test(ipvs) || info.host.includes(':')) {
    const out = [{ ...base, ipv: '6' }];
    if (/4/.test(ipvs) && !info.host.includes(':')) out.push({ ...base, ipv: '4' });
    return out;
  }
  if (/4/.test(ipvs)) return [{ ...base, ipv: '4' }];
  return [{ ...base, ipv: info.host === '*' ? '*' : '4' }];
}

/** A port number as given, or a service name looked up in /etc/services for the proto's transport. */
function numericPort(port: unknown, proto: string): number {
  const text = String(port).trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n > 65535) throw new PortError(`port ${text} is out of range (0-65535)`);
    return n;
  }
  if (!/^[\w.+-]+$/.test(text)) throw new PortError(`could not determine port from "${text}"`);
  const transport = /^udp/i.test(proto) ? 'udp' : 'tcp';
  const found = services().get(`${text.toLowerCase()}/${transport}`);
  if (found === undefined) throw new PortError(`unknown service "${text}" for ${transport} (not in /etc/services)`);
  return found;
}

let serviceTable: Map<string, number> | undefined;

/** /etc/services as `name/proto` → port, names and aliases alike; empty when the file is absent. */
function services(): Map<string, number> {
  if (serviceTable !== undefined) return serviceTable;
  serviceTable = new Map();
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    return serviceTable;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(\S+)\s+(\d+)\/(\w+)(.*)$/.exec(line);
    if (m === null) continue;
    for (const name of [m[1]!, ...m[4]!.trim().split(/\s+/).filter(Boolean)]) {
      const key = `${name.toLowerCase()}/${m[3]!.toLowerCase()}`;
      if (!serviceTable.has(key)) serviceTable.set(key, Number(m[2]));
    }
  }
  return serviceTable;
}

/**
 * Net::Server's prepared_ports: each port with its host, proto and ipv (arrays shorter than the
 * ports are extended with their last entry), duplicates dropped.
 */
export function prepared_ports(
  ports: readonly PortSpec[],
  hosts: readonly string[],
  protos: readonly string[],
  ipvs: readonly string[],
  onDuplicate: (info: BindInfo) => void = () => {},
): BindInfo[] {
  const bind: BindInfo[] = [];
  const seen = new Set<string>();
  const at = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[Math.min(i, list.length - 1)]);
  ports.forEach((port, i) => {
    for (const info of parse_info(port, at(hosts, i), at(protos, i), at(ipvs, i))) {
      const key = `${info.host}\u001b${info.port}\u001b${info.proto.toLowerCase()}\u001b${info.ipv}`;
      if (String(info.port) !== '0' && seen.has(key)) {
        onDuplicate(info);
        continue;
      }
      seen.add(key);
      bind.push(info);
    }
  });
  return bind;
}
