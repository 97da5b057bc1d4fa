// @poets/net-server: Perl's Net::Server on the poets kernel.
export { NetServer, Single, Multiplex, DEFAULT_PORT, log_time, type NetServerOptions, type ServerProps } from './net-server.js';
export { Client, UdpClient, type AnyClient, type ClientInfo, type LinesOptions } from './client.js';
export { scalarRef, type OptionsTemplate, type ScalarRef } from './options.js';
export { parse_info, prepared_ports, type BindInfo, type PortSpec } from './ports.js';
export { SOMAXCONN, type ProtoSocket } from './proto.js';
export { SinglePersonality, MultiplexPersonality, type Personality } from './personality.js';
export { INET, InetPersonality, stdin_socket, stdio_client } from './inet.js';
export { check_pid_file, create_pid_file, remove_pid_file } from './pid-file.js';
export { BOUND_SOCKETS, parse_bound_sockets, respawn, type BoundSocket, type RespawnOptions } from './restart.js';
export { drop_privileges, get_gid, get_uid, type DropTo, type Dropped } from './privileges.js';
export { FACILITIES, SyslogLogger, syslog_message, syslog_options, syslog_timestamp, type SyslogOptions } from './syslog.js';
export { PreFork, PreForkSimple, PreForkPersonality, PreForkSimplePersonality } from './prefork.js';
export { Fork, ForkPersonality } from './fork.js';
export { MultiType } from './multitype.js';
export { PoolPersonality, type ChildEntry, type ChildStatus } from './pool.js';
export { childRole, CHILD_ROLE_ENV, type ChildRole } from './child-role.js';
export { ConfigError, LineTooLongError, NetServerError, PidFileError, PortError, TimeoutError } from './errors.js';
