import type { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventArgs, EventMap, Handler, Kernel, Logger, ReadWrite, Session, SessionOptions, SocketDomainName, SocketFactory, StateBindings } from '@poets/kernel';
import type { AccessOptions, ConnectionInfo } from './access.js';
import type { FilterSpec } from './filters.js';
import type { ComponentLog } from './log.js';
import type { ServerTlsOptions } from './tls.js';

/** The listening session's heap, as POE::Component::Server::TCP documents it. */
export interface ListenerHeap {
  /** The server's Alias. */
  alias?: string;
  /** The Concurrency in force (-1: no limit). */
  concurrency: number;
  /** Connections open now. */
  connections: number;
  /** The (first) listening SocketFactory: `listener.getsockname()` tells the bound address and port. */
  listener?: SocketFactory;
  /** Every listening SocketFactory, one per `listen` endpoint (new to the port). */
  listeners: SocketFactory[];
  [member: string]: unknown;
}

/** A connection session's heap, as POE::Component::Server::TCP documents it. */
export interface ClientHeap<In = string, Out = string> {
  /** The connection's ReadWrite wheel (absent before it is made and once the connection is closed). */
  client?: ReadWrite<In, Out>;
  /** The peer's address in text form ('LOCAL' for a Unix-domain peer). */
  remote_ip: string;
  remote_port: number | undefined;
  /** The peer's address packed (4 or 16 bytes, as inet_pton makes it); undefined for a Unix-domain peer. */
  remote_addr: Buffer | undefined;
  /** The peer's name, when `reverseLookups` found one (new to the port). */
  remoteHost?: string;
  /** True once the connection is shutting down: input is ignored, output is flushed, then it closes. */
  shutdown: boolean;
  shutdown_on_error: boolean;
  /** True once the connection has had an error (or its handler died, or it idled out). */
  got_an_error?: boolean;
  [member: string]: unknown;
}

/** The heap as the Client* callbacks see it: the wheel is there. */
export type ConnectedClientHeap<In = string, Out = string> = ClientHeap<In, Out> & { client: ReadWrite<In, Out> };

/** Acceptor's arguments: SocketFactory's SuccessEvent (the socket is a TLSSocket, itself a Socket, when the endpoint has `tls`). */
export type AcceptorArgs = [socket: Socket, remoteAddress: string | undefined, remotePort: number | undefined, wheelId: number];

/** ClientInput's arguments: the record and the wheel ID. */
export type ClientInputArgs<In = string> = [input: In, wheelId: number];

/** ClientFlushed's, ClientHigh's and ClientLow's argument: the wheel ID. */
export type WheelIdArgs = [wheelId: number];

/** Error's and ClientError's arguments: the operation, errno (0 at end of input), the message, the wheel ID. */
export type ErrorArgs = [operation: string, errno: number, message: string, wheelId: number];

/** ClientPreConnect: returns the socket to use (the one given, or a new one such as a TLSSocket), or nothing to refuse the client. */
export type PreConnectHandler<Heap> = {
  handle(_: EventArgs<Heap, [socket: Socket, clientArgs: unknown[]]>): Duplex | null | undefined | false;
}['handle'];

/** SessionType: what makes the sessions (POE::Session by default). Anything with Session's `create`. */
export interface SessionType {
  create<Heap>(options: SessionOptions<Heap, EventMap>): Session<Heap>;
}

/**
 * SessionParams: more `Session.create` options for the listening and connection sessions (in
 * practice `options: { trace, debug, default }`), as an object or POE's flat list
 * (`['options', { trace: true }]`). The component's own states, args and heap win over these.
 */
export type SessionParams = Partial<SessionOptions<unknown, EventMap>> | readonly unknown[];

/** One address to listen on; what an entry leaves out comes from the top-level Address, Port, Domain, Hostname and tls. */
export interface ListenEndpoint {
  Address?: string;
  Port?: number | string;
  Domain?: SocketDomainName;
  Hostname?: string;
  /** TLS on this endpoint only, or `false` for plain TCP here when the server's `tls` is set. */
  tls?: ServerTlsOptions | false;
}

/** Net::Server's hooks, as callbacks (new to the port). */
export interface ServerHooks {
  /** After a connection is accepted, before access control (post_accept_hook). */
  postAcceptHook?: (info: ConnectionInfo) => void;
  /**
   * After the allow/deny rules let a client in: true lets it in, false refuses it
   * (allow_deny_hook). May answer later with a Promise. A throw or rejection refuses.
   */
  allowDenyHook?: (info: ConnectionInfo) => boolean | Promise<boolean>;
  /** A client was refused, by the rules or by allowDenyHook; it is closed after this (request_denied_hook). */
  requestDeniedHook?: (info: ConnectionInfo, reason: string) => void;
  /** The server is about to close its listeners: on `shutdown`, or when the default Error gives up (pre_server_close_hook). */
  preServerCloseHook?: (heap: ListenerHeap) => void;
}

