import { randomBytes } from 'node:crypto';
import { isIPv6, type Socket } from 'node:net';
import {
  ARG0,
  ARG1,
  ARG2,
  ARG3,
  FilterStream,
  HEAP,
  KERNEL,
  ReadWrite,
  SENDER,
  SESSION,
  Session,
  SocketFactory,
  Subscribers,
  poe_kernel,
  type EventArgs,
  componentLogger,
  lineLogger,
  type Kernel,
  type Logger,
  type SockName,
} from '@poets/kernel';
import { RefusalLog } from '@poets/server-tcp';
import type { Netmask } from 'netmask';
import { Subject, type Observable } from 'rxjs';
import { IV_SIZE, NSCA_PORT } from '../codec/constants.js';
import { NscaDecoder, type DecodeResult } from '../codec/decoder.js';
import type { RefusalReason } from '../codec/packet.js';
import { isSupportedMethod } from '../ciphers/methods.js';
import { UnsupportedMethodError } from '../errors.js';
import { AccessList } from './access.js';
import { DescriptorBudget, isDescriptorExhaustion } from './descriptor-budget.js';
import { resultOf, type NSCAResult } from './result.js';

/** Why the server refused a connection or a packet (`activity$`), spelled as a metric label. */
export type NSCARefusal =
  | 'not_allowed'
  | 'bad_size'
  | 'bad_version'
  | 'bad_crc'
  | 'too_old'
  | 'from_future'
  | 'legacy'
  | 'truncated'
  | 'bad_packets'
  | 'timeout'
  | 'descriptors'
  | 'io_error'
  | 'accept_error';

/** New to the port: what the server does with its clients, for counters. */
export type NSCAActivity =
  | { kind: 'accepted'; peeraddr: string; peerport: number }
  | { kind: 'refused'; reason: NSCARefusal; scope: 'connection' | 'packet'; peeraddr: string }
  | { kind: 'closed'; peeraddr: string; peerport: number; bytesRead: number; bytesWritten: number };

export interface ServerNSCAOptions {
  /** Mandatory (an empty string is allowed: then only the IV encrypts). */
  password: string | Uint8Array;
  /** Mandatory: the NSCA encryption method number (see `supportedMethods()`). */
  encryption: number;
  alias?: string;
  /** Address to listen on (default all IPv4 addresses, as the original); an IPv6 address listens on IPv6, `::` on both. */
  address?: string;
  /** Default 5667; 0 picks a free port (see `getsockname()`). */
  port?: number;
  /** Seconds a client has to complete each packet (default 60): a silent or trickling client is cut. */
  time_out?: number;
  /** Netmask objects (or CIDR strings) allowed to connect; default: everyone. */
  access?: readonly (Netmask | string)[];
  /** Accept 720-byte legacy packets (default true). */
  acceptLegacy?: boolean;
  /** Deliver packets whose CRC does not match, flagged `crc_ok: false`, as the Perl original did (default false: drop them, as nsca does). */
  deliverBadCrc?: boolean;
  /** Refuse packets older (or further in the future) than this many seconds (default: not enforced, as nsca 2.10). */
  maxPacketAge?: number;
  /** Where refusals and errors are logged, each line naming the component (`nsca`) and the peer (default: the kernel's logger). */
  logger?: Logger;
  /** Older form of `logger`: a function taking each formatted line. */
  log?: (line: string) => void;
  /** New to the port: a connection is closed after this many refused packets (default 3). */
  maxBadPackets?: number;
  /** New to the port: seconds over which repeated refusals from one peer are counted into one summary line (default 10). */
  refusalPeriod?: number;
  /**
   * New to the port: the descriptors the server may use for connections before it closes the
   * oldest connection that has not completed a packet to let a new one in (default: the soft
   * RLIMIT_NOFILE, less the descriptors open at spawn and a reserve of 64).
   */
  maxConnections?: number;
  /**
   * New to the port: called when the listening socket cannot be set up (address in use, not
   * available...), with SocketFactory's FailureEvent arguments; the component then shuts down.
   */
  onListenError?: (operation: string, errno: number, message: string) => void;
  /**
   * New to the port: called when a client has ended its connection, after its results were
   * delivered. When it returns a promise, the connection is closed only once that settles (what
   * poets-nscad uses so that a client whose connection was closed knows its checks were written
   * or spooled); undefined closes it at once, as before.
   */
  holdClose?: () => PromiseLike<void> | undefined;
  /**
   * New to the port: serve this one connected socket instead of listening (nsca --inetd: the
   * connection inetd accepted, on standard input). address and port are then unused.
   */
  socket?: Socket;
  kernel?: Kernel;
}

