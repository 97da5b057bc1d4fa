import cluster from 'node:cluster';
import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { readFileSync } from 'node:fs';
import { connect as netConnect, createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { constants } from 'node:os';
import { errnoOf, eventChanges, strerror, warnUnknownParameters, Wheel } from './wheel.js';

// Socket module constants a POE script passes to the wheel, as strings.
export const AF_INET = 'AF_INET';
export const AF_INET6 = 'AF_INET6';
export const AF_UNIX = 'AF_UNIX';
export const PF_INET = 'PF_INET';
export const PF_INET6 = 'PF_INET6';
export const PF_UNIX = 'PF_UNIX';
export const SOCK_STREAM = 'SOCK_STREAM';
export const SOCK_DGRAM = 'SOCK_DGRAM';

/** `SocketDomain` values: POE's constants (AF_ and PF_ alike) and Node's family names. */
export type SocketDomainName =
  | 'AF_INET'
  | 'AF_INET6'
  | 'AF_UNIX'
  | 'AF_LOCAL'
  | 'PF_INET'
  | 'PF_INET6'
  | 'PF_UNIX'
  | 'PF_LOCAL'
  | 'IPv4'
  | 'IPv6'
  | 'unix';

export type SocketTypeName = 'SOCK_STREAM' | 'SOCK_DGRAM';

/** Resolves a host name to one address of the family asked for (`address` undefined when there is none). */
export type HostLookup = (hostname: string, family: 4 | 6, callback: (error: Error | null, address?: string) => void) => void;

/** The events a SocketFactory dispatches, by POE's parameter names. */
export interface SocketFactoryEvents {
  /** ARG0 the socket, ARG1 the peer's address, ARG2 the peer's port, ARG3 the wheel ID. */
  SuccessEvent?: string;
  /**
   * ARG0 the operation that failed, ARG1 errno, ARG2 the system's text for it (`Connection refused`;
   * a sentence of the port's own when no system call failed), ARG3 the wheel ID; ARG4 (new) Node's
   * Error, with Node's own message, when Node raised one.
   */
  FailureEvent?: string;
}

export interface SocketFactoryOptions {
  /** Default AF_INET. */
  SocketDomain?: SocketDomainName;
  /** Default SOCK_STREAM, or SOCK_DGRAM for SocketProtocol 'udp'. Ignored for AF_UNIX (always a stream). */
  SocketType?: SocketTypeName;
  /** 'tcp' or 'udp' (or 6, 17). Default 'tcp', or 'udp' when SocketType is SOCK_DGRAM. Ignored for AF_UNIX. */
  SocketProtocol?: 'tcp' | 'udp' | number;
  /** An address or host name to bind to (AF_UNIX: the socket's path). Default: any address, when BindPort is given. */
  BindAddress?: string;
  /** A port number or service name. 0 (the default) lets the system choose; `getsockname()` tells which. */
  BindPort?: number | string;
  /** The listen() backlog, and how many connections are held while accepting is paused. Default 511. */
  ListenQueue?: number;
  /** 'yes', 'on', true or a non-zero number: SO_REUSEADDR (Node always sets it on TCP listeners). */
  Reuse?: boolean | number | string;
  /** Connect to this address or host name (AF_UNIX: a path) instead of listening. */
  RemoteAddress?: string;
  /** A port number or service name; required with an Internet RemoteAddress. */
  RemotePort?: number | string;
  SuccessEvent: string;
  FailureEvent: string;
  /** How host names are resolved (new to the port). Default: `dns.lookup`, the system resolver. */
  lookup?: HostLookup;
}

/** SuccessEvent's arguments: ARG0..ARG3. The peer's address and port are undefined where there is no peer. */
export type SocketFactorySuccessArgs = [
  socket: Socket | DatagramSocket,
  peerAddress: string | undefined,
  peerPort: number | undefined,
  wheelId: number,
];

/** FailureEvent's arguments: ARG0..ARG3 as POE's, then Node's Error when Node raised one. */
export type SocketFactoryFailureArgs = [operation: string, errno: number, message: string, wheelId: number, error?: unknown];

/** What `getsockname()` returns: the local end of the wheel's socket (no port for AF_UNIX). */
export interface SockName {
  family: 'AF_INET' | 'AF_INET6' | 'AF_UNIX';
  address: string;
  port: number | undefined;
}

type Domain = 'inet' | 'inet6' | 'unix';

const DOMAINS: Record<string, Domain> = {
  AF_INET: 'inet',
  PF_INET: 'inet',
  IPv4: 'inet',
  AF_INET6: 'inet6',
  PF_INET6: 'inet6',
  IPv6: 'inet6',
  AF_UNIX: 'unix',
  PF_UNIX: 'unix',
  AF_LOCAL: 'unix',
  PF_LOCAL: 'unix',
  unix: 'unix',
};

const { EADDRINUSE, EADDRNOTAVAIL, EINVAL, EOPNOTSUPP, EPROTONOSUPPORT } = constants.errno;

/** Node's own listen() backlog, used when ListenQueue is not given. */
const DEFAULT_LISTEN_QUEUE = 511;

/** Errors a listening server reports that concern its address: POE reports them from bind(). */
const BIND_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG']);

const EVENT_NAMES: (keyof SocketFactoryEvents)[] = ['SuccessEvent', 'FailureEvent'];
const KNOWN = [
  'SocketDomain', 'SocketType', 'SocketProtocol', 'BindAddress', 'BindPort', 'ListenQueue', 'Reuse',
  'RemoteAddress', 'RemotePort', 'SuccessEvent', 'FailureEvent', 'lookup',
];

/** net.Server's bind-and-listen step: (address, port, addressType, backlog, fd, flags). Errors come as 'error' events. */
type Listen2 = (address: string, port: number, addressType: number, backlog: number, fd: undefined, flags: number) => void;

/** A failure found while setting up, reported as FailureEvent. */
class SetupFailure {
  constructor(
    readonly operation: string,
    readonly errno: number,
    readonly message: string,
    /** Node's error, when Node raised one. */
    readonly error?: unknown,
  ) {}
}

/**
 * POE::Wheel::SocketFactory: makes sockets without blocking. With a RemoteAddress it connects
 * (SuccessEvent once, with the connected socket); otherwise a stream socket listens and every
 * connection accepted is a SuccessEvent; a datagram socket is ready once bound (or connected).
 *
 * Lifetime, as in POE: a listener holds its session until `destroy()`. A connector or a datagram
 * socket fires once, SuccessEvent or FailureEvent, and then holds nothing (POE stops watching the
 * socket at that point); it may be destroyed or dropped afterwards. A failure while setting up
 * (bad domain, bind, listen, resolving) ends any wheel the same way. The socket given with
 * SuccessEvent belongs to the session: `destroy()` never closes it. It keeps a no-op 'error'
 * listener, so an error before the session attaches its own cannot end the process.
 *
 * `pause_accept()`: Node's net.Server cannot stop accepting without closing. While paused, the
 * wheel keeps accepting but queues the new sockets (not read by anyone: Node stops reading each
 * once its buffer is full) and dispatches nothing; `resume_accept()` delivers them, in arrival
 * order, one SuccessEvent each, from the next turn of the event loop. At most ListenQueue
 * sockets are queued, as the kernel's listen queue would hold; connections past that are closed.
 * Queued sockets that the peer has reset by then are dropped; `destroy()` closes all queued ones.
 *
 * A socket handed over with SuccessEvent stays open until the session closes it (Perl closes an
 * unreferenced handle; JavaScript does not): a session that does not use it must destroy it.
 */
export class SocketFactory extends Wheel {
  private readonly names: { SuccessEvent: string; FailureEvent: string };
  private readonly lookup: HostLookup;
  private domain: Domain = 'inet';
  private server: Server | undefined = undefined;
  private stream: Socket | undefined = undefined;
  private datagram: DatagramSocket | undefined = undefined;
  /** The wheel fired its one event (connector, datagram) or failed: it holds and watches nothing more. */
  private settled = false;
  private constructing = true;
  private paused = false;
  private readonly queued: Socket[] = [];
  private queueLimit = DEFAULT_LISTEN_QUEUE;
  private timer: NodeJS.Immediate | undefined = undefined;
  /** For an AF_UNIX connector: the path, reported as the peer's address. */
  private remotePath: string | undefined = undefined;

  constructor(options: SocketFactoryOptions) {
    if (options !== null && typeof options === 'object') warnUnknownParameters('POE::Wheel::SocketFactory', options, KNOWN);
    super('POE::Wheel::SocketFactory');
    const { SuccessEvent, FailureEvent } = options ?? ({} as SocketFactoryOptions);
    if (typeof SuccessEvent !== 'string' || typeof FailureEvent !== 'string') {
      this.kernel.unwatchHandle(this.session, this);
      throw new TypeError(`POE::Wheel::SocketFactory: ${typeof SuccessEvent !== 'string' ? 'SuccessEvent' : 'FailureEvent'} required`);
    }
    this.names = { SuccessEvent, FailureEvent };
    this.lookup = options.lookup ?? systemLookup;
    try {
      this.start(options);
    } catch (error) {
      if (!(error instanceof SetupFailure)) {
        this.settle();
        this.kernel.unwatchHandle(this.session, this);
        throw error;
      }
      this.fail(error.operation, error.errno, error.message, error.error);
    } finally {
      this.constructing = false;
    }
  }

  /** Renames events: `event('SuccessEvent', 'got', ...)` or `event({ SuccessEvent: 'got' })`. An undefined name is ignored, as POE does. */
  event(...changes: (string | undefined | SocketFactoryEvents)[]): void {
    for (const [name, value] of eventChanges('POE::Wheel::SocketFactory', EVENT_NAMES, changes)) {
      if (typeof value !== 'string') {
        this.kernel.warn(`POE::Wheel::SocketFactory: ${name} requires an event name; ignoring ${String(value)}`);
        continue;
      }
      this.names[name] = value;
    }
  }


  /** The local end of the socket: a listener's bound address and port, a connector's local address. Undefined when there is none (yet). */
  getsockname(): SockName | undefined {
    if (this.server !== undefined) {
      const address = this.server.address();
      if (address === null) return undefined;
      if (typeof address === 'string') return { family: 'AF_UNIX', address, port: undefined };
      return sockName(address);
    }
    if (this.stream !== undefined) {
      if (this.domain === 'unix') return this.stream.destroyed ? undefined : { family: 'AF_UNIX', address: '', port: undefined };
      const address = this.stream.address();
      return 'port' in address ? sockName(address) : undefined;
    }
    if (this.datagram !== undefined) {
      try {
        return sockName(this.datagram.address());
      } catch {
        return undefined; // not bound (yet), or closed
      }
    }
    return undefined;
  }

  /** Stops delivering accepted connections until `resume_accept()` (see the class comment). */
  pause_accept(): void {
    if (this.server !== undefined && !this.settled && !this.destroyed) this.paused = true;
  }

  /** Delivers the connections that arrived while paused, then each new one as it comes. */
  resume_accept(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.queued.length > 0) this.scheduleDrain();
  }

  protected release(): void {
    if (this.timer !== undefined) clearImmediate(this.timer);
    this.timer = undefined;
    for (const socket of this.queued.splice(0)) socket.destroy();
    if (this.server !== undefined) closeServer(this.server);
    if (!this.settled) {
      // A connect or a datagram setup still pending is abandoned.
      this.stream?.destroy();
      if (this.datagram !== undefined) closeDatagram(this.datagram);
    }
    this.settled = true;
  }

  // ---- Setting up -----------------------------------------------------------------------------

  private start(options: SocketFactoryOptions): void {
    const domainName = options.SocketDomain ?? 'AF_INET';
    const domain = Object.hasOwn(DOMAINS, domainName) ? DOMAINS[domainName] : undefined;
    if (domain === undefined) throw new SetupFailure('domain', 0, `SocketDomain ${String(domainName)} is currently unsupported on this platform`);
    this.domain = domain;
    if (options.ListenQueue !== undefined && options.ListenQueue !== 0) {
      // As in POE, 0 means the default.
      if (!Number.isInteger(options.ListenQueue) || options.ListenQueue < 0) {
        throw new TypeError(`POE::Wheel::SocketFactory: ListenQueue must be a positive integer, not ${String(options.ListenQueue)}`);
      }
      this.queueLimit = options.ListenQueue;
    }

    if (domain === 'unix') {
      if (options.SocketType !== undefined && options.SocketType !== SOCK_STREAM) {
        throw new SetupFailure('socket', EPROTONOSUPPORT, `Node supports only SOCK_STREAM Unix sockets, not ${String(options.SocketType)}`);
      }
      this.startUnix(options);
      return;
    }

    const protocol = protocolOf(options.SocketProtocol, options.SocketType);
    if (options.RemoteAddress === undefined && options.RemotePort !== undefined) {
      this.kernel.warn('POE::Wheel::SocketFactory: RemotePort ignored without RemoteAddress');
    }
    if (options.RemoteAddress !== undefined && options.RemotePort === undefined) {
      throw new TypeError('POE::Wheel::SocketFactory: RemotePort required');
    }
    const family = domain === 'inet' ? 4 : 6;
    const resolveTag = domain === 'inet' ? 'inet_aton' : 'getaddrinfo';
    const bindGiven = options.BindAddress !== undefined || options.BindPort !== undefined;
    const bindPort = portOf(options.BindPort ?? 0, protocol);
    const remotePort = options.RemoteAddress !== undefined ? portOf(options.RemotePort!, protocol) : undefined;
    const reuse = reuseOf(options.Reuse);

    const withBindAddress = (then: (address: string | undefined) => void): void => {
      if (!bindGiven) return then(undefined);
      const address = options.BindAddress ?? (family === 4 ? '0.0.0.0' : '::');
      this.resolve(address, family, resolveTag, then);
    };
    const withRemoteAddress = (then: (address: string | undefined) => void): void => {
      if (options.RemoteAddress === undefined) return then(undefined);
      this.resolve(options.RemoteAddress, family, resolveTag, then);
    };

    if (protocol === 'udp') {
      const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6', reuseAddr: reuse });
      this.datagram = socket;
      socket.on('error', this.onDatagramError);
      withBindAddress((bindAddress) =>
        withRemoteAddress((remoteAddress) => {
          if (bindAddress === undefined) return this.connectDatagram(remoteAddress, remotePort);
          socket.bind({ address: bindAddress, port: bindPort }, () => this.step(() => this.connectDatagram(remoteAddress, remotePort)));
        }),
      );
      return;
    }

    if (options.RemoteAddress !== undefined) {
      withBindAddress((bindAddress) =>
        withRemoteAddress((remoteAddress) => {
          const local = bindAddress !== undefined ? { localAddress: bindAddress, localPort: bindPort } : {};
          this.watchConnect(() => netConnect({ host: remoteAddress!, port: remotePort!, family, ...local }));
        }),
      );
      return;
    }

    withBindAddress((bindAddress) => {
      const host = bindAddress ?? (family === 4 ? '0.0.0.0' : '::');
      this.listen({ host, port: bindPort, backlog: this.queueLimit, ipv6Only: false });
    });
  }

  private startUnix(options: SocketFactoryOptions): void {
    const { BindAddress, RemoteAddress } = options;
    if (RemoteAddress !== undefined) {
      if (BindAddress !== undefined) {
        // POE refuses a bind path beside a RemotePort; Node cannot bind a Unix client at all.
        if (options.RemotePort !== undefined) throw new SetupFailure('bind', EADDRINUSE, 'a Unix socket cannot both bind a path and take a RemotePort');
        throw new SetupFailure('bind', EOPNOTSUPP, 'Node cannot bind a connecting Unix socket to a path');
      }
      this.remotePath = RemoteAddress;
      this.watchConnect(() => netConnect({ path: RemoteAddress }));
      return;
    }
    if (BindAddress === undefined) throw new SetupFailure('bind', EINVAL, 'a listening Unix socket needs a BindAddress (its path)');
    this.listen({ path: BindAddress, backlog: this.queueLimit });
  }

  /** Resolves a host to an address of `family`; an IP literal of the other family does not resolve. */
  private resolve(host: string, family: 4 | 6, operation: string, then: (address: string) => void): void {
    const literal = isIP(host);
    if (literal === family) return then(host);
    const refuse = (why: string) => new SetupFailure(operation, EADDRNOTAVAIL, `cannot resolve '${host}' to an IPv${family} address${why}`);
    if (literal !== 0) throw refuse(': it is an IPv' + literal + ' address');
    this.lookup(host, family, (error, address) => {
      if (this.settled || this.destroyed) return;
      if (error !== null || address === undefined || isIP(address) !== family) {
        this.fail(operation, EADDRNOTAVAIL, refuse(error !== null ? `: ${error.message}` : '').message, error ?? undefined);
        return;
      }
      this.step(() => then(address));
    });
  }

  /** Runs a setup step from a callback: a SetupFailure becomes a FailureEvent. */
  private step(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (!(error instanceof SetupFailure)) throw error;
      this.fail(error.operation, error.errno, error.message, error.error);
    }
  }

  // ---- Listening ------------------------------------------------------------------------------

  private listen(options: { host?: string; port?: number; path?: string; backlog: number; ipv6Only?: boolean }): void {
    const server = createServer();
    this.server = server;
    server.on('error', this.onServerError);
    server.on('connection', this.onConnection);
    try {
      const internal = server as unknown as { _listen2?: Listen2 };
      // In a node:cluster worker, listen() asks the primary for the shared socket; _listen2 would bind one of its own.
      if (options.host !== undefined && isIP(options.host) !== 0 && typeof internal._listen2 === 'function' && !cluster.isWorker) {
        // POE binds and listens inside new(), so getsockname() works at once (Server::TCP's Started
        // relies on it). Node's listen() with a host waits a tick for a lookup even for an IP
        // literal; _listen2, the step it then takes (kept by Node for code that wraps it), does not.
        internal._listen2(options.host, options.port ?? 0, isIP(options.host), options.backlog, undefined, 0);
      } else {
        server.listen(options);
      }
    } catch (error) {
      // Node validates some arguments synchronously (a bad path, for one).
      throw new SetupFailure('listen', errnoOf(error) || EINVAL, strerror(error), error);
    }
  }

  private readonly onServerError = (error: Error): void => {
    if (this.settled || this.destroyed) return;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (this.server?.listening) {
      // An accept() that failed: the listener goes on, as in POE.
      this.emit(this.names.FailureEvent, 'accept', errnoOf(error), strerror(error), this.ID(), error);
      return;
    }
    this.fail(BIND_ERRORS.has(code) ? 'bind' : 'listen', errnoOf(error), strerror(error), error);
  };

  private readonly onConnection = (socket: Socket): void => {
    socket.on('error', ignoreError);
    if (this.settled || this.destroyed) {
      socket.destroy();
      return;
    }
    if (this.paused || this.queued.length > 0) {
      // Past the limit only while paused: otherwise the queue is being drained this very turn.
      if (this.paused && this.queued.length >= this.queueLimit) socket.destroy();
      else this.queued.push(socket);
      return;
    }
    this.accept(socket);
  };

  private accept(socket: Socket): void {
    if (this.domain === 'unix') this.emit(this.names.SuccessEvent, socket, undefined, undefined, this.ID());
    else this.emit(this.names.SuccessEvent, socket, socket.remoteAddress, socket.remotePort, this.ID());
  }

  private scheduleDrain(): void {
    if (this.timer === undefined) this.timer = setImmediate(this.drain);
  }

  private readonly drain = (): void => {
    this.timer = undefined;
    while (this.queued.length > 0 && !this.paused && !this.destroyed) {
      const socket = this.queued.shift()!;
      if (socket.destroyed) continue;
      this.accept(socket);
    }
  };

  // ---- Connecting -----------------------------------------------------------------------------

  private watchConnect(open: () => Socket): void {
    let socket: Socket;
    try {
      socket = open();
    } catch (error) {
      // Node checks some arguments synchronously.
      throw new SetupFailure('connect', errnoOf(error) || EINVAL, strerror(error), error);
    }
    this.stream = socket;
    socket.on('error', this.onStreamError);
    socket.once('connect', this.onConnect);
  }

  private readonly onConnect = (): void => {
    const socket = this.stream!;
    if (this.settled || this.destroyed) return;
    socket.off('error', this.onStreamError).on('error', ignoreError);
    if (this.domain === 'unix') this.succeed(socket, this.remotePath, undefined);
    else this.succeed(socket, socket.remoteAddress, socket.remotePort);
  };

  private readonly onStreamError = (error: Error): void => {
    if (this.settled || this.destroyed) return;
    const syscall = (error as NodeJS.ErrnoException).syscall;
    this.fail(syscall === 'bind' ? 'bind' : 'connect', errnoOf(error), strerror(error), error);
  };

  // ---- Datagrams ------------------------------------------------------------------------------

  /** A bound (or unbound) datagram socket is ready; with a remote address it connects first. */
  private connectDatagram(address: string | undefined, port: number | undefined): void {
    const socket = this.datagram!;
    if (this.settled || this.destroyed) return;
    if (address === undefined) {
      this.succeed(socket, undefined, undefined);
      return;
    }
    try {
      socket.connect(port!, address, (error?: Error) => {
        if (this.settled || this.destroyed) return;
        if (error) this.fail('connect', errnoOf(error), strerror(error), error);
        else this.succeed(socket, address, port);
      });
    } catch (error) {
      throw new SetupFailure('connect', errnoOf(error) || EINVAL, strerror(error), error);
    }
  }

  private readonly onDatagramError = (error: Error): void => {
    if (this.settled || this.destroyed) return;
    const syscall = (error as NodeJS.ErrnoException).syscall;
    this.fail(syscall === 'connect' ? 'connect' : 'bind', errnoOf(error), strerror(error), error);
  };

  // ---- Outcomes -------------------------------------------------------------------------------

  /** The one success of a connector or datagram socket: the socket passes to the session. */
  private succeed(socket: Socket | DatagramSocket, address: string | undefined, port: number | undefined): void {
    if (socket === this.datagram) socket.off('error', this.onDatagramError).on('error', ignoreError);
    this.finish(() => this.emit(this.names.SuccessEvent, socket, address, port, this.ID()));
  }

  /** A failure that ends the wheel: what it opened is closed, FailureEvent goes out, the hold ends. */
  private fail(operation: string, errno: number, message: string, error?: unknown): void {
    this.settle();
    this.finish(() => this.emit(this.names.FailureEvent, operation, errno, message, this.ID(), error));
  }

  /** Closes what the wheel opened and has not handed over. */
  private settle(): void {
    if (this.timer !== undefined) clearImmediate(this.timer);
    this.timer = undefined;
    for (const socket of this.queued.splice(0)) socket.destroy();
    if (this.server !== undefined) closeServer(this.server);
    this.server = undefined;
    this.stream?.destroy();
    if (this.datagram !== undefined) closeDatagram(this.datagram);
    this.datagram = undefined;
  }

  /** Dispatches the wheel's last event (on the next turn when still in the constructor), then releases the session. */
  private finish(dispatch: () => void): void {
    this.settled = true;
    const done = () => {
      this.timer = undefined;
      dispatch();
      this.kernel.unwatchHandle(this.session, this);
    };
    if (this.constructing) this.timer = setImmediate(done);
    else done();
  }
}

