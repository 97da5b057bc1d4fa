import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventArgs, Handler, Kernel, Logger, ReadWrite, SocketDomainName, SocketFactory, StateBindings } from '@poets/kernel';
import type { FilterSpec } from './filters.js';
import type { ComponentLog } from './log.js';
import type { ClientInputArgs, ErrorArgs, SessionParams, SessionType, WheelIdArgs } from './server-options.js';

/** The members of the client session's heap besides the connection's state (POE::Component::Client::TCP's). */
export interface TCPClientHeapMembers {
  /** True once `shutdown` was asked for: input is ignored, output flushed, then the connection closes. */
  shutdown: boolean;
  shutdown_on_error: boolean;
  got_an_error?: boolean;
  /** The ConnectTimeout alarm's ID while connecting. */
  ctimeout_id?: number;
  [member: string]: unknown;
}

/**
 * The client session's heap, as POE::Component::Client::TCP documents it. `connected` tells what
 * `server` holds, so a handler that checks it, as POE programs do before `put`, needs no cast:
 * while connected, `server` is the ReadWrite wheel talking with the server; otherwise it is the
 * SocketFactory while connecting, the ReadWrite wheel while a shutdown flushes, or nothing.
 */
export type TCPClientHeap<In = string, Out = string> = TCPClientHeapMembers &
  (
    | { connected: true; server: ReadWrite<In, Out> }
    | { connected: false; server?: SocketFactory | ReadWrite<In, Out> }
  );

/** The heap as the component itself changes it: any `connected` beside any `server`, between steps. */
export type MutableTCPClientHeap<In = string, Out = string> = TCPClientHeapMembers & {
  connected: boolean;
  server?: SocketFactory | ReadWrite<In, Out>;
};

/** The heap as the callbacks of a connection see it: `server` is the ReadWrite wheel. */
export type ConnectedServerHeap<In = string, Out = string> = TCPClientHeap<In, Out> & { server: ReadWrite<In, Out> };

/** SocketFactory's SuccessEvent: the socket, the peer's address and port, the wheel ID. */
export type ConnectedArgs = [socket: Socket, remoteAddress: string | undefined, remotePort: number | undefined, wheelId: number];

/** PreConnect: returns the socket to use (the one given or a new one, such as a TLS socket), or nothing to drop the connection. */
export type ClientPreConnectHandler<Heap> = {
  handle(_: EventArgs<Heap, ConnectedArgs>): Duplex | null | undefined | false;
}['handle'];

/** POE::Component::Client::TCP's parameters, spelt as POE spells them. */
export interface TCPClientOptions<In = string, Out = string> {
  /** Required (undefined means 127.0.0.1, as POE): a host name or address (a path for AF_UNIX). */
  RemoteAddress: string | undefined;
  /** Required: a port number or service name. */
  RemotePort: number | string | undefined;
  Domain?: SocketDomainName;
  BindAddress?: string;
  BindPort?: number | string;
  /** Seconds to wait for the connection; then ConnectError gets ('connect', ETIMEDOUT, ...). */
  ConnectTimeout?: number;
  Alias?: string;
  /** Given to Started as ARG0... */
  Args?: readonly unknown[];
  SessionType?: SessionType;
  SessionParams?: SessionParams;
  Started?: Handler<TCPClientHeap<NoInfer<In>, NoInfer<Out>>>;
  PreConnect?: ClientPreConnectHandler<TCPClientHeap<NoInfer<In>, NoInfer<Out>>>;
  /** The connection is made and its wheel is in `server`: ARG0 the socket, ARG1 the peer's address, ARG2 its port. */
  Connected?: Handler<ConnectedServerHeap<NoInfer<In>, NoInfer<Out>>, ConnectedArgs>;
  /** Connecting failed or timed out. Default: log it (the client then ends unless it reconnects). */
  ConnectError?: Handler<TCPClientHeap<NoInfer<In>, NoInfer<Out>>, ErrorArgs>;
  Disconnected?: Handler<TCPClientHeap<NoInfer<In>, NoInfer<Out>>>;
  /** Required: each input record, ARG0 the record, ARG1 the wheel ID. */
  ServerInput: Handler<ConnectedServerHeap<NoInfer<In>, NoInfer<Out>>, ClientInputArgs<NoInfer<In>>>;
  /** The connection's error (ReadWrite's ErrorEvent). Default: log it and shut down. */
  ServerError?: Handler<ConnectedServerHeap<NoInfer<In>, NoInfer<Out>>, ErrorArgs>;
  ServerFlushed?: Handler<ConnectedServerHeap<NoInfer<In>, NoInfer<Out>>, WheelIdArgs>;
  /** HighMark, LowMark, ServerHigh and ServerLow go together. */
  HighMark?: number;
  LowMark?: number;
  ServerHigh?: Handler<ConnectedServerHeap<NoInfer<In>, NoInfer<Out>>, WheelIdArgs>;
  ServerLow?: Handler<ConnectedServerHeap<NoInfer<In>, NoInfer<Out>>, WheelIdArgs>;
  /** Default: a Line filter. The forms of Server::TCP's ClientFilter. */
  Filter?: FilterSpec<In, Out>;
  InlineStates?: Readonly<Record<string, Handler<TCPClientHeap<NoInfer<In>, NoInfer<Out>>>>>;
  ObjectStates?: StateBindings;
  PackageStates?: StateBindings;

  // ---- New to the port ----------------------------------------------------------------------

  /** Where log lines go (the Logger contract, the component named `Client::TCP`). Default: the kernel's logger. */
  logger?: Logger;
  /** Older form of `logger`: a function taking each line and its level. */
  log?: ComponentLog;
  /** The kernel to run in. Default: the kernel dispatching the current event, else poe_kernel. */
  kernel?: Kernel;
}
