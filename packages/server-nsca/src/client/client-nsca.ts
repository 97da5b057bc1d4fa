import { Buffer } from 'node:buffer';
import { isIP, type Socket } from 'node:net';
import {
  ARG0,
  ARG1,
  ARG2,
  ARG3,
  FilterBlock,
  FilterStream,
  HEAP,
  KERNEL,
  ReadWrite,
  SENDER,
  SESSION,
  Session,
  SocketFactory,
  type Chunk,
  type Destination,
  type EventArgs,
  type Kernel,
  type SessionFlags,
} from '@poets/kernel';
import { Subject, type Observable } from 'rxjs';
import { INIT_PACKET_SIZE, NSCA_PORT } from '../codec/constants.js';
import { encodePacket } from '../codec/packet.js';
import type { CryptStream } from '../ciphers/crypt-stream.js';
import { createCryptStream, isSupportedMethod } from '../ciphers/methods.js';
import { UnsupportedMethodError } from '../errors.js';
import { checkProblem, packetFieldsOf, type NscaCheck } from './check.js';
import { parseInitPacket } from './init-packet.js';
import { RESOLVE, requestOf, type ClientNSCARequest, type RawRequest, type ResolvableRequest } from './request.js';
import { clientErrors, type ClientNSCAResult } from './result.js';

export interface ClientNSCAOptions {
  /** The NSCA server: host name (resolved to IPv4) or IPv4/IPv6 address. Mandatory. */
  host: string;
  /** Default 5667. */
  port?: number;
  /** Mandatory; an empty string is allowed (XOR then only uses the IV). */
  password: string | Uint8Array;
  /** Mandatory: the encryption method number (see `supportedMethods()`). */
  encryption: number;
  /** Seconds a connection may take to connect, read the init packet and write what is put (default 10, as send_nsca). */
  timeout?: number;
  /**
   * Send 720-byte packets for an nsca 2.7 daemon (plugin output cut at 511 bytes). A daemon takes
   * a 720-byte packet only as the last one of a connection, so in this mode every check gets a
   * connection of its own.
   */
  legacy?: boolean;
  /**
   * Seconds added to the init packet's timestamp each packet carries (new to the port; NSClient++'s
   * `time offset`, for a sender whose results should be dated differently from the server's clock).
   */
  timeOffset?: number;
  /** An alias for the component's session; without one, the session holds itself until `shutdown`. */
  alias?: string;
  /** The kernel to run in (default: the kernel dispatching the current event, else `poe_kernel`). */
  kernel?: Kernel;
  /** POE session options (`trace`, `default`...). */
  options?: SessionFlags;
}

/** `ClientNSCA.send_nsca()`'s parameters: POE::Component::Client::NSCA->send_nsca's, one check. */
export interface ClientNSCAOneShotOptions<Context = unknown> extends Omit<ClientNSCAOptions, 'alias'> {
  /** The event posted back to the calling session (or `session`) with the result. */
  event: string;
  message: NscaCheck;
  context?: Context;
  /** Where the result goes; mandatory when called outside a session's handler. */
  session?: Destination;
}

interface Settings {
  host: string;
  port: number;
  password: string | Uint8Array;
  encryption: number;
  timeout: number;
  legacy: boolean;
  timeOffset: number;
  domain: 'AF_INET' | 'AF_INET6';
}

function settingsOf(options: ClientNSCAOptions, who: string): Settings {
  if (options === null || typeof options !== 'object') throw new TypeError(`${who}: parameters are mandatory`);
  const { host, password, encryption } = options;
  if (typeof host !== 'string' || host === '') throw new TypeError(`${who}: the host parameter is mandatory`);
  if (typeof password !== 'string' && !(password instanceof Uint8Array)) throw new TypeError(`${who}: the password parameter is mandatory`);
  if (typeof encryption !== 'number') throw new TypeError(`${who}: the encryption parameter is mandatory`);
  if (!isSupportedMethod(encryption)) throw new UnsupportedMethodError(encryption);
  const port = options.port ?? NSCA_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`${who}: port must be 0..65535, not ${String(port)}`);
  const timeout = options.timeout ?? 10;
  if (typeof timeout !== 'number' || !(timeout > 0)) throw new RangeError(`${who}: timeout must be a positive number of seconds, not ${String(timeout)}`);
  const timeOffset = options.timeOffset ?? 0;
  if (typeof timeOffset !== 'number' || !Number.isInteger(timeOffset)) throw new RangeError(`${who}: timeOffset must be a whole number of seconds, not ${String(timeOffset)}`);
  return {
    host,
    port,
    password,
    encryption,
    timeout,
    legacy: options.legacy === true,
    timeOffset,
    domain: isIP(host) === 6 ? 'AF_INET6' : 'AF_INET',
  };
}

