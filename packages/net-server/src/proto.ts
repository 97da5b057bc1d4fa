// Net::Server::Proto::{TCP,SSL,UNIX,UDP}: one bound endpoint each, made from a BindInfo in pre_bind
// (proto_object) and bound in bind (`connect`, Net::Server's name), handing each accepted client on.
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { readFileSync, unlinkSync } from 'node:fs';
import { createServer, type Server as NetListener, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, TLSSocket, type TlsOptions } from 'node:tls';
import { Client, UdpClient, type AnyClient } from './client.js';
import { PortError } from './errors.js';
import type { BindInfo } from './ports.js';

/** Net::Server's SOMAXCONN default for `listen`. */
export const SOMAXCONN = 4096;

/** What a proto object needs of the server's properties. */
export interface ProtoProps {
  listen?: unknown;
  udp_recv_len?: unknown;
  udp_recv_flags?: unknown;
  udp_broadcast?: unknown;
  [key: string]: unknown;
}

/** A bound (or to-be-bound) endpoint, with Net::Server's NS_ accessors as properties. */
export interface ProtoSocket {
  readonly NS_host: string;
  readonly NS_port: number | string;
  /** `TCP`, `SSL`, `UNIX` or `UDP`. */
  readonly NS_proto: string;
  readonly NS_ipv: string;
  readonly NS_listen?: number;
  readonly NS_unix_path?: string;
  readonly NS_unix_type?: string;
  readonly NS_recv_len?: number;
  readonly NS_recv_flags?: number;
  readonly NS_broadcast?: unknown;
  /**
   * Binds and listens, handing each client to `onClient`; resolves once bound (NS_port then the real port).
   * With `onRaw` (the process pools), a stream endpoint hands over the accepted socket itself, paused and
   * unread (and, for ssl, before the handshake), so it can be passed to a child whole.
   */
  connect(onClient: (client: AnyClient) => void, onRaw?: (socket: Socket) => void): Promise<void>;
  /** The listening socket of a stream endpoint once bound (the pools share it with their children). */
  listener?(): NetListener | undefined;
  /** A child's side of a raw socket handed to it: the Client process_request gets (ssl: after the handshake). */
  adopt?(socket: Socket): Promise<Client>;
  /** Stops listening (and removes a unix socket file this object made). */
  close(): Promise<void>;
  /** Net::Server's reconnect: listens on an inherited descriptor (a HUP restart) instead of binding; `onRaw` as for connect. */
  reconnect(fd: number, onClient: (client: AnyClient) => void, onRaw?: (socket: Socket) => void): Promise<void>;
  /** The listening descriptor (to hand to a restarted process), once bound. */
  fileno(): number | undefined;
  /** Stops accepting here but leaves the socket (and a unix socket's file) to the process it was handed to. */
  release(): Promise<void>;
  /** `host|port|proto|ipv`, the string Net::Server keeps for a HUP. */
  hup_string(): string;
}

/** Net::Server's proto_object: the endpoint for one BindInfo. */
export function proto_object(info: BindInfo, prop: ProtoProps): ProtoSocket {
  // Net::Server::Proto::TCP and its siblings name the same protos as tcp, ssl, unix, udp
  const proto = info.proto.toLowerCase().replace(/^net::server::proto::/, '');
  const listen = toInt(info.listen ?? prop.listen, 'listen') ?? SOMAXCONN;
  if (proto === 'tcp') return new StreamSocket(info, 'TCP', listen, undefined);
  if (proto === 'ssl' || proto === 'ssleay') return new StreamSocket(info, 'SSL', listen, tlsOptions({ ...prop, ...info }));
  if (proto === 'unix') {
    const type = String(info.unix_type ?? 'SOCK_STREAM').toUpperCase();
    if (type !== 'SOCK_STREAM') throw new PortError(`unix ${type} (${info.port}): Node has no unix datagram sockets; use SOCK_STREAM or udp`);
    return new StreamSocket(info, 'UNIX', listen, undefined);
  }
  if (proto === 'unixdgram') throw new PortError(`unixdgram (${info.port}): Node has no unix datagram sockets; use unix (SOCK_STREAM) or udp`);
  if (proto === 'udp') {
    const len = toInt(info.udp_recv_len ?? prop.udp_recv_len, 'udp_recv_len') ?? 4096;
    const flags = toInt(info.udp_recv_flags ?? prop.udp_recv_flags, 'udp_recv_flags') ?? 0;
    return new UdpSocket(info, len, flags, info.udp_broadcast ?? prop.udp_broadcast);
  }
  throw new PortError(`unknown proto "${info.proto}" (tcp, udp, unix and ssl are supported)`);
}

function toInt(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new PortError(`${what} must be a whole number, not "${text}"`);
  return Number(text);
}