interface Connection {
  wheel: ReadWrite<Buffer, Buffer>;
  socket: Socket;
  decoder: NscaDecoder;
  peeraddr: string;
  peerport: number;
  timeOut: number;
  /** When (Date.now() ms) the connection is cut unless a packet completes first. */
  deadline: number;
  /** Packets refused on this connection so far. */
  badPackets: number;
}

/** What a new connection is served with; `reconfigure()` replaces it. */
interface Settings {
  /** The password's bytes (a string is taken as UTF-8 once, not per connection). */
  password: Uint8Array;
  encryption: number;
  timeOut: number;
  access: AccessList;
  decoderOptions: { acceptLegacy: boolean; deliverBadCrc: boolean; maxPacketAge?: number };
}

/** What `reconfigure()` may change: everything but where the server listens. */
export type ServerNSCASettings = Pick<ServerNSCAOptions, 'password' | 'encryption' | 'time_out' | 'access' | 'acceptLegacy' | 'deliverBadCrc' | 'maxPacketAge'>;

function settingsOf(options: ServerNSCASettings): Settings {
  if (options === undefined || options.password === undefined || options.password === null) {
    throw new TypeError('ServerNSCA.spawn: the password parameter is mandatory');
  }
  if (typeof options.encryption !== 'number') throw new TypeError('ServerNSCA.spawn: the encryption parameter is mandatory');
  if (!isSupportedMethod(options.encryption)) throw new UnsupportedMethodError(options.encryption);
  const timeOut = options.time_out ?? 60;
  if (!(timeOut > 0)) throw new RangeError(`ServerNSCA.spawn: time_out must be a positive number of seconds, not ${timeOut}`);
  return {
    password: typeof options.password === 'string' ? Buffer.from(options.password, 'utf8') : options.password,
    encryption: options.encryption,
    timeOut,
    access: new AccessList(options.access),
    decoderOptions: {
      acceptLegacy: options.acceptLegacy ?? true,
      deliverBadCrc: options.deliverBadCrc ?? false,
      ...(options.maxPacketAge === undefined ? {} : { maxPacketAge: options.maxPacketAge }),
    },
  };
}

interface Heap {
  listener?: SocketFactory;
  /** Where the listener is bound (rebind() moves it). */
  address: string;
  port: number;
  /** The alarm of the next deadline sweep, while connections are open. */
  sweep?: number;
  connections: Map<number, Connection>;
  /** Connections whose client has ended, kept open until `holdClose`'s promise settles. */
  held: Map<number, Connection>;
  /** While a `shutdown({ drain })` waits for open connections: its deadline alarm. */
  draining?: number | undefined;
  /** The pending check for room (setImmediate) after accepts at the connection budget. */
  roomCheck?: NodeJS.Immediate;
  /** The connections that have not completed a packet yet, oldest first: shed first when descriptors run out. */
  fresh: Map<number, Connection>;
  registered: Subscribers;
}

type Ev = EventArgs<Heap>;

const REFCOUNT_TAG = 'nsca-register';
/** Seconds a client may stay without completing a packet while a shutdown drains the connections. */
const DRAIN_IDLE = 1;

/**
 * POE::Component::Server::NSCA: receives NSCA check results (from send_nsca, Client::NSCA...)
 * and posts each to the sessions registered for it. Unlike the Perl original it reads every packet
 * a connection carries, in both sizes; draws its IVs from crypto.randomBytes; drops packets whose
 * CRC does not match; and can enforce a maximum packet age.
 */
export class ServerNSCA {
  private readonly kernel: Kernel;
  private readonly session: Session<Heap>;
  private readonly subject = new Subject<NSCAResult>();
  /** Every check result accepted, also posted to the registered sessions. Completes at shutdown. */
  readonly results$: Observable<NSCAResult> = this.subject.asObservable();
  private readonly activity = new Subject<NSCAActivity>();
  /** Each connection accepted, refused or closed (with its byte counts), and each packet refused. Completes at shutdown. */
  readonly activity$: Observable<NSCAActivity> = this.activity.asObservable();