/** A check waiting for (or on) a connection, and where its result goes. */
interface Pending {
  message: NscaCheck;
  event: string | undefined;
  context: unknown;
  /** The session the result is posted to (held with a refcount until then). */
  target: number | undefined;
  resolve: ((result: ClientNSCAResult) => void) | undefined;
}

interface Connection {
  serial: number;
  connector: SocketFactory | undefined;
  socket: Socket | undefined;
  wheel: ReadWrite<Buffer, Chunk> | undefined;
  /** Set by the init packet: the connection's one encryption stream. */
  crypt: CryptStream | undefined;
  timestamp: number;
  /** Checks put on the connection and not yet written. */
  inflight: Pending[];
  timer: number | undefined;
  /** No more packets go on this connection (legacy: it has its one; or the server closed). */
  closed: boolean;
}

interface Heap {
  /** Checks not on a connection yet. */
  queue: Pending[];
  connection: Connection | undefined;
  serial: number;
  shuttingDown: boolean;
}

type Ev = EventArgs<Heap>;

const TAG = 'ClientNSCA';

/**
 * POE::Component::Client::NSCA: sends check results to an NSCA daemon (nsca, Server::NSCA,
 * poets-nscad) the way send_nsca does — connect, read the 132-byte init packet, then one
 * encrypted packet per check, stamped with the init packet's timestamp, all on one connection
 * with one encryption stream.
 *
 * Two ways to use it, as POE components go:
 *
 * - `ClientNSCA.send_nsca({ host, event, password, encryption, message, ... })`: the Perl
 *   original's constructor — one check, one connection, the result posted to the calling
 *   session, then the component is gone.
 * - `ClientNSCA.spawn({ host, password, encryption, ... })`: a component that stays (until
 *   `shutdown`) and takes `send_nsca` (or `send`) events with `{ event, message, context,
 *   session }`. Checks that arrive while a connection is being opened or written go on that
 *   connection: many checks, one connection, as send_nsca's ETB-separated sets do. The
 *   connection is closed once everything put on it is written; the next check opens a new one.
 *
 * Each check's result is posted to the requesting session (or `session`): ARG0 the result hash
 * (`host`, `port`, `message`, `context`, `success`, and `error` or `timestamp`), ARG1 the
 * context. Connection refused, timeout, a short init packet, a reset: each is an `error` result
 * for the checks concerned, never an exception. The requesting session is kept alive until its
 * result is posted.
 */
export class ClientNSCA {
  /** The NSCA server this component sends to. */
  readonly host: string;
  readonly port: number;
  private readonly kernel: Kernel;
  private readonly session: Session<Heap>;
  private readonly subject = new Subject<ClientNSCAResult>();
  /** Every result this component gives, also posted to the requesters. Completes when its session ends. */
  readonly results$: Observable<ClientNSCAResult> = this.subject.asObservable();

  /** Starts a component; throws at once for missing parameters or an encryption method nobody provides. */
  static spawn(options: ClientNSCAOptions): ClientNSCA {
    return new ClientNSCA(settingsOf(options, 'ClientNSCA.spawn'), options, undefined);
  }