/** Proto::SSL's options as node:tls server options (files read now, so a missing one fails at startup). */
function tlsOptions(prop: Record<string, unknown>): TlsOptions {
  const read = (key: string): Buffer | undefined => {
    const file = prop[key];
    if (file === undefined || file === null || file === '') return undefined;
    try {
      return readFileSync(String(file));
    } catch (error) {
      throw new PortError(`${key} "${String(file)}" cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  const cert = read('SSL_cert_file');
  const key = read('SSL_key_file');
  if (cert === undefined || key === undefined) throw new PortError('proto ssl needs SSL_cert_file and SSL_key_file');
  const options: TlsOptions = { cert, key };
  const ca = read('SSL_ca_file');
  if (ca !== undefined) options.ca = ca;
  if (typeof prop.SSL_cipher_list === 'string') options.ciphers = prop.SSL_cipher_list;
  // SSL_verify_mode: 0x01 SSL_VERIFY_PEER asks for a certificate, 0x02 FAIL_IF_NO_PEER_CERT requires it.
  const mode = prop.SSL_verify_mode;
  if (mode !== undefined && mode !== null && mode !== '') {
    const bits = /^(0x[0-9a-f]+|\d+)$/i.test(String(mode)) ? Number(mode) : String(mode).includes('FAIL') ? 3 : String(mode).includes('PEER') ? 1 : 0;
    options.requestCert = (bits & 1) !== 0;
    options.rejectUnauthorized = (bits & 2) !== 0;
  }
  if (typeof prop.SSL_version === 'string' && /^TLSv1(\.[0-3])?$/.test(prop.SSL_version)) {
    options.minVersion = prop.SSL_version as TlsOptions['minVersion'];
  }
  return options;
}

/** The address to hand to Node for a host: `*` is every address (`::`, dual stack, for ipv `*`). */
function bindAddress(host: string, ipv: string): string {
  if (host !== '*') return host;
  return ipv === '4' ? '0.0.0.0' : '::';
}

/**
 * The OS descriptor under a listening net.Server or dgram socket. Node keeps it on the libuv handle
 * (`fd`, read-only, Unix only) and offers no public getter; it is what child_process's stdio needs
 * to hand the socket to a new process.
 */
function handleFd(owner: object | undefined, kind: 'stream' | 'dgram'): number | undefined {
  if (owner === undefined) return undefined;
  // dgram keeps its handle in a symbol-keyed state object (its `_handle` getter is deprecated)
  const handle =
    kind === 'stream'
      ? (owner as { _handle?: { fd?: number } })._handle
      : Object.getOwnPropertySymbols(owner)
          .map((key) => (owner as Record<symbol, { handle?: { fd?: number } } | undefined>)[key])
          .find((value) => typeof value === 'object' && value !== null && value.handle !== undefined)?.handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

class StreamSocket implements ProtoSocket {
  readonly NS_host: string;
  NS_port: number | string;
  readonly NS_ipv: string;
  readonly NS_unix_path?: string;
  readonly NS_unix_type?: string;
  private listener_: NetListener | undefined;
  /** Sockets are handed to children: Node counts them as this listener's until a child says it closed them, which a child that died never does. */
  private raw = false;
  /** Set by reconnect: listen on this inherited descriptor instead of binding. */
  private inheritedFd: number | undefined;

  constructor(
    info: BindInfo,
    readonly NS_proto: 'TCP' | 'SSL' | 'UNIX',
    readonly NS_listen: number,
    private readonly tls: TlsOptions | undefined,
  ) {
    this.NS_host = info.host;
    this.NS_port = info.port;
    this.NS_ipv = info.ipv;
    if (NS_proto === 'UNIX') {
      this.NS_unix_path = String(info.port);
      this.NS_unix_type = 'SOCK_STREAM';
    }
  }

  private clientOf(socket: Socket, raw: Socket): Client {
    socket.on('error', () => {}); // a reset before process_request reads is the client's loss only
    return new Client(socket, {
      peeraddr: this.NS_proto === 'UNIX' ? undefined : raw.remoteAddress,
      peerport: this.NS_proto === 'UNIX' ? undefined : raw.remotePort,
      sockaddr: this.NS_proto === 'UNIX' ? this.NS_unix_path : raw.localAddress,
      sockport: this.NS_proto === 'UNIX' ? undefined : raw.localPort,
      NS_proto: this.NS_proto,
    });
  }

  connect(onClient: (client: AnyClient) => void, onRaw?: (socket: Socket) => void): Promise<void> {
    const fd = this.inheritedFd;
    const accept = (socket: Socket) => onClient(this.clientOf(socket, socket));
    this.raw = onRaw !== undefined;
    const listener =
      onRaw !== undefined
        ? createServer({ pauseOnConnect: true }, (socket) => {
            socket.on('error', () => {});
            onRaw(socket);
          })
        : this.tls === undefined
          ? createServer(accept)
          : createTlsServer(this.tls, accept);
    if (this.tls !== undefined) listener.on('tlsClientError', () => {}); // a failed handshake never reaches process_request
    this.listener_ = listener;
    return new Promise<void>((resolve, reject) => {
      listener.once('error', (error: NodeJS.ErrnoException) => {
        reject(new PortError(`can't connect to ${this.NS_proto} port ${this.NS_port} on ${this.NS_host} [${error.code ?? error.message}]`));
      });
      const ready = () => {
        listener.removeAllListeners('error');
        listener.on('error', () => {});
        const address = listener.address();
        if (typeof address === 'object' && address !== null) this.NS_port = address.port;
        resolve();
      };
      if (fd !== undefined) {
        listener.listen({ fd, backlog: this.NS_listen }, ready);
      } else if (this.NS_proto === 'UNIX') {
        listener.listen({ path: this.NS_unix_path!, backlog: this.NS_listen }, ready);
      } else {
        listener.listen(
          { host: bindAddress(this.NS_host, this.NS_ipv), port: Number(this.NS_port), backlog: this.NS_listen, ipv6Only: this.NS_ipv === '6' },
          ready,
        );
      }
    });
  }

  reconnect(fd: number, onClient: (client: AnyClient) => void, onRaw?: (socket: Socket) => void): Promise<void> {
    this.inheritedFd = fd;
    return this.connect(onClient, onRaw);
  }

  fileno(): number | undefined {
    return handleFd(this.listener_, 'stream');
  }

  release(): Promise<void> {
    return this.close(false);
  }

  listener(): NetListener | undefined {
    return this.listener_;
  }

  adopt(socket: Socket): Promise<Client> {
    if (this.tls === undefined) return Promise.resolve(this.clientOf(socket, socket));
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: createSecureContext(this.tls),
      requestCert: this.tls.requestCert ?? false,
      rejectUnauthorized: this.tls.rejectUnauthorized ?? false,
    });
    return new Promise<Client>((resolve, reject) => {
      secure.once('secure', () => {
        secure.removeAllListeners('error');
        resolve(this.clientOf(secure, socket));
      });
      secure.once('error', (error) => {
        secure.destroy();
        reject(error);
      });
    });
  }

  close(unlink = true): Promise<void> {
    const listener = this.listener_;
    this.listener_ = undefined;
    if (listener === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      listener.close(() => resolve());
      if (this.raw) resolve(); // the listening socket is closed now; handed-over sockets are the children's
      if (unlink && this.NS_unix_path !== undefined) {
        try {
          unlinkSync(this.NS_unix_path);
        } catch {
          // already gone
        }
      }
    });
  }

  hup_string(): string {
    return `${this.NS_host}|${this.NS_port}|${this.NS_proto}|${this.NS_ipv}`;
  }
}

