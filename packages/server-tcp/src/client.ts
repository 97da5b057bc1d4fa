import { constants } from 'node:os';
import type { Duplex } from 'node:stream';
import {
  ARG0,
  ARG1,
  ARG2,
  HEAP,
  KERNEL,
  ReadWrite,
  SESSION,
  Session,
  SocketFactory,
  time,
  type Kernel,
  type ReadWriteOptions,
} from '@poets/kernel';
import type { MutableTCPClientHeap, TCPClientHeap, TCPClientOptions } from './client-options.js';
import { filterFactory } from './filters.js';
import { logTo, type ComponentLog } from './log.js';
import { checkMarks, requireFunctions, sessionParams, sessionType, unknownParams, userStates, type Callback } from './params.js';
import type { SessionType } from './server-options.js';

const { ECONNRESET, ETIMEDOUT } = constants.errno;

const CALLBACKS = ['PreConnect', 'Connected', 'ConnectError', 'Disconnected', 'ServerInput', 'ServerError', 'ServerFlushed', 'Started', 'ServerHigh', 'ServerLow', 'log'];

/** Event names the client session keeps for itself. */
export const RESERVED_CLIENT_TCP_STATES = [
  '_start',
  '_stop',
  '_child',
  'reconnect',
  'connect',
  'shutdown',
  'got_connect_success',
  'got_connect_error',
  'got_connect_timeout',
  'got_server_error',
  'got_server_input',
  'got_server_flush',
  'got_high',
  'got_low',
] as const;

const KNOWN = new Set([
  'RemoteAddress',
  'RemotePort',
  'Domain',
  'BindAddress',
  'BindPort',
  'ConnectTimeout',
  'Alias',
  'Args',
  'SessionType',
  'SessionParams',
  'Started',
  'PreConnect',
  'Connected',
  'ConnectError',
  'Disconnected',
  'ServerInput',
  'ServerError',
  'ServerFlushed',
  'HighMark',
  'LowMark',
  'ServerHigh',
  'ServerLow',
  'Filter',
  'InlineStates',
  'ObjectStates',
  'PackageStates',
  'log',
  'logger',
  'kernel',
]);

type Heap = MutableTCPClientHeap<unknown, unknown>;

/**
 * POE::Component::Client::TCP: one session that connects (SocketFactory), then talks with the
 * server through a ReadWrite wheel, with the callbacks as its handlers. It answers `connect`,
 * `reconnect` and `shutdown`. POE's `new` returns the session's ID: here `ID()` does.
 */
export class TCPClient<In = string, Out = string> {
  private readonly session: Session<Heap>;
  private kernelRef: Kernel | undefined;

