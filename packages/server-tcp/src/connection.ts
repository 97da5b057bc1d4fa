import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, ReadWrite, SESSION, type DieInfo, type Kernel, type ReadWriteOptions, type Session } from '@poets/kernel';
import type { Subject } from 'rxjs';
import { packAddress } from './endpoints.js';
import { messageOf, type ComponentLog, type LogPeer } from './log.js';
import type { Callback } from './params.js';
import type { ConnectionConfig } from './server-config.js';
import type { ClientHeap } from './server-options.js';

const { ECONNABORTED, ECONNRESET } = constants.errno;

/** What the listener tells a new connection session about its peer (its _start's ARG2). */
export interface Peer {
  address: string | undefined;
  port: number | undefined;
  host: string | undefined;
  unix: boolean;
}

/** What the connection sessions of one server share with its listener. */
export interface ServerRuntime {
  /** The listening session's ID while it lives (POE's $accept_session_id). */
  listenerId: number | undefined;
  log: ComponentLog;
  /** Every input record of every client, for the component's `inputs$`. */
  inputs: Subject<ClientInputRecord>;
}

/** One input record, as the component's `inputs$` streams them. */
export interface ClientInputRecord {
  input: unknown;
  remote_ip: string | undefined;
  remote_port: number | undefined;
  /** The client's session: post `shutdown` to it, or read its heap. */
  session: Session;
}

type Heap = ClientHeap<unknown, unknown>;

/** When each connection last sent a complete record (performance.now() ms), for idleTimeout. */
const lastInput = new WeakMap<object, number>();

/** The connections whose input is paused by backPressure (until their output drains). */
const pausedByOutput = new WeakSet<object>();

/** The peer as a log line's context names it (none for a unix-domain client). */
function logPeer(heap: Heap): LogPeer | undefined {
  if (heap.remote_ip === 'LOCAL' || heap.remote_ip === undefined || heap.remote_ip === '') return undefined;
  return heap.remote_port === undefined ? { address: heap.remote_ip } : { address: heap.remote_ip, port: heap.remote_port };
}

/** The peer as log lines name it. */
export function peerText(heap: Heap): string {
  if (heap.remote_ip === 'LOCAL') return 'a unix-domain client';
  return `${heap.remote_ip} port ${heap.remote_port}`;
}

/**
 * The states of every connection session of one server: POE's default Acceptor session, plus a
 * DIE watcher (a handler that throws closes its connection, not the server) and an idle timer.
 * Built once per server, so the sessions share one state table.
 */