class UdpSocket implements ProtoSocket {
  readonly NS_host: string;
  NS_port: number | string;
  readonly NS_ipv: string;
  readonly NS_proto = 'UDP';
  private socket: DgramSocket | undefined;
  /** Set by reconnect: bind to this inherited descriptor. */
  private inheritedFd: number | undefined;

  constructor(
    info: BindInfo,
    readonly NS_recv_len: number,
    readonly NS_recv_flags: number,
    readonly NS_broadcast: unknown,
  ) {
    this.NS_host = info.host;
    this.NS_port = info.port;
    this.NS_ipv = info.ipv;
  }

  connect(onClient: (client: AnyClient) => void): Promise<void> {
    const fd = this.inheritedFd;
    const socket = createSocket({ type: this.NS_ipv === '4' ? 'udp4' : 'udp6', ipv6Only: this.NS_ipv === '6', recvBufferSize: undefined });
    this.socket = socket;
    socket.on('message', (data, rinfo) => {
      const local = socket.address();
      const datagram = data.length > this.NS_recv_len ? data.subarray(0, this.NS_recv_len) : data;
      onClient(
        new UdpClient(datagram, { peeraddr: rinfo.address, peerport: rinfo.port, sockaddr: local.address, sockport: local.port }, (reply) =>
          new Promise<void>((resolve, reject) => socket.send(reply, rinfo.port, rinfo.address, (error) => (error ? reject(error) : resolve()))),
        ),
      );
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('error', (error: NodeJS.ErrnoException) => {
        reject(new PortError(`can't connect to UDP port ${this.NS_port} on ${this.NS_host} [${error.code ?? error.message}]`));
      });
      socket.bind(fd !== undefined ? { fd } : { address: bindAddress(this.NS_host, this.NS_ipv), port: Number(this.NS_port) }, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        if (this.NS_broadcast) socket.setBroadcast(true);
        this.NS_port = socket.address().port;
        resolve();
      });
    });
  }

  reconnect(fd: number, onClient: (client: AnyClient) => void): Promise<void> {
    this.inheritedFd = fd;
    return this.connect(onClient);
  }

  fileno(): number | undefined {
    return handleFd(this.socket, 'dgram');
  }

  release(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }

  hup_string(): string {
    return `${this.NS_host}|${this.NS_port}|UDP|${this.NS_ipv}`;
  }
}
