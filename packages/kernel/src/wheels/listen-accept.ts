import type { AddressInfo, Server, Socket } from 'node:net';
import { errnoOf, eventChanges, strerror, warnUnknownParameters, Wheel } from './wheel.js';

/** The events a ListenAccept wheel dispatches, by POE's parameter names. */
export interface ListenAcceptEvents {
  /** ARG0 the accepted socket, ARG1 the peer's address (`{ family, address, port }`), ARG2 the wheel ID. Required. */
  AcceptEvent?: string;
  /**
   * ARG0 'accept', ARG1 errno, ARG2 the system's text for it, ARG3 the wheel ID; ARG4 (new)
   * Node's Error.
   */
  ErrorEvent?: string;
}

export interface ListenAcceptOptions extends ListenAcceptEvents {
  /** A listening (or about to listen) `net.Server`: the port's listening socket. */
  Handle: Server;
}

/** ARG1 of AcceptEvent: the peer's end, in place of the packed sockaddr POE passes. */
export interface PeerAddress {
  family: 'AF_INET' | 'AF_INET6' | 'AF_UNIX';
  address: string;
  port: number | undefined;
}

const KNOWN = ['Handle', 'AcceptEvent', 'ErrorEvent'];
const EVENT_NAMES: (keyof ListenAcceptEvents)[] = ['AcceptEvent', 'ErrorEvent'];

/**
 * POE::Wheel::ListenAccept: accepts connections on a listening socket made elsewhere (where
 * SocketFactory makes its own). The Handle is a Node `net.Server`; the wheel listens to its
 * connections and errors until `destroy()`, which leaves the server open, as POE leaves the
 * handle to its owner. Node accepts on its own, so a connection arriving after `destroy()` is
 * the owner's to take (or to close with the server); POE would leave it in the backlog.
 */
export class ListenAccept extends Wheel {
  private readonly handle: Server;
  private readonly names: { AcceptEvent: string; ErrorEvent: string | undefined };

  constructor(options: ListenAcceptOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('POE::Wheel::ListenAccept: needs an options object');
    if (options.Handle === undefined || options.Handle === null) throw new TypeError('POE::Wheel::ListenAccept: Handle required');
    if (options.AcceptEvent === undefined || options.AcceptEvent === null) throw new TypeError('POE::Wheel::ListenAccept: AcceptEvent required');
    if (typeof (options.Handle as Partial<Server>).on !== 'function' || typeof (options.Handle as Partial<Server>).address !== 'function') {
      throw new TypeError('POE::Wheel::ListenAccept: Handle must be a net.Server');
    }
    warnUnknownParameters('POE::Wheel::ListenAccept', options, KNOWN);
    super('POE::Wheel::ListenAccept');
    this.handle = options.Handle;
    this.names = { AcceptEvent: options.AcceptEvent, ErrorEvent: options.ErrorEvent };
    this.handle.on('connection', this.onConnection);
    this.handle.on('error', this.onError);
  }

  /** Renames events: `event('AcceptEvent', 'got', ...)` or `event({ AcceptEvent: 'got' })`. AcceptEvent cannot be unset. */
  event(...changes: (string | undefined | ListenAcceptEvents)[]): void {
    for (const [name, value] of eventChanges('POE::Wheel::ListenAccept', EVENT_NAMES, changes)) {
      if (name === 'AcceptEvent') {
        if (typeof value === 'string') this.names.AcceptEvent = value;
        else this.kernel.warn('POE::Wheel::ListenAccept: AcceptEvent requires an event name; ignoring undefined');
      } else {
        this.names.ErrorEvent = value;
      }
    }
  }

  protected release(): void {
    this.handle.off('connection', this.onConnection);
    this.handle.off('error', this.onError);
  }

  private readonly onConnection = (socket: Socket): void => {
    if (this.destroyed) return;
    this.emit(this.names.AcceptEvent, socket, peerOf(socket, this.handle), this.ID());
  };

  private readonly onError = (error: Error): void => {
    this.emit(this.names.ErrorEvent, 'accept', errnoOf(error), strerror(error), this.ID(), error);
  };
}

function peerOf(socket: Socket, server: Server): PeerAddress {
  const local = server.address();
  if (typeof local === 'string') return { family: 'AF_UNIX', address: '', port: undefined };
  const family = socket.remoteFamily ?? (local as AddressInfo | null)?.family;
  return { family: family === 'IPv6' ? 'AF_INET6' : 'AF_INET', address: socket.remoteAddress ?? '', port: socket.remotePort };
}
