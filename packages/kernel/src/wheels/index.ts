// POE's wheels: I/O bound to a session's events.
export { Wheel, errnoOf, strerror } from './wheel.js';
export { Driver, DriverSysRW } from './driver.js';
export { ReadWrite, type ReadWriteEvents, type ReadWriteOptions } from './read-write.js';
export {
  SocketFactory,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  PF_INET,
  PF_INET6,
  PF_UNIX,
  SOCK_STREAM,
  SOCK_DGRAM,
  type SocketFactoryOptions,
  type SocketFactoryEvents,
  type SocketFactorySuccessArgs,
  type SocketFactoryFailureArgs,
  type SockName,
  type SocketDomainName,
  type SocketTypeName,
  type HostLookup,
} from './socket-factory.js';
export { ListenAccept, type ListenAcceptEvents, type ListenAcceptOptions, type PeerAddress } from './listen-accept.js';
export { ReadLine, type ReadLineException, type ReadLineOptions } from './read-line.js';
export { UDP, type Datagram, type UDPEvents, type UDPOptions } from './udp.js';
export { Run, type RunEvents, type RunOptions, type RunProgram, type RunRedirect } from './run.js';
export { FollowTail, type FollowTailEvents, type FollowTailOptions, type FollowTailHandle } from './follow-tail.js';