  /** Starts the component; throws at once for a missing password or an encryption method nobody provides. */
  static spawn(options: ServerNSCAOptions): ServerNSCA {
    return new ServerNSCA(options);
  }

  private settings: Settings;

  private constructor(options: ServerNSCAOptions) {
    this.kernel = options.kernel ?? poe_kernel;
    const kernel = this.kernel;
    const logger = componentLogger(options.logger ?? (options.log !== undefined ? lineLogger(options.log) : kernel.logger), 'nsca');
    const refusalLog = new RefusalLog({ logger, periodMs: (options.refusalPeriod ?? 10) * 1000 });
    const activity = this.activity;
    /** Logs a refusal (rate-limited, grouped by `kind`) and reports it on activity$ as `reason`. */
    const refuse = (peer: { address: string; port?: number }, reason: NSCARefusal, kind: string, scope: 'connection' | 'packet', message: string | (() => string)): void => {
      activity.next({ kind: 'refused', reason, scope, peeraddr: peer.address });
      refusalLog.refuse(peer, kind, scope, message);
    };
    const maxBadPackets = options.maxBadPackets ?? 3;
    const budget = new DescriptorBudget(options.maxConnections);
    const peerOf = (connection: Connection) => ({ address: connection.peeraddr, port: connection.peerport });
    const subject = this.subject;
    this.settings = settingsOf(options);

    const close = (heap: Heap, id: number): void => {
      const connection = heap.connections.get(id);
      if (connection === undefined) return;
      heap.connections.delete(id);
      heap.fresh.delete(id);
      connection.decoder.dispose();
      activity.next({ kind: 'closed', peeraddr: connection.peeraddr, peerport: connection.peerport, bytesRead: connection.socket.bytesRead, bytesWritten: connection.socket.bytesWritten });
      // The server writes nothing after the init packet: once that has left, close the socket now,
      // also for a client cut before its EOF (timeout, shutdown), which the wheel would otherwise
      // end gracefully, waiting on a peer that may never read.
      const { socket, wheel } = connection;
      if (!socket.destroyed && wheel.get_driver_out_octets() === 0) socket.destroy();
      wheel.destroy();
    };

    // Deadlines are checked by one sweep alarm (every time_out / 4, 50 ms to 1 s) rather than one
    // alarm per connection, which a one-packet connection would set, move and remove: a client
    // is cut between time_out and time_out + that period after its last complete packet.
    const scheduleSweep = (heap: Heap, timeOut: number): void => {
      if (heap.sweep !== undefined) return;
      heap.sweep = kernel.delay_set('nsca_sweep', Math.min(1, Math.max(0.05, timeOut / 4)));
    };

    /** Delivers what a connection's bytes completed; false when too many refusals closed it. */
    const deliver = (heap: Heap, id: number, connection: Connection, results: DecodeResult[]): boolean => {
      for (const decoded of results) {
        if (!decoded.ok) {
          refuse(peerOf(connection), REFUSAL_LABELS[decoded.reason], REFUSAL_KINDS[decoded.reason], 'packet', () => `refused a packet: ${decoded.message}`);
          if (++connection.badPackets >= maxBadPackets && heap.connections.has(id)) {
            refuse(peerOf(connection), 'bad_packets', 'closed after repeated refused packets', 'connection', () => `closing the connection after ${connection.badPackets} refused packets`);
            close(heap, id);
            return false;
          }
          continue;
        }
        heap.fresh.delete(id);
        const result = resultOf(decoded.packet, connection.peeraddr, connection.peerport);
        heap.registered.post(result);
        subject.next(result);
      }
      return true;
    };

    /** The listening socket for the heap's address and port (at spawn, and again on rebind). */
    const listen = (heap: Heap): void => {
      heap.listener = new SocketFactory({
        SocketDomain: isIPv6(heap.address) ? 'AF_INET6' : 'AF_INET',
        BindAddress: heap.address,
        BindPort: heap.port,
        // nsca's listen(SOMAXCONN): a flood of connections waits in the kernel's queue rather than
        // having a real client's SYN dropped (Node's default backlog is 511)
        ListenQueue: LISTEN_QUEUE,
        Reuse: 'yes',
        SuccessEvent: 'nsca_accepted',
        FailureEvent: 'nsca_listen_failed',
      });
    };

    /** Descriptors are short: the oldest connection that has not completed a packet goes, so that a client that sends one gets in. */
    const shed = (heap: Heap, why: () => string): boolean => {
      const oldest = heap.fresh.entries().next();
      if (oldest.done === true) return false;
      const [id, connection] = oldest.value;
      refuse(peerOf(connection), 'descriptors', 'descriptors exhausted', 'connection', () => `descriptors exhausted (${why()}): closing the oldest connection without a complete packet`);
      close(heap, id);
      return true;
    };

    /** The end of a shutdown: every client closed, the registered sessions let go, results$ complete. */
    const finish = (heap: Heap): void => {
      if (heap.roomCheck !== undefined) clearImmediate(heap.roomCheck);
      heap.roomCheck = undefined;
      if (heap.draining !== undefined) kernel.alarm_remove(heap.draining);
      heap.draining = undefined;
      if (heap.sweep !== undefined) kernel.alarm_remove(heap.sweep);
      heap.sweep = undefined;
      for (const id of [...heap.connections.keys()]) close(heap, id);
      for (const [id, connection] of [...heap.held]) {
        heap.held.delete(id);
        heap.connections.set(id, connection);
        close(heap, id);
      }
      refusalLog.flush();
      heap.registered.clear();
      if (options.alias !== undefined) kernel.alias_remove(options.alias);
      subject.complete();
      activity.complete();
    };
    /** During a draining shutdown: finishes it once the last client is done. */
    const drained = (heap: Heap): void => {
      if (heap.draining !== undefined && heap.connections.size === 0 && heap.held.size === 0) finish(heap);
    };

    this.session = Session.create<Heap>({
      kernel,
      heap: {
        address: options.address ?? '0.0.0.0',
        port: options.port ?? NSCA_PORT,
        connections: new Map(),
        held: new Map(),
        fresh: new Map(),
        registered: new Subscribers(kernel, REFCOUNT_TAG),
      },
      inline_states: {
        _start: (_: Ev) => {
          if (options.alias !== undefined) _[KERNEL].alias_set(options.alias);
          if (options.socket !== undefined) _[KERNEL].yield('nsca_accepted', options.socket, options.socket.remoteAddress, options.socket.remotePort);
          else listen(_[HEAP]);
        },
        nsca_rebind: (_: Ev) => {
          const heap = _[HEAP];
          if (heap.listener === undefined) return; // shut down
          // the listener moves; the connections it accepted stay (as nsca keeps them on HUP)
          heap.listener.destroy();
          heap.address = String(_[ARG0]);
          heap.port = Number(_[ARG1]);
          listen(heap);
        },
        nsca_listen_failed: (_: Ev) => {
          const heap = _[HEAP];
          if (_[ARG0] === 'accept') {
            // an accept that failed does not stop the server: for lack of descriptors, make room
            const errno = Number(_[ARG1]);
            const message = String(_[ARG2]);
            if (isDescriptorExhaustion(errno)) shed(heap, () => message);
            else refuse({ address: heap.address }, 'accept_error', `accept error ${errno}`, 'connection', `accept failed: ${String(_[ARG2])}`);
            return;
          }
          logger.log('error', `cannot listen on ${heap.address}:${heap.port}: ${String(_[ARG0])} error ${String(_[ARG1])}: ${String(_[ARG2])}`);
          options.onListenError?.(String(_[ARG0]), Number(_[ARG1]), String(_[ARG2]));
          _[KERNEL].yield('shutdown');
        },
        nsca_accepted: (_: Ev) => {
          const socket = _[ARG0] as Socket;
          const peeraddr = String(_[ARG1] ?? socket.remoteAddress ?? '');
          const peerport = Number(_[ARG2] ?? socket.remotePort ?? 0);
          const heap = _[HEAP];
          if (peeraddr === '') {
            // reset by the peer before it was served: nothing to serve, nobody to name
            socket.destroy();
            return;
          }
          const { access, password, encryption, decoderOptions, timeOut } = this.settings;
          if (!access.allows(peeraddr)) {
            refuse({ address: peeraddr, port: peerport }, 'not_allowed', 'not in the access list', 'connection', 'refused connection: not in the access list');
            socket.destroy();
            return;
          }
          activity.next({ kind: 'accepted', peeraddr, peerport });
          if (heap.connections.size >= budget.limit && heap.roomCheck === undefined) {
            // Make room after this turn's reads, not now: a burst of accepts comes before the
            // reads of the same turn, and a client that has sent its packet must not be taken
            // for an idle one. The oldest go; the newest (a client about to send) stay.
            heap.roomCheck = setImmediate(() => this.kernel.call(this.session, 'nsca_make_room'));
          }
          const iv = nextIv();
          const wheel = new ReadWrite<Buffer, Buffer>({
            Handle: socket,
            Filter: new FilterStream(),
            InputEvent: 'nsca_input',
            ErrorEvent: 'nsca_error',
            // the init packet is the only thing ever written: no batch to wait for
            AutoFlush: true,
          });
          const connection: Connection = {
            wheel,
            socket,
            decoder: new NscaDecoder(encryption, password, iv, decoderOptions),
            peeraddr,
            peerport,
            timeOut,
            deadline: Date.now() + timeOut * 1000,
            badPackets: 0,
          };
          heap.connections.set(wheel.ID(), connection);
          heap.fresh.set(wheel.ID(), connection);
          scheduleSweep(heap, timeOut);
          const init = Buffer.allocUnsafe(IV_SIZE + 4);
          iv.copy(init, 0);
          init.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, IV_SIZE);
          wheel.put(init);
        },
        nsca_make_room: (_: Ev) => {
          const heap = _[HEAP];
          heap.roomCheck = undefined;
          const open = heap.connections.size;
          while (heap.connections.size > budget.limit - 1 && shed(heap, () => `${open} connections open, ${budget.describe()}`));
        },
        nsca_input: (_: Ev) => {
          const id = _[ARG1] as number;
          const connection = _[HEAP].connections.get(id);
          if (connection === undefined) return;
          const results = connection.decoder.push(_[ARG0] as Buffer);
          if (results.length === 0) return;
          // Each packet completed gives the client time_out seconds more for the next one (while
          // draining at shutdown, DRAIN_IDLE: what it had sent is read; a client that goes on is cut).
          connection.deadline = Date.now() + (_[HEAP].draining === undefined ? connection.timeOut : Math.min(connection.timeOut, DRAIN_IDLE)) * 1000;
          deliver(_[HEAP], id, connection, results);
        },
        nsca_error: (_: Ev) => {
          const id = _[ARG3] as number;
          const connection = _[HEAP].connections.get(id);
          if (connection === undefined) return;
          if (_[ARG1] === 0) {
            if (!deliver(_[HEAP], id, connection, connection.decoder.end())) return void drained(_[HEAP]);
          } else {
            refuse(peerOf(connection), 'io_error', `${String(_[ARG0])} error ${String(_[ARG1])}`, 'connection', () => `${String(_[ARG0])} error ${String(_[ARG1])}: ${String(_[ARG2])}`);
          }
          const hold = _[ARG1] === 0 ? options.holdClose?.() : undefined;
          if (hold === undefined) close(_[HEAP], id);
          else {
            // closed (the client's acknowledgement) once what it sent is safe
            _[HEAP].connections.delete(id);
            _[HEAP].fresh.delete(id);
            _[HEAP].held.set(id, connection);
            const session = _[SESSION];
            const release = () => void kernel.post(session, 'nsca_release', id);
            hold.then(release, release);
          }
          drained(_[HEAP]);
        },
        nsca_release: (_: Ev) => {
          const heap = _[HEAP];
          const connection = heap.held.get(_[ARG0] as number);
          if (connection === undefined) return;
          heap.held.delete(_[ARG0] as number);
          heap.connections.set(_[ARG0] as number, connection);
          close(heap, _[ARG0] as number);
          drained(heap);
        },
        nsca_drain_end: (_: Ev) => {
          const heap = _[HEAP];
          heap.draining = undefined;
          if (heap.connections.size > 0) logger.log('notice', `shutting down: cutting ${heap.connections.size} connection(s) that did not end in time`);
          finish(heap);
        },
        nsca_sweep: (_: Ev) => {
          const heap = _[HEAP];
          heap.sweep = undefined;
          const now = Date.now();
          let shortest = Infinity;
          for (const [id, connection] of heap.connections) {
            if (connection.deadline > now) {
              shortest = Math.min(shortest, connection.timeOut);
              continue;
            }
            const within = heap.draining === undefined ? connection.timeOut : Math.min(connection.timeOut, DRAIN_IDLE);
            const reason = `${heap.draining === undefined ? '' : 'shutting down: '}no complete packet within ${within} s`;
            refuse(peerOf(connection), 'timeout', reason, 'connection', () => `${reason} (${connection.decoder.pending} bytes pending); closing`);
            close(heap, id);
          }
          if (heap.connections.size > 0) scheduleSweep(heap, shortest);
          drained(heap);
        },
        register: (_: Ev) => {
          const refused = _[HEAP].registered.register(_[SENDER], _.slice(ARG0));
          if (refused !== undefined) logger.log('warning', refused);
        },
        unregister: (_: Ev) => _[HEAP].registered.unregister(_[SENDER]),
        shutdown: (_: Ev) => {
          const heap = _[HEAP];
          heap.listener?.destroy();
          heap.listener = undefined;
          const drain = (_[ARG0] as { drain?: number } | undefined)?.drain ?? 0;
          if (drain > 0 && heap.draining !== undefined) return; // draining already
          if (drain > 0 && heap.connections.size + heap.held.size > 0) {
            // new clients are refused; those already served end their packets (or their time_out, or this deadline)
            heap.draining = _[KERNEL].delay_set('nsca_drain_end', drain);
            const idle = Date.now() + DRAIN_IDLE * 1000;
            for (const connection of heap.connections.values()) connection.deadline = Math.min(connection.deadline, idle);
            if (heap.sweep !== undefined) _[KERNEL].alarm_remove(heap.sweep);
            heap.sweep = undefined;
            if (heap.connections.size > 0) scheduleSweep(heap, DRAIN_IDLE);
            return;
          }
          finish(heap);
        },
        _stop: (_: Ev) => {
          _[HEAP].registered.clear();
          subject.complete();
        },
      },
    });
  }

  /** The component's session ID, to post `register`, `unregister` and `shutdown` to. */
  session_id(): number {
    return this.session.ID();
  }

  /**
   * Stops listening, drops the clients and unregisters the registered sessions. With `drain`
   * (seconds, new to the port), the clients already connected are served first: each is read
   * to its end (or its time_out) and its results delivered, for at most that long.
   */
  shutdown(options: { drain?: number } = {}): void {
    this.kernel.call(this.session, 'shutdown', options);
  }

  /**
   * Changes how new connections are served (password, method, access list, time_out, packet
   * checks); connections already open keep what they started with. Throws, changing nothing,
   * on settings spawn would refuse.
   */
  reconfigure(settings: ServerNSCASettings): void {
    this.settings = settingsOf(settings);
  }

  /**
   * New to the port: listens on another address or port (what `poets-nscad` does when a HUP
   * changes them); the connections already open are served to their end. A bind failure is
   * handled as at spawn (`onListenError`, then the component shuts down).
   */
  rebind(address: string, port: number): void {
    this.kernel.call(this.session, 'nsca_rebind', address, port);
  }

  /** The listening address and port (undefined once shut down). */
  getsockname(): SockName | undefined {
    return this.session.get_heap().listener?.getsockname();
  }
}