  /**
   * POE::Component::Client::NSCA->send_nsca: sends one check and posts the result to `event` of
   * the calling session (or `session`). Returns the (short-lived) component.
   */
  static send_nsca<Context = unknown>(options: ClientNSCAOneShotOptions<Context>): ClientNSCA {
    const settings = settingsOf(options, 'ClientNSCA.send_nsca');
    if (typeof options.event !== 'string' || options.event === '') throw new TypeError('ClientNSCA.send_nsca: the event parameter is mandatory');
    if (options.message === undefined) throw new TypeError('ClientNSCA.send_nsca: the message parameter is mandatory');
    const request: ResolvableRequest = { event: options.event, message: options.message, context: options.context };
    if (options.session !== undefined) request.session = options.session;
    return new ClientNSCA(settings, { ...options, alias: undefined }, request);
  }

  private constructor(settings: Settings, options: ClientNSCAOptions, oneShot: ResolvableRequest | undefined) {
    const { host, port, encryption, password, timeout, legacy, timeOffset, domain } = settings;
    const alias = options.alias;
    let kernel!: Kernel;
    let noTarget = false;
    this.host = host;
    this.port = port;

    const subject = this.subject;
    const reply = (p: Pending, result: ClientNSCAResult): void => {
      subject.next(result);
      if (p.resolve !== undefined) p.resolve(result);
      else if (p.target !== undefined && p.event !== undefined) kernel.post(p.target, p.event, result, p.context);
      if (p.target !== undefined) kernel.refcount_decrement(p.target, TAG);
    };
    const fail = (list: Pending[], error: string): void => {
      for (const p of list) reply(p, { host, port, message: p.message, context: p.context, success: false, error });
    };

    const connect = (heap: Heap): void => {
      const connection: Connection = {
        serial: ++heap.serial,
        connector: undefined,
        socket: undefined,
        wheel: undefined,
        crypt: undefined,
        timestamp: 0,
        inflight: [],
        timer: undefined,
        closed: false,
      };
      heap.connection = connection;
      connection.timer = kernel.delay_set('nsca_timeout', timeout, connection.serial);
      connection.connector = new SocketFactory({
        SocketDomain: domain,
        RemoteAddress: host,
        RemotePort: port,
        SuccessEvent: 'nsca_connected',
        FailureEvent: 'nsca_connect_failed',
      });
    };

    /** Puts what can go on the current connection, or opens one for the queue. */
    const pump = (heap: Heap): void => {
      const connection = heap.connection;
      if (connection === undefined) {
        if (heap.queue.length > 0) connect(heap);
        return;
      }
      if (connection.crypt === undefined || connection.closed || heap.queue.length === 0) return;
      const batch = legacy ? heap.queue.splice(0, 1) : heap.queue.splice(0);
      if (legacy) connection.closed = true;
      for (const p of batch) {
        const packet = encodePacket(packetFieldsOf(p.message, connection.timestamp + timeOffset), { legacy });
        connection.crypt.encrypt(packet);
        connection.wheel!.put(packet);
        connection.inflight.push(p);
      }
      // The timeout runs again for what was just put.
      if (connection.timer !== undefined) kernel.alarm_remove(connection.timer);
      connection.timer = kernel.delay_set('nsca_timeout', timeout, connection.serial);
    };

    /** Closes the current connection (at once when `hard`, else after what was put is written). */
    const close = (heap: Heap, connection: Connection, hard: boolean): void => {
      if (heap.connection !== connection) return;
      heap.connection = undefined;
      if (connection.timer !== undefined) kernel.alarm_remove(connection.timer);
      connection.timer = undefined;
      connection.connector?.destroy();
      connection.wheel?.destroy();
      if (hard) connection.socket?.destroy();
    };

    /**
     * The connection failed: before the init packet every check waiting for it fails; after it,
     * the checks put on it (the others get a new connection).
     */
    const failConnection = (heap: Heap, connection: Connection, error: string): void => {
      const victims = connection.crypt === undefined ? [...heap.queue.splice(0), ...connection.inflight.splice(0)] : connection.inflight.splice(0);
      close(heap, connection, true);
      fail(victims, error);
      pump(heap);
    };

    /** Takes one request: validated, queued, the result promised to its session. */
    const accept = (heap: Heap, raw: RawRequest, sender: Session | Kernel): void => {
      let target: number | undefined;
      if (raw.resolve === undefined) {
        if (typeof raw.event !== 'string' || raw.event === '') {
          kernel.warn(`ClientNSCA: a send_nsca request without an event name from ${String(sender)}; ignored`);
          return;
        }
        const dest = (raw.session as Destination | undefined) ?? (sender instanceof Session ? sender : undefined);
        const session = dest === undefined ? undefined : kernel.alias_resolve(dest);
        if (session === undefined) {
          kernel.warn(`ClientNSCA: no session to post '${raw.event}' to (session ${String(raw.session)}); request ignored`);
          return;
        }
        target = session.ID();
        kernel.refcount_increment(target, TAG);
      }
      const pending: Pending = {
        message: raw.message as NscaCheck,
        event: typeof raw.event === 'string' ? raw.event : undefined,
        context: raw.context,
        target,
        resolve: raw.resolve,
      };
      if (heap.shuttingDown) return fail([pending], clientErrors.shutdown());
      const problem = checkProblem(raw.message);
      if (problem !== undefined) return fail([pending], clientErrors.badMessage(problem));
      heap.queue.push(pending);
      pump(heap);
    };

    const shutdown = (_: Ev): void => {
      const heap = _[HEAP];
      if (heap.shuttingDown) return;
      heap.shuttingDown = true;
      // What holds the session now is the work in hand (connection, timer): it ends with it.
      if (alias !== undefined) _[KERNEL].alias_remove(alias);
      else _[KERNEL].refcount_decrement(_[SESSION].ID(), TAG);
    };

    /** The current connection, if the event came from one of its wheels. */
    const current = (_: Ev, wheelId: unknown, which: 'connector' | 'wheel'): Connection | undefined => {
      const connection = _[HEAP].connection;
      return connection !== undefined && connection[which]?.ID() === wheelId ? connection : undefined;
    };

    const sendRequest = (_: Ev): void => accept(_[HEAP], requestOf(_.slice(ARG0)), _[SENDER]);

    this.session = Session.create<Heap>({
      ...(options.kernel === undefined ? {} : { kernel: options.kernel }),
      ...(options.options === undefined ? {} : { options: options.options }),
      heap: { queue: [], connection: undefined, serial: 0, shuttingDown: false },
      inline_states: {
        _start: (_: Ev) => {
          kernel = _[KERNEL];
          if (oneShot !== undefined) {
            // Perl's send_nsca croaks without a session to answer; so does this one (below).
            if (oneShot.session === undefined && !(_[SENDER] instanceof Session)) {
              noTarget = true;
              _[HEAP].shuttingDown = true;
              return;
            }
            kernel.refcount_increment(_[SESSION].ID(), TAG);
            accept(_[HEAP], requestOf([oneShot]), _[SENDER]);
            shutdown(_);
            return;
          }
          if (alias !== undefined) kernel.alias_set(alias);
          else kernel.refcount_increment(_[SESSION].ID(), TAG);
        },
        send_nsca: sendRequest,
        send: sendRequest,
        shutdown,
        nsca_connected: (_: Ev) => {
          const socket = _[ARG0] as Socket;
          const connection = current(_, _[ARG3], 'connector');
          if (connection === undefined) return void socket.destroy();
          connection.connector = undefined;
          connection.socket = socket;
          connection.wheel = new ReadWrite<Buffer, Chunk>({
            Handle: socket,
            InputFilter: new FilterBlock({ BlockSize: INIT_PACKET_SIZE }),
            OutputFilter: new FilterStream(),
            InputEvent: 'nsca_init',
            ErrorEvent: 'nsca_socket_error',
            FlushedEvent: 'nsca_flushed',
          });
        },
        nsca_connect_failed: (_: Ev) => {
          const connection = current(_, _[ARG3], 'connector');
          if (connection === undefined) return;
          connection.connector = undefined;
          failConnection(_[HEAP], connection, clientErrors.connect(host, port, String(_[ARG0]), _[ARG1] as number, String(_[ARG2])));
        },
        nsca_init: (_: Ev) => {
          const connection = current(_, _[ARG1], 'wheel');
          // The server sends nothing after its init packet; anything more is ignored.
          if (connection === undefined || connection.crypt !== undefined) return;
          const { iv, timestamp } = parseInitPacket(_[ARG0] as Buffer);
          try {
            connection.crypt = createCryptStream(encryption, password, iv);
          } catch (error) {
            return failConnection(_[HEAP], connection, clientErrors.encryption((error as Error).message));
          }
          connection.timestamp = timestamp;
          pump(_[HEAP]);
        },
        nsca_socket_error: (_: Ev) => {
          const connection = current(_, _[ARG3], 'wheel');
          if (connection === undefined) return;
          const [operation, errno, message] = [String(_[ARG0]), _[ARG1] as number, String(_[ARG2])];
          if (connection.crypt === undefined) {
            const got = (connection.wheel!.get_input_filter().get_pending() ?? []).reduce((n, chunk) => n + Buffer.byteLength(chunk), 0);
            const error = errno === 0 ? clientErrors.noInit(got, INIT_PACKET_SIZE) : clientErrors.socket(operation, errno, message);
            return failConnection(_[HEAP], connection, error);
          }
          if (errno !== 0) return failConnection(_[HEAP], connection, clientErrors.send(operation, errno, message));
          // The server closed its side: nothing more goes on this connection; what is in flight
          // still counts as sent once written (NSCA has no acknowledgement), as for send_nsca.
          connection.closed = true;
          if (connection.inflight.length === 0) {
            close(_[HEAP], connection, false);
            pump(_[HEAP]);
          }
        },
        nsca_flushed: (_: Ev) => {
          const heap = _[HEAP];
          const connection = current(_, _[ARG0], 'wheel');
          if (connection === undefined) return;
          for (const p of connection.inflight.splice(0)) {
            reply(p, { host, port, message: p.message, context: p.context, success: true, timestamp: connection.timestamp + timeOffset });
          }
          if (heap.queue.length === 0 || connection.closed) close(heap, connection, false);
          pump(heap);
        },
        nsca_timeout: (_: Ev) => {
          const connection = _[HEAP].connection;
          if (connection === undefined || connection.serial !== _[ARG0]) return;
          connection.timer = undefined;
          failConnection(_[HEAP], connection, clientErrors.timeout(timeout));
        },
        _stop: (_: Ev) => {
          const heap = _[HEAP];
          const connection = heap.connection;
          const victims = [...heap.queue.splice(0), ...(connection?.inflight.splice(0) ?? [])];
          if (connection !== undefined) close(heap, connection, true);
          fail(victims, clientErrors.stopped());
          subject.complete();
        },
      },
    });
    this.kernel = kernel;
    if (noTarget) throw new TypeError('ClientNSCA.send_nsca: the session parameter is mandatory outside a session');
  }