export function connectionStates(config: ConnectionConfig, server: ServerRuntime): Record<string, Callback> {
  const idle = config.idleTimeout;
  const backPressure = config.backPressure;

  const readWriteOptions = (handle: Duplex): ReadWriteOptions<unknown, unknown> => ({
    Handle: handle,
    ...(config.filter !== undefined ? { Filter: config.filter() } : { InputFilter: config.inputFilter!(), OutputFilter: config.outputFilter!() }),
    InputEvent: 'tcp_server_got_input',
    ErrorEvent: 'tcp_server_got_error',
    FlushedEvent: 'tcp_server_got_flush',
    ...(config.marks !== undefined
      ? { HighMark: config.marks.HighMark, HighEvent: 'tcp_server_got_high', LowMark: config.marks.LowMark, LowEvent: 'tcp_server_got_low' }
      : {}),
  });

  /**
   * Closes the connection: the wheel goes, and with it the session's hold. Normally what is queued
   * is written first, then the socket ends. `hard` (an idle cut) drops output the peer is not
   * reading: the socket is reset at once, so neither the process nor the system keeps it.
   */
  const dropClient = (_: unknown[], hard: boolean): void => {
    const heap = _[HEAP] as Heap;
    const wheel = heap.client;
    if (wheel === undefined) return;
    delete heap.client;
    const handle = wheel.get_output_handle() as (Duplex & { resetAndDestroy?: () => void }) | undefined;
    if (hard && handle !== undefined && wheel.get_driver_out_octets() > 0) {
      // Reset first, so that the wheel's own close finds nothing left to write or end.
      if (typeof handle.resetAndDestroy === 'function') handle.resetAndDestroy();
      else handle.destroy();
    }
    wheel.destroy();
    if (idle !== undefined) (_[KERNEL] as Kernel).alarm('tcp_server_idle');
  };

  /** ClientDisconnected, then the wheel is dropped even if the callback throws. */
  const disconnect = (_: unknown[], hard: boolean): void => {
    if ((_[HEAP] as Heap).client === undefined) return;
    try {
      config.disconnected?.(_);
    } finally {
      dropClient(_, hard);
    }
  };

  const defaultClientError: Callback = (_) => {
    const [operation, errno, message] = [_[ARG0] as string, _[ARG1] as number, _[ARG2] as string];
    // A plain disconnection is not worth a line; a TLS failure has errno 0 but a message.
    if (operation === 'read' && ((errno === 0 && !message) || errno === ECONNRESET)) return;
    server.log(
      `${process.pid}: Client session ${(_[SESSION] as Session).ID()} (${peerText(_[HEAP] as Heap)}) got ${operation} error ${errno} (${message.trim() || 'no error'})`,
      'warning',
      logPeer(_[HEAP] as Heap),
    );
  };

  const ours: Record<string, Callback> = {
    _start: (_) => {
      const heap = _[HEAP] as Heap;
      const kernel = _[KERNEL] as Kernel;
      const socket = _[ARG0] as Duplex;
      const clientArgs = _[ARG1] as readonly unknown[];
      const peer = _[ARG2] as Peer;
      heap.shutdown = false;
      heap.shutdown_on_error = config.shutdownOnError;
      heap.remote_ip = peer.unix ? 'LOCAL' : (peer.address ?? '');
      heap.remote_port = peer.port;
      heap.remote_addr = peer.unix ? undefined : packAddress(peer.address);
      if (peer.host !== undefined) heap.remoteHost = peer.host;
      kernel.sig('DIE', 'tcp_server_got_die');
      _.length = ARG2; // ARG0 the socket, ARG1 ClientArgs, as POE's session args
      let handle = socket;
      if (config.preConnect !== undefined) {
        const chosen = config.preConnect(_);
        if (!isSocket(chosen)) {
          socket.destroy();
          return undefined;
        }
        handle = chosen;
      }
      heap.client = new ReadWrite(readWriteOptions(handle));
      if (idle !== undefined) {
        lastInput.set(heap, performance.now());
        kernel.delay('tcp_server_idle', idle);
      }
      _.splice(ARG0, 2, ...clientArgs);
      config.connected?.(_);
      return undefined;
    },

    _child: () => undefined,

    _stop: (_) => {
      if (server.listenerId !== undefined) (_[KERNEL] as Kernel).call(server.listenerId, 'disconnected');
      return undefined;
    },

    tcp_server_got_input: (_) => {
      const heap = _[HEAP] as Heap;
      if (heap.shutdown) return undefined;
      if (idle !== undefined) lastInput.set(heap, performance.now());
      config.input(_);
      const wheel = heap.client;
      if (backPressure !== undefined && wheel !== undefined && !pausedByOutput.has(heap) && wheel.get_driver_out_octets() > backPressure) {
        // the client is not reading what it is sent: read no more from it until it has
        pausedByOutput.add(heap);
        wheel.pause_input();
      }
      if (server.inputs.observed) server.inputs.next({ input: _[ARG0], remote_ip: heap.remote_ip, remote_port: heap.remote_port, session: _[SESSION] as Session });
      return undefined;
    },

    tcp_server_got_error: (_) => {
      if (_[ARG0] === 'accept' && _[ARG1] === ECONNABORTED) return undefined;
      (config.error ?? defaultClientError)(_);
      const heap = _[HEAP] as Heap;
      if (heap.shutdown_on_error) {
        heap.got_an_error = true;
        (_[KERNEL] as Kernel).yield('shutdown');
      }
      return undefined;
    },

    tcp_server_got_flush: (_) => {
      const heap = _[HEAP] as Heap;
      if (pausedByOutput.delete(heap)) heap.client?.resume_input();
      config.flushed?.(_);
      if ((_[HEAP] as Heap).shutdown) disconnect(_, false);
      return undefined;
    },

    tcp_server_got_high: (_) => config.high?.(_),
    tcp_server_got_low: (_) => config.low?.(_),

    /** Flush what is queued, then close; at once after an error. */
    shutdown: (_) => {
      const heap = _[HEAP] as Heap;
      heap.shutdown = true;
      const wheel = heap.client;
      if (wheel !== undefined && (heap.got_an_error || wheel.get_driver_out_octets() === 0)) disconnect(_, false);
      return undefined;
    },

    /** A handler of this session threw: log it and close this connection; the server goes on. */
    tcp_server_got_die: (_) => {
      const info = _[ARG1] as DieInfo | undefined;
      const session = _[SESSION] as Session;
      if (info === undefined || info.dest_session !== session) return undefined; // a child's or the listener's death: not ours
      const kernel = _[KERNEL] as Kernel;
      kernel.sig_handled();
      const heap = _[HEAP] as Heap;
      server.log(
        `${process.pid}: Client session ${session.ID()} (${peerText(heap)}) died in event '${info.event}': ${messageOf(info.error)}; closing the connection`,
        'error',
        logPeer(heap),
      );
      heap.got_an_error = true;
      heap.shutdown = true;
      kernel.yield('shutdown');
      return undefined;
    },

    /** No complete record for idleTimeout seconds: log it and close the connection at once. */
    tcp_server_idle: (_) => {
      const heap = _[HEAP] as Heap;
      const kernel = _[KERNEL] as Kernel;
      if (heap.client === undefined || idle === undefined) return undefined;
      const quiet = (performance.now() - (lastInput.get(heap) ?? 0)) / 1000;
      if (quiet < idle) {
        kernel.delay('tcp_server_idle', idle - quiet);
        return undefined;
      }
      server.log(
        `${process.pid}: Client session ${(_[SESSION] as Session).ID()} (${peerText(heap)}) sent no complete input for ${idle} s; closing the connection`,
        'notice',
        logPeer(heap),
      );
      heap.got_an_error = true;
      heap.shutdown = true;
      disconnect(_, true);
      return undefined;
    },
  };

  return { ...ours, ...config.states.inline };
}

function isSocket(value: unknown): value is Duplex {
  if (typeof value !== 'object' || value === null) return false;
  const stream = value as Partial<Duplex>;
  return typeof stream.write === 'function' && typeof stream.on === 'function' && stream.destroyed !== true;
}
