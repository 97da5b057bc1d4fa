// @poets/net-server: Perl's Net::Server on the poets kernel.
export { NetServer, Single, Multiplex, DEFAULT_PORT, log_time, type NetServerOptions, type ServerProps } from './net-server.js';
export { Client, UdpClient, type AnyClient, type ClientInfo, type LinesOptions } from './client.js';
export { scalarRef, type OptionsTemplate, type ScalarRef } from './options.js';
export { parse_info, prepared_ports, type BindInfo, type PortSpec } from './ports.js';
export { SOMAXCONN, type ProtoSocket } from './proto.js';
export { SinglePersonality, MultiplexPersonality, type Personality } from './personality.js';
export { PreFork, PreForkSimple, PreForkPersonality, PreForkSimplePersonality } from './prefork.js';
export { Fork, ForkPersonality } from './fork.js';
export { MultiType } from './multitype.js';
export { PoolPersonality, type ChildEntry, type ChildStatus } from './pool.js';
export { childRole, CHILD_ROLE_ENV, type ChildRole } from './child-role.js';
export { ConfigError, LineTooLongError, NetServerError, PidFileError, PortError, TimeoutError } from './errors.js';