/**
 * POE::Component::Server::TCP's parameters, spelt as POE spells them, plus the Net::Server
 * features new to the port in camelCase.
 */
export interface TCPServerOptions<In = string, Out = string> extends AccessOptions, ServerHooks {
  /** The port to bind; 0 (the default) lets the system choose. A service name works too. */
  Port?: number | string;
  /** The address to bind (the socket's path for AF_UNIX). Default: any address of the Domain. */
  Address?: string;
  /** AF_INET (default), AF_INET6 or AF_UNIX (and their PF_ names). */
  Domain?: SocketDomainName;
  /** A host name to resolve and bind, when Address is not given. */
  Hostname?: string;
  /** An alias for the listening session. */
  Alias?: string;
  /** Handles each accepted socket yourself (instead of ClientInput and the other Client* parameters). */
  Acceptor?: Handler<ListenerHeap, AcceptorArgs>;
  /** The listener failed (bind, listen, accept). Default: log it and stop listening. */
  Error?: Handler<ListenerHeap, ErrorArgs>;
  /** How many connections may be open at once; -1 (default) for no limit, 0 to accept none until set_concurrency. */
  Concurrency?: number;
  /** Called at the end of the listening session's _start, with ListenerArgs as ARG0... */
  Started?: Handler<ListenerHeap>;
  /** Called in the listening session's _stop. */
  Stopped?: Handler<ListenerHeap>;
  ListenerArgs?: readonly unknown[];
  /** Given to ClientConnected as ARG0... */
  ClientArgs?: readonly unknown[];
  /** The old name of ClientArgs. */
  Args?: readonly unknown[];
  ClientConnected?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>>;
  ClientDisconnected?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>>;
  /** A connection's error (ReadWrite's ErrorEvent). Default: log it (but not a plain disconnection). */
  ClientError?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>, ErrorArgs>;
  /** Default: a Line filter (any newline in, CR LF out). */
  ClientFilter?: FilterSpec<In, Out>;
  ClientInputFilter?: FilterSpec<In, unknown>;
  ClientOutputFilter?: FilterSpec<unknown, Out>;
  ClientFlushed?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>, WheelIdArgs>;
  /** Each input record: ARG0 the record, ARG1 the wheel ID. */
  ClientInput?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>, ClientInputArgs<NoInfer<In>>>;
  /** Close a connection after ClientError (default true). */
  ClientShutdownOnError?: boolean | number | string;
  ClientPreConnect?: PreConnectHandler<ClientHeap<NoInfer<In>, NoInfer<Out>>>;
  /** HighMark, LowMark, ClientHigh and ClientLow go together. */
  ClientHigh?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>, WheelIdArgs>;
  ClientLow?: Handler<ConnectedClientHeap<NoInfer<In>, NoInfer<Out>>, WheelIdArgs>;
  HighMark?: number;
  LowMark?: number;
  SessionType?: SessionType;
  SessionParams?: SessionParams;
  /** More states for each connection session. */
  InlineStates?: Readonly<Record<string, Handler<ClientHeap<NoInfer<In>, NoInfer<Out>>>>>;
  ObjectStates?: StateBindings;
  PackageStates?: StateBindings;

  // ---- New to the port ----------------------------------------------------------------------

  /** Several addresses to listen on; each entry's missing fields come from the top-level ones. */
  listen?: readonly ListenEndpoint[];
  /** The listen() backlog (SocketFactory's ListenQueue). */
  listenQueue?: number;
  /** Seconds a connection may go without a complete input record before it is closed and logged. */
  idleTimeout?: number;
  /** The longest input line, in bytes, for the Line filter the component makes (or a Line class given as ClientFilter). */
  maxLineLength?: number;
  /**
   * Bytes of output a client has not read yet above which its input is paused (no ClientInput)
   * until that output has been written; default 1 MiB (`DEFAULT_BACK_PRESSURE`), `false` never
   * pauses. Keeps a server written the obvious way (put what you read) bounded against a client
   * that sends and never reads.
   */
  backPressure?: number | false;
  /** TLS on every endpoint (node:tls server options: key, cert, ca, requestCert...). */
  tls?: ServerTlsOptions;
  /** Where log lines go (the Logger contract: the component is named `Server::TCP`, the peer is in each connection's line). Default: the kernel's logger. */
  logger?: Logger;
  /** Older form of `logger`: a function taking each line and its level (and the peer, when there is one). */
  log?: ComponentLog;
  /** The kernel to run in. Default: the kernel dispatching the current event, else poe_kernel. */
  kernel?: Kernel;
}
