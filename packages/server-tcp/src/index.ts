// @poets/server-tcp: POE::Component::Server::TCP and POE::Component::Client::TCP, with the
// server-engine features of Net::Server. This file is the package's whole public surface.
export { Server, TCPServer } from './server.js';
export type { ClientInputRecord } from './connection.js';
export type {
  AcceptorArgs,
  ClientHeap,
  ClientInputArgs,
  ConnectedClientHeap,
  ErrorArgs,
  ListenEndpoint,
  ListenerHeap,
  PreConnectHandler,
  ServerHooks,
  SessionParams,
  SessionType,
  TCPServerOptions,
  WheelIdArgs,
} from './server-options.js';
export { DEFAULT_BACK_PRESSURE, RESERVED_CLIENT_STATES } from './server-config.js';
export { Client, TCPClient, RESERVED_CLIENT_TCP_STATES } from './client.js';
export type { ClientPreConnectHandler, ConnectedArgs, ConnectedServerHeap, TCPClientHeap, TCPClientOptions } from './client-options.js';
export { AddressMatcher, type NetmaskLike } from './address-matcher.js';
export { RefusalLog, type RefusalLogOptions } from './refusal-log.js';
export { AccessControl, unmapped, type AccessOptions, type ConnectionInfo, type ReverseLookup, type Verdict } from './access.js';
export { filterClassByName, type FilterClass, type FilterSpec } from './filters.js';
export { TLS_HANDSHAKE_TIMEOUT_MS, type ServerTlsOptions } from './tls.js';
export { packAddress } from './endpoints.js';
export type { ComponentLog, LogLevel, LogPeer } from './log.js';
export type { TCPClientHeapMembers } from './client-options.js';