  /** The component's session ID, to post `send_nsca`, `send` and `shutdown` to. */
  session_id(): number {
    return this.session.ID();
  }

  /**
   * Posts a `send_nsca` request to the component from the current session (whose `event` gets the
   * result, unless `session` says otherwise). False when the component is gone.
   */
  send_nsca<Context = unknown>(request: ClientNSCARequest<Context>): boolean {
    if (request.session === undefined && !(this.kernel.get_active_session() instanceof Session)) {
      throw new TypeError('ClientNSCA#send_nsca: outside a session, say which session gets the result (session)');
    }
    return this.kernel.post(this.session, 'send_nsca', request);
  }

  /**
   * Sends one check; the Promise resolves with its result hash, success or failure (it never
   * rejects). New to the port: usable from plain code. Starts the kernel if it is not running.
   */
  send<Context = undefined>(check: NscaCheck, context?: Context): Promise<ClientNSCAResult<Context>> {
    return new Promise((resolve) => {
      const request: ResolvableRequest = {
        event: '',
        message: check,
        context,
        [RESOLVE]: (result: ClientNSCAResult) => resolve(result as ClientNSCAResult<Context>),
      };
      if (!this.kernel.post(this.session, 'send_nsca', request)) {
        resolve({ host: this.host, port: this.port, message: check, context: context as Context, success: false, error: clientErrors.stopped() });
        return;
      }
      void this.kernel.run();
    });
  }

  /** Stops taking checks; the session ends once the checks in hand have their results. */
  shutdown(): void {
    this.kernel.call(this.session, 'shutdown');
  }
}