  constructor(options: TCPClientOptions<In, Out>) {
    const who = 'POE::Component::Client::TCP->new()';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${who} needs an object of parameters`);
    const o = options as TCPClientOptions<unknown, unknown>;
    if (!('RemoteAddress' in o)) throw new TypeError(`${who} needs a RemoteAddress parameter`);
    if (!('RemotePort' in o)) throw new TypeError(`${who} needs a RemotePort parameter`);
    const unix = o.Domain !== undefined && ['AF_UNIX', 'PF_UNIX', 'AF_LOCAL', 'PF_LOCAL', 'unix'].includes(o.Domain);
    if (o.RemotePort === undefined && !unix) throw new TypeError(`${who}: RemotePort must be a port number or service name`);
    const args = o.Args ?? [];
    if (!Array.isArray(args)) throw new TypeError(`${who}: Args must be an array reference`);
    requireFunctions(o, CALLBACKS, who);
    const marks = checkMarks([o.HighMark, o.LowMark, o.ServerHigh, o.ServerLow], who);
    const states = userStates(o.InlineStates, o.ObjectStates, o.PackageStates, RESERVED_CLIENT_TCP_STATES, who);
    if (o.ServerInput === undefined) throw new TypeError(`${who} requires a ServerInput parameter`);
    const params = sessionParams(o.SessionParams, who);
    const type = sessionType(o.SessionType, who) ?? (Session as SessionType);
    const makeFilter = filterFactory(o.Filter, undefined, 'Filter');
    if (o.ConnectTimeout !== undefined && (typeof o.ConnectTimeout !== 'number' || !(o.ConnectTimeout >= 0))) {
      throw new TypeError(`${who}: ConnectTimeout must be a number of seconds`);
    }
    const warnings = unknownParams(o, KNOWN).map((key) => `${who} doesn't recognize "${key}" as a parameter`);

    const alias = o.Alias;
    let address = o.RemoteAddress ?? '127.0.0.1';
    let port = o.RemotePort;
    const { Domain: domain, BindAddress: bindAddress, BindPort: bindPort, ConnectTimeout: ctimeout } = o;
    const input = o.ServerInput as Callback;
    const preConnect = o.PreConnect as Callback | undefined;
    const connected = o.Connected as Callback | undefined;
    const disconnected = o.Disconnected as Callback | undefined;
    const flushed = o.ServerFlushed as Callback | undefined;
    const started = o.Started as Callback | undefined;
    const high = o.ServerHigh as Callback | undefined;
    const low = o.ServerLow as Callback | undefined;
    let log: ComponentLog = () => {};

    const defaultConnectError: Callback = (_) => {
      const [operation, errno, message] = [_[ARG0] as string, _[ARG1] as number, _[ARG2] as string];
      if (!(operation === 'read' && (errno === 0 || errno === ECONNRESET))) {
        log(`Client ${(_[SESSION] as Session).ID()} got ${operation} error ${errno} (${message})`, 'warning');
      }
      dropServer(_[HEAP] as Heap, false);
    };
    const defaultServerError: Callback = (_) => {
      const [operation, errno, message] = [_[ARG0] as string, _[ARG1] as number, _[ARG2] as string];
      log(`Client ${(_[SESSION] as Session).ID()} got ${operation} error ${errno} (${errno ? message : 'Normal disconnection'})`, 'notice');
      (_[KERNEL] as Kernel).yield('shutdown');
    };
    const connectError = (o.ConnectError as Callback | undefined) ?? defaultConnectError;
    const serverError = (o.ServerError as Callback | undefined) ?? defaultServerError;

    const removeTimeout = (_: unknown[]): void => {
      const heap = _[HEAP] as Heap;
      if (heap.ctimeout_id === undefined) return;
      (_[KERNEL] as Kernel).alarm_remove(heap.ctimeout_id);
      delete heap.ctimeout_id;
    };

    /** Reports a connect failure, then drops the connector unless the callback already replaced it. */
    const failConnect = (_: unknown[]): void => {
      const heap = _[HEAP] as Heap;
      const before = heap.server;
      connectError(_);
      if (heap.server === before) dropServer(heap, false);
    };

    const ours: Record<string, Callback> = {
      _start: (_) => {
        const heap = _[HEAP] as Heap;
        const kernel = _[KERNEL] as Kernel;
        this.kernelRef = kernel;
        log = logTo(o.log, o.logger, kernel, 'Client::TCP');
        for (const warning of warnings) log(warning, 'warning');
        heap.shutdown_on_error = true;
        heap.connected = false;
        heap.shutdown = false;
        if (alias !== undefined) kernel.alias_set(alias);
        kernel.yield('reconnect');
        started?.(_);
        return undefined;
      },
      _stop: () => undefined,
      _child: () => undefined,

      reconnect: (_) => {
        const heap = _[HEAP] as Heap;
        const kernel = _[KERNEL] as Kernel;
        heap.shutdown = false;
        heap.connected = false;
        delete heap.got_an_error;
        if (alias !== undefined) kernel.alias_set(alias);
        // POE drops the old wheel by replacing it: the connection in progress or in use is cut.
        dropServer(heap, true);
        heap.server = new SocketFactory({
          RemoteAddress: address,
          RemotePort: port!,
          SocketDomain: domain,
          BindAddress: bindAddress,
          BindPort: bindPort,
          SuccessEvent: 'got_connect_success',
          FailureEvent: 'got_connect_error',
        });
        removeTimeout(_);
        if (ctimeout !== undefined) heap.ctimeout_id = kernel.alarm_set('got_connect_timeout', time() + ctimeout);
        return undefined;
      },

      connect: (_) => {
        if (_[ARG0] !== undefined && _[ARG0] !== null) address = String(_[ARG0]);
        if (_[ARG1] !== undefined && _[ARG1] !== null) port = _[ARG1] as number | string;
        (_[KERNEL] as Kernel).yield('reconnect');
        return undefined;
      },

      got_connect_success: (_) => {
        const heap = _[HEAP] as Heap;
        removeTimeout(_);
        const raw = _[ARG0] as Duplex;
        let socket = raw;
        if (preConnect !== undefined) {
          const chosen = preConnect(_);
          if (!isSocket(chosen)) {
            heap.connected = false;
            raw.destroy();
            return undefined;
          }
          socket = chosen;
        }
        dropServer(heap, false);
        const filter = makeFilter();
        const options: ReadWriteOptions<unknown, unknown> = {
          Handle: socket,
          Filter: filter,
          InputEvent: 'got_server_input',
          ErrorEvent: 'got_server_error',
          FlushedEvent: 'got_server_flush',
          ...(marks ? { HighMark: o.HighMark!, HighEvent: 'got_high', LowMark: o.LowMark!, LowEvent: 'got_low' } : {}),
        };
        heap.server = new ReadWrite(options);
        heap.connected = true;
        connected?.(_);
        return undefined;
      },

      got_high: (_) => high?.(_),
      got_low: (_) => low?.(_),

      got_connect_error: (_) => {
        removeTimeout(_);
        (_[HEAP] as Heap).connected = false;
        failConnect(_);
        return undefined;
      },

      got_connect_timeout: (_) => {
        const heap = _[HEAP] as Heap;
        heap.connected = false;
        delete heap.ctimeout_id;
        _.length = ARG0;
        _.push('connect', ETIMEDOUT, 'Connection timed out');
        failConnect(_);
        return undefined;
      },

      got_server_error: (_) => {
        serverError(_);
        const heap = _[HEAP] as Heap;
        if (heap.shutdown_on_error) {
          (_[KERNEL] as Kernel).yield('shutdown');
          heap.got_an_error = true;
        }
        return undefined;
      },

      got_server_input: (_) => {
        if ((_[HEAP] as Heap).shutdown) return undefined;
        input(_);
        return undefined;
      },

      got_server_flush: (_) => {
        const heap = _[HEAP] as Heap;
        flushed?.(_);
        if (heap.shutdown && heap.server !== undefined) {
          dropServer(heap, false);
          disconnected?.(_);
        }
        return undefined;
      },

      shutdown: (_) => {
        const heap = _[HEAP] as Heap;
        const kernel = _[KERNEL] as Kernel;
        heap.shutdown = true;
        removeTimeout(_);
        if (heap.connected) {
          heap.connected = false;
          const server = heap.server;
          if (server !== undefined) {
            if (heap.got_an_error || !(server instanceof ReadWrite) || server.get_driver_out_octets() === 0) {
              dropServer(heap, false);
              disconnected?.(_);
            }
          }
        } else {
          dropServer(heap, false);
        }
        if (alias !== undefined) kernel.alias_remove(alias);
        return undefined;
      },
    };

    this.session = type.create<Heap>({
      ...params,
      ...(o.kernel !== undefined ? { kernel: o.kernel } : {}),
      inline_states: { ...ours, ...states.inline },
      object_states: states.objects,
      package_states: states.packages,
      args,
      heap: { connected: false, shutdown: false, shutdown_on_error: true },
    });
  }

