import { Buffer } from 'node:buffer';
import type { SocketDomainName, SocketFactoryOptions } from '@poets/kernel';
import type { ListenEndpoint, TCPServerOptions } from './server-options.js';
import { ServerTls } from './tls.js';

const UNIX_DOMAINS = new Set(['AF_UNIX', 'PF_UNIX', 'AF_LOCAL', 'PF_LOCAL', 'unix']);

/** One address the server listens on, ready for a SocketFactory. */
export interface Endpoint {
  domain: SocketDomainName;
  unix: boolean;
  /** BindAddress: the Address, else the Hostname, else undefined (any address of the domain). */
  address: string | undefined;
  port: number | string;
  tls: ServerTls | undefined;
}

/** The endpoints a server listens on: `listen`'s entries, or the one the top-level parameters describe. */
export function endpointsOf(options: TCPServerOptions<unknown, unknown>, who: string): Endpoint[] {
  const { listen } = options;
  if (listen !== undefined && (!Array.isArray(listen) || listen.length === 0)) {
    throw new TypeError(`${who}: listen must be a non-empty list of { Address, Port, Domain, Hostname, tls }`);
  }
  const topTls = options.tls === undefined ? undefined : new ServerTls(options.tls);
  const entries: ListenEndpoint[] = listen ?? [{}];
  return entries.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`${who}: listen[${i}] must be an object`);
    const domain = entry.Domain ?? options.Domain ?? 'AF_INET';
    const unix = UNIX_DOMAINS.has(domain);
    // The top-level address applies to entries of its own domain only.
    const sameDomain = entry.Domain === undefined || entry.Domain === (options.Domain ?? 'AF_INET');
    const address = entry.Address ?? entry.Hostname ?? (sameDomain ? (options.Address ?? options.Hostname) : undefined);
    if (unix && address === undefined) throw new TypeError(`${who}: an AF_UNIX server needs an Address (the socket's path)`);
    const port = entry.Port ?? options.Port ?? 0;
    const tls = entry.tls === false ? undefined : entry.tls !== undefined ? new ServerTls(entry.tls) : topTls;
    return { domain, unix, address, port, tls };
  });
}

/** A SocketFactory's options for listening on `endpoint`, as POE's Server::TCP sets them (Reuse on). */
export function listenOptions(endpoint: Endpoint, listenQueue: number | undefined): SocketFactoryOptions {
  return {
    SocketDomain: endpoint.domain,
    BindAddress: endpoint.address,
    ...(endpoint.unix ? {} : { BindPort: endpoint.port }),
    ListenQueue: listenQueue,
    Reuse: 'yes',
    SuccessEvent: 'tcp_server_got_connection',
    FailureEvent: 'tcp_server_got_error',
  };
}

/** The peer's address packed, as inet_pton makes it: 4 bytes for IPv4, 16 for IPv6. */
export function packAddress(address: string | undefined): Buffer | undefined {
  if (address === undefined) return undefined;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4 !== null) return Buffer.from(v4.slice(1, 5).map(Number));
  // IPv6, possibly with an embedded IPv4 tail and a zone.
  let text = address.replace(/%.*$/, '');
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail !== null) {
    const [a, b, c, d] = tail.slice(1, 5).map(Number) as [number, number, number, number];
    text = text.slice(0, tail.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16) & 0xffff, i * 2));
  return bytes;
}
