import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Chunk, Filter } from '../filters/filter.js';
import { FilterError } from '../filters/filter-error.js';
import { errnoOf, eventChanges, FILTER_ERRNO, strerror, warnUnknownParameters, Wheel } from './wheel.js';

/** One datagram in (InputEvent ARG0) or out (`put()`): its records and the peer's address. */
export interface Datagram<Record = unknown> {
  /** The records the filter made of the datagram (or, for put, the records to send). */
  payload: Record[];
  /** The peer's address and port: where it came from, or where to send it. */
  addr?: string;
  port?: number;
  /** Octets received (input only). */
  bytes?: number;
}

/** The events a UDP wheel dispatches. */
export interface UDPEvents {
  /** ARG0 the datagram (`{ payload, addr, port, bytes }`), ARG1 the wheel ID. */
  InputEvent?: string;
  /** New to the port: ARG0 'bind' | 'connect' | 'send' | 'recv', ARG1 errno, ARG2 the system's text, ARG3 the wheel ID, ARG4 Node's Error. */
  ErrorEvent?: string;
}

export interface UDPOptions<In = unknown, Out = unknown> extends UDPEvents {
  /** Bind to this address (dotted quad, or an IPv6 address) and port (0: the system picks). */
  LocalAddr?: string;
  LocalPort?: number;
  /** Connect to this peer: datagrams go there by default, and only its datagrams come in. */
  PeerAddr?: string;
  PeerPort?: number;
  /** Where datagrams without an address go (without connecting). */
  DefaultAddr?: string;
  DefaultPort?: number;
  /** New to the port: a datagram socket made elsewhere (SocketFactory's SuccessEvent hands one over). */
  Handle?: DatagramSocket;
  Filter?: Filter<In, Out>;
  InputFilter?: Filter<In, unknown>;
  OutputFilter?: Filter<unknown, Out>;
}

const KNOWN = [
  'LocalAddr', 'LocalPort', 'PeerAddr', 'PeerPort', 'DefaultAddr', 'DefaultPort', 'Handle',
  'Filter', 'InputFilter', 'OutputFilter', 'InputEvent', 'ErrorEvent',
];
const EVENT_NAMES: (keyof UDPEvents)[] = ['InputEvent', 'ErrorEvent'];

/**
 * POE::Wheel::UDP (the CPAN wheel; POE's core has none): datagrams in as events with the peer's
 * address, datagrams out with `put()`. It is what a POE program that called `select_read` on a
 * datagram socket and `recv`'d in the handler becomes: give the socket as Handle, or let the
 * wheel bind LocalAddr/LocalPort. As in the CPAN wheel, InputEvent is posted (not called), and
 * a wheel without an InputEvent does not hold its session. Node reads whole datagrams (the CPAN
 * wheel truncates at 1500 octets). Node binds asynchronously: a bind failure is an ErrorEvent,
 * and a put() before the socket is bound is sent once it is.
 */
export class UDP<In = unknown, Out = unknown> extends Wheel {
  private readonly socket: DatagramSocket;
  private readonly owned: boolean;
  private readonly names: UDPEvents;
  private readonly inputFilter: Filter<In, unknown> | undefined;
  private readonly outputFilter: Filter<unknown, Out> | undefined;
  private readonly defaultAddr: string | undefined;
  private readonly defaultPort: number | undefined;
  private readonly holding: boolean;

  constructor(options: UDPOptions<In, Out>) {
    if (options === null || typeof options !== 'object') throw new TypeError('POE::Wheel::UDP: needs an options object');
    warnUnknownParameters('POE::Wheel::UDP', options, KNOWN);
    const { Handle, LocalAddr, LocalPort, PeerAddr, PeerPort, DefaultAddr, DefaultPort } = options;
    if (Handle === undefined && (LocalAddr === undefined || LocalPort === undefined)) throw new TypeError('POE::Wheel::UDP: LocalAddr and LocalPort (or a Handle) required');
    if ((DefaultAddr === undefined) !== (DefaultPort === undefined)) {
      throw new TypeError(`POE::Wheel::UDP: ${DefaultAddr === undefined ? 'DefaultAddr is required if DefaultPort is specified' : 'DefaultPort is required if DefaultAddr is specified'}`);
    }
    const inputFilter = options.InputFilter ?? options.Filter;
    if (options.InputEvent !== undefined && inputFilter === undefined) throw new TypeError('POE::Wheel::UDP: InputFilter option is required if InputEvent is defined');
    super('POE::Wheel::UDP');
    this.names = { InputEvent: options.InputEvent, ErrorEvent: options.ErrorEvent };
    this.inputFilter = inputFilter as Filter<In, unknown> | undefined;
    this.outputFilter = (options.OutputFilter ?? options.Filter) as Filter<unknown, Out> | undefined;
    this.defaultAddr = DefaultAddr;
    this.defaultPort = DefaultPort;
    this.owned = Handle === undefined;
    this.socket = Handle ?? createSocket({ type: isIP(LocalAddr!) === 6 ? 'udp6' : 'udp4', reuseAddr: true });
    this.socket.on('error', this.onError);
    this.socket.on('message', this.onMessage);
    if (this.owned) {
      this.socket.bind({ address: LocalAddr!, port: LocalPort! }, () => {
        if (PeerAddr !== undefined && PeerPort !== undefined && !this.destroyed) this.socket.connect(PeerPort, PeerAddr, (error?: Error) => error && this.failed('connect', error));
      });
    } else if (PeerAddr !== undefined && PeerPort !== undefined) {
      this.socket.connect(PeerPort, PeerAddr, (error?: Error) => error && this.failed('connect', error));
    }
    // As the CPAN wheel selects the socket only for an InputEvent, only then does it hold the session.
    this.holding = options.InputEvent !== undefined;
    if (!this.holding) this.kernel.unwatchHandle(this.session, this);
  }