// ---- Helpers ----------------------------------------------------------------------------------

function ignoreError(): void {}

const systemLookup: HostLookup = (hostname, family, callback) => {
  dnsLookup(hostname, { family }, (error, address) => callback(error, address));
};

function closeServer(server: Server): void {
  try {
    server.close();
  } catch {
    // already closed
  }
}

function closeDatagram(socket: DatagramSocket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}

function sockName(address: AddressInfo): SockName {
  return { family: address.family === 'IPv6' ? 'AF_INET6' : 'AF_INET', address: address.address, port: address.port };
}


/** SocketProtocol (with SocketType as a hint) as 'tcp' or 'udp'; POE's errors otherwise. */
function protocolOf(protocol: SocketFactoryOptions['SocketProtocol'], type: SocketFactoryOptions['SocketType']): 'tcp' | 'udp' {
  if (type !== undefined && type !== SOCK_STREAM && type !== SOCK_DGRAM) {
    throw new SetupFailure('socket', EINVAL, `unsupported SocketType ${String(type)}`);
  }
  let name: 'tcp' | 'udp';
  const given = protocol === undefined ? '0' : String(protocol).toLowerCase();
  if (given === '0') name = type === SOCK_DGRAM ? 'udp' : 'tcp';
  else if (given === '6' || given === 'tcp') name = 'tcp';
  else if (given === '17' || given === 'udp') name = 'udp';
  else throw new SetupFailure('getprotobyname', EPROTONOSUPPORT, `SocketFactory does not support protocol ${String(protocol)}`);
  const wanted = name === 'tcp' ? SOCK_STREAM : SOCK_DGRAM;
  if (type !== undefined && type !== wanted) {
    throw new SetupFailure('socket', EPROTONOSUPPORT, `protocol ${name} does not go with ${type}`);
  }
  return name;
}