  /** The client session's ID (what POE's `new` returns). */
  ID(): number {
    return this.session.ID();
  }

  get heap(): TCPClientHeap<In, Out> {
    return this.session.get_heap() as TCPClientHeap<In, Out>;
  }

  /** Posts `shutdown` to the client session. */
  shutdown(): boolean {
    return this.kernelRef !== undefined && this.kernelRef.post(this.session, 'shutdown');
  }
}

/** Destroys the wheel in `server` (POE's `delete $heap->{server}`); `hard` also cuts a connection's socket. */
function dropServer(heap: Heap, hard: boolean): void {
  const wheel = heap.server;
  if (wheel === undefined) return;
  delete heap.server;
  const handle = hard && wheel instanceof ReadWrite ? (wheel.get_output_handle() as Duplex | undefined) : undefined;
  wheel.destroy();
  handle?.destroy();
}

function isSocket(value: unknown): value is Duplex {
  if (typeof value !== 'object' || value === null) return false;
  const stream = value as Partial<Duplex>;
  return typeof stream.write === 'function' && typeof stream.on === 'function' && stream.destroyed !== true;
}

/** POE's package names: `Client.TCP({...})` is `POE::Component::Client::TCP->new(...)`. */
export const Client = {
  TCP<In = string, Out = string>(options: TCPClientOptions<In, Out>): TCPClient<In, Out> {
    return new TCPClient<In, Out>(options);
  },
} as const;