  /** Sends each datagram's records, each output chunk of the filter as one datagram; returns the octets handed to the system. */
  put(...datagrams: Datagram<Out>[]): number {
    if (this.destroyed) return 0;
    if (this.outputFilter === undefined) throw new TypeError('POE::Wheel::UDP: an OutputFilter (or Filter) is required to put()');
    let total = 0;
    for (const datagram of datagrams) {
      if (datagram === null || typeof datagram !== 'object' || !Array.isArray(datagram.payload)) {
        this.kernel.warn('POE::Wheel::UDP: put() takes { payload: [records], addr?, port? }; ignoring one that is not');
        continue;
      }
      const addr = datagram.addr ?? this.defaultAddr;
      const port = datagram.port ?? this.defaultPort;
      for (const chunk of this.outputFilter.put(datagram.payload) as Chunk[]) {
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const done = (error: Error | null) => error && this.failed('send', error);
        if (addr !== undefined && port !== undefined) this.socket.send(data, port, addr, done);
        else this.socket.send(data, done);
        total += data.length;
      }
    }
    return total;
  }

  /** Renames events: `event('InputEvent', 'got', ...)` or `event({ InputEvent: 'got' })`. */
  event(...changes: (string | undefined | UDPEvents)[]): void {
    for (const [name, value] of eventChanges('POE::Wheel::UDP', EVENT_NAMES, changes)) this.names[name] = value;
  }

  /** The local end: `{ address, port }` once bound, else undefined. */
  getsockname(): { address: string; port: number } | undefined {
    try {
      const { address, port } = this.socket.address();
      return { address, port };
    } catch {
      return undefined;
    }
  }

  override destroy(): void {
    if (!this.holding && !this.destroyed) this.kernel.watchHandle(this.session, this);
    super.destroy();
  }

  protected release(): void {
    this.socket.off('message', this.onMessage);
    this.socket.off('error', this.onError);
    if (!this.owned) return;
    this.socket.on('error', () => {});
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private readonly onMessage = (message: Buffer, remote: { address: string; port: number; size: number }): void => {
    if (this.destroyed || this.names.InputEvent === undefined || this.inputFilter === undefined) return;
    const payload: unknown[] = [];
    try {
      this.inputFilter.get_one_start([message]);
      for (let records = this.inputFilter.get_one(); records.length > 0; records = this.inputFilter.get_one()) payload.push(...records);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      this.report('recv', FILTER_ERRNO[error.code] ?? 0, error.message, error);
      return;
    }
    const datagram: Datagram = { payload, addr: remote.address, port: remote.port, bytes: remote.size };
    // Posted, as the CPAN wheel yields it.
    this.kernel.post(this.session, this.names.InputEvent, datagram, this.ID());
  };

  private readonly onError = (error: Error): void => {
    const syscall = (error as NodeJS.ErrnoException).syscall;
    this.failed(syscall === 'bind' ? 'bind' : syscall === 'send' ? 'send' : 'recv', error);
  };

  private failed(operation: string, error: Error): void {
    this.report(operation, errnoOf(error), strerror(error), error);
  }

  private report(operation: string, errno: number, message: string, error: unknown): void {
    if (this.destroyed) return;
    if (this.names.ErrorEvent !== undefined) this.emit(this.names.ErrorEvent, operation, errno, message, this.ID(), error);
    else this.kernel.warn(`POE::Wheel::UDP: ${operation} error ${errno}: ${message}`);
  }
}