/** Reuse is on for 'yes', 'on', true or a non-zero number, as POE reads it. */
function reuseOf(reuse: SocketFactoryOptions['Reuse']): boolean {
  if (reuse === undefined || reuse === null || reuse === false) return false;
  if (reuse === true) return true;
  if (typeof reuse === 'number') return reuse !== 0;
  const text = String(reuse).trim().toLowerCase();
  return text === 'yes' || text === 'on' || (/^\d+$/.test(text) && Number(text) !== 0);
}

/** A port number, or a service name looked up in /etc/services (POE's getservbyname). */
function portOf(port: number | string, protocol: 'tcp' | 'udp'): number {
  if (typeof port === 'number' || /^\d+$/.test(port)) {
    const n = Number(port);
    if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
    throw new SetupFailure('getservbyname', EADDRNOTAVAIL, `port ${String(port)} is out of range`);
  }
  const found = services(protocol).get(port);
  if (found === undefined) throw new SetupFailure('getservbyname', EADDRNOTAVAIL, `unknown ${protocol} service '${port}'`);
  return found;
}

let serviceTables: Record<'tcp' | 'udp', Map<string, number>> | undefined;

function services(protocol: 'tcp' | 'udp'): Map<string, number> {
  if (serviceTables === undefined) {
    serviceTables = { tcp: new Map(), udp: new Map() };
    let text = '';
    try {
      text = readFileSync('/etc/services', 'utf8');
    } catch {
      // no services database: only numeric ports
    }
    for (const line of text.split('\n')) {
      const fields = line.replace(/#.*/, '').trim().split(/\s+/);
      const entry = /^(\d+)\/(tcp|udp)$/.exec(fields[1] ?? '');
      if (entry === null) continue;
      const table = serviceTables[entry[2] as 'tcp' | 'udp'];
      for (const name of [fields[0]!, ...fields.slice(2)]) if (!table.has(name)) table.set(name, Number(entry[1]));
    }
  }
  return serviceTables[protocol];
}