/** SOMAXCONN on Linux since 5.4 (the kernel caps it at net.core.somaxconn). */
const LISTEN_QUEUE = 4096;

/** How refusals are grouped in the rate-limited log (one summary line per peer and kind). */
const REFUSAL_KINDS: Readonly<Record<RefusalReason, string>> = {
  size: 'bad size',
  version: 'bad version',
  crc: 'CRC-32 mismatch',
  age: 'too old',
  future: 'from the future',
  legacy: 'legacy packet refused',
  truncated: 'truncated packet',
};

/** The same reasons as metric labels. */
const REFUSAL_LABELS: Readonly<Record<RefusalReason, NSCARefusal>> = {
  size: 'bad_size',
  version: 'bad_version',
  crc: 'bad_crc',
  age: 'too_old',
  future: 'from_future',
  legacy: 'legacy',
  truncated: 'truncated',
};

/**
 * IVs come from crypto.randomBytes drawn 64 at a time (one call per connection costs a few µs,
 * a measurable share of a one-packet connection). Each IV is used once.
 */
const IV_BATCH = 64;
let ivPool = Buffer.alloc(0);
let ivAt = 0;

function nextIv(): Buffer {
  if (ivAt + IV_SIZE > ivPool.length) {
    ivPool = randomBytes(IV_SIZE * IV_BATCH);
    ivAt = 0;
  }
  const iv = ivPool.subarray(ivAt, ivAt + IV_SIZE);
  ivAt += IV_SIZE;
  return iv;
}
