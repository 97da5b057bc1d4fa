import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ARG0,
  ARG1,
  ARG2,
  ARG3,
  CALLER_FILE,
  CALLER_LINE,
  HEAP,
  KERNEL,
  SESSION,
  SocketFactory,
  type Kernel,
  type Session,
} from '@poets/kernel';
import type { ConnectionInfo, Verdict } from './access.js';
import { connectionStates, type Peer, type ServerRuntime } from './connection.js';
import { listenOptions, type Endpoint } from './endpoints.js';
import { logTo, loggerOf, messageOf } from './log.js';
import { RefusalLog } from './refusal-log.js';
import type { Callback } from './params.js';
import type { ServerConfig } from './server-config.js';
import type { ListenerHeap } from './server-options.js';

/** The listener's side of a running server, shared with its connection sessions and the component object. */
export interface ListenerRuntime extends ServerRuntime {
  kernel: Kernel | undefined;
  /** Which endpoint each listening wheel serves, by wheel ID. */
  endpoints: Map<number, Endpoint>;
}

const ALLOWED: Verdict = { allowed: true, reason: 'allowed' };

/** Creates the listening session (POE's accept session) of a server and returns it. */
export function createListener(config: ServerConfig, runtime: ListenerRuntime): Session<ListenerHeap> {
  const clientStates = config.connection === undefined ? undefined : connectionStates(config.connection, runtime);
  const { access, hooks } = config;
  const checking = access !== undefined || hooks.postAcceptHook !== undefined || hooks.allowDenyHook !== undefined;

  const heapOf = (_: unknown[]) => _[HEAP] as ListenerHeap;
  const serverId = (_: unknown[]) => (_[SESSION] as Session).ID();
  // a flood of refused clients is one line per peer and reason, then a summary per period
  const refusals = new RefusalLog({ logger: loggerOf(() => runtime.log), level: 'notice' });

  /** A user hook's throw is logged, never fatal to the server. */
  const guarded = (name: string, run: () => void): void => {
    try {
      run();
    } catch (error) {
      runtime.log(`${process.pid}: ${name} threw: ${messageOf(error)}`, 'error');
    }
  };

  const pauseAll = (heap: ListenerHeap) => heap.listeners.forEach((wheel) => wheel.pause_accept());
  const resumeAll = (heap: ListenerHeap) => heap.listeners.forEach((wheel) => wheel.resume_accept());

  /** POE's `disconnected`: one connection fewer; accepting resumes below the Concurrency. */
  const connectionGone = (_: unknown[]): void => {
    const heap = heapOf(_);
    heap.connections--;
    if (heap.connections < 0) {
      runtime.log(`Excessive 'disconnected' event from ${String(_[CALLER_FILE] ?? 'unknown file')} at line ${String(_[CALLER_LINE] ?? '?')}`, 'warning');
      heap.connections = 0;
    }
    if (heap.concurrency !== -1 && heap.listener !== undefined && heap.connections < heap.concurrency) resumeAll(heap);
  };

  /** Stops listening: POE's shutdown (and the default Error). */
  const closeListeners = (heap: ListenerHeap): void => {
    if (heap.listeners.length === 0) return;
    const hook = hooks.preServerCloseHook;
    if (hook !== undefined) guarded('preServerCloseHook', () => hook(heap));
    for (const wheel of heap.listeners) wheel.destroy();
    heap.listeners = [];
    delete heap.listener;
  };

  const defaultError: Callback = (_) => {
    runtime.log(`${process.pid}: Server ${serverId(_)} got ${String(_[ARG0])} error ${String(_[ARG1])} (${String(_[ARG2])})`, 'error');
    closeListeners(heapOf(_));
    const alias = heapOf(_).alias;
    if (alias !== undefined) (_[KERNEL] as Kernel).alias_remove(alias);
  };

  /** Lets a connection in: TLS if its endpoint has it, then the Acceptor or a new connection session. */
  const admit = (_: unknown[], socket: Duplex, address: string | undefined, port: number | undefined, wheelId: number, host: string | undefined): void => {
    const endpoint = runtime.endpoints.get(wheelId);
    const handle = endpoint?.tls !== undefined ? endpoint.tls.wrap(socket as Socket) : socket;
    if (config.acceptor !== undefined) {
      _.length = ARG0;
      _.push(handle, address, port, wheelId);
      config.acceptor(_);
      return;
    }
    const connection = config.connection!;
    const peer: Peer = { address, port, host, unix: endpoint?.unix ?? false };
    config.sessionType.create({
      ...config.sessionParams,
      inline_states: clientStates,
      object_states: connection.states.objects,
      package_states: connection.states.packages,
      args: [handle, connection.args, peer],
      heap: {},
    });
  };

  /** Refuses a connection: requestDeniedHook, a log line with its address, and it is closed at once. */
  const deny = (_: unknown[], info: ConnectionInfo, reason: string): void => {
    const hook = hooks.requestDeniedHook;
    if (hook !== undefined) guarded('requestDeniedHook', () => hook(info, reason));
    const who = info.remoteAddress === undefined ? 'a unix-domain client' : `${info.remoteAddress} port ${info.remotePort}`;
    const line = `${process.pid}: Server ${serverId(_)} refused ${who}${info.remoteHost !== undefined ? ` (${info.remoteHost})` : ''}: ${reason}`;
    if (info.remoteAddress === undefined) runtime.log(line, 'notice');
    else refusals.refuse({ address: info.remoteAddress, ...(info.remotePort === undefined ? {} : { port: info.remotePort }) }, reason, 'connection', line);
    info.socket.destroy();
    connectionGone(_);
  };

  const settle = (_: unknown[], info: ConnectionInfo, verdict: Verdict, wheelId: number): void => {
    if (!verdict.allowed) return deny(_, info, verdict.reason);
    if (info.socket.destroyed) return connectionGone(_); // the peer left while it was being checked
    admit(_, info.socket, info.remoteAddress, info.remotePort, wheelId, info.remoteHost);
  };

  /** Net::Server's allow_deny, then allow_deny_hook: now, or later when a lookup or the hook has to wait. */
  const judge = (info: ConnectionInfo): Verdict | Promise<Verdict> => {
    const rules = (): Verdict | Promise<Verdict> => {
      const verdict = access !== undefined ? access.check(info.remoteAddress, info.remoteHost) : ALLOWED;
      const hook = hooks.allowDenyHook;
      if (!verdict.allowed || hook === undefined) return verdict;
      const answer = (ok: unknown): Verdict => (ok ? { allowed: true, reason: 'allowed by allowDenyHook' } : { allowed: false, reason: 'refused by allowDenyHook' });
      let result: boolean | Promise<boolean>;
      try {
        result = hook(info);
      } catch (error) {
        return { allowed: false, reason: `allowDenyHook threw: ${messageOf(error)}` };
      }
      if (typeof (result as Promise<boolean> | undefined)?.then !== 'function') return answer(result);
      return Promise.resolve(result).then(answer, (error: unknown) => ({ allowed: false, reason: `allowDenyHook failed: ${messageOf(error)}` }));
    };
    if (access?.reverseLookups && info.remoteAddress !== undefined) {
      return access.lookup(info.remoteAddress).then(
        (host) => {
          if (host !== undefined) info.remoteHost = host;
          return rules();
        },
        () => rules(),
      );
    }
    return rules();
  };

  const states: Record<string, Callback> = {
    _start: (_) => {
      const heap = heapOf(_);
      const kernel = _[KERNEL] as Kernel;
      runtime.kernel = kernel;
      runtime.log = logTo(config.log, config.logger, kernel, 'Server::TCP');
      runtime.listenerId = serverId(_);
      for (const warning of config.warnings) runtime.log(warning, 'warning');
      if (config.alias !== undefined) {
        heap.alias = config.alias;
        kernel.alias_set(config.alias);
      }
      heap.concurrency = config.concurrency;
      heap.connections = 0;
      heap.listeners = config.endpoints.map((endpoint) => {
        const wheel = new SocketFactory(listenOptions(endpoint, config.listenQueue));
        runtime.endpoints.set(wheel.ID(), endpoint);
        return wheel;
      });
      heap.listener = heap.listeners[0];
      // As documented: a Concurrency of 0 accepts nothing until set_concurrency.
      if (heap.concurrency === 0) pauseAll(heap);
      // An IP address is bound at once: when that failed, the Error callback reports it, and
      // Started (which would find no socket) is not run.
      const failed = config.endpoints.some((endpoint, i) => !endpoint.unix && (endpoint.address === undefined || isIP(endpoint.address) !== 0) && heap.listeners[i]!.getsockname() === undefined);
      if (!failed) config.started?.(_);
      return undefined;
    },

    tcp_server_got_error: (_) => (config.error ?? defaultError)(_),

    /** A connection arrived: count it (pausing at the Concurrency), check it, let it in or refuse it. */
    tcp_server_got_connection: (_) => {
      const heap = heapOf(_);
      const socket = _[ARG0] as Duplex;
      const address = _[ARG1] as string | undefined;
      const port = _[ARG2] as number | undefined;
      const wheelId = _[ARG3] as number;
      heap.connections++;
      if (heap.concurrency !== -1 && heap.listener !== undefined && heap.connections >= heap.concurrency) pauseAll(heap);
      if (!checking) return admit(_, socket, address, port, wheelId, undefined);

      const local = socket as Partial<Socket>;
      const info: ConnectionInfo = { remoteAddress: address, remotePort: port, localAddress: local.localAddress, localPort: local.localPort, socket };
      const postAccept = hooks.postAcceptHook;
      if (postAccept !== undefined) guarded('postAcceptHook', () => postAccept(info));
      const verdict = judge(info);
      if (!(verdict instanceof Promise)) return settle(_, info, verdict, wheelId);

      // Wait for the lookup or the hook; the session is held meanwhile, the socket left unread.
      const kernel = _[KERNEL] as Kernel;
      const id = serverId(_);
      kernel.refcount_increment(id, 'tcp_server_check');
      void verdict
        .catch((error: unknown): Verdict => ({ allowed: false, reason: `check failed: ${messageOf(error)}` }))
        .then((result) => {
          if (!kernel.post(id, 'tcp_server_checked', info, result, wheelId)) socket.destroy();
        });
      return undefined;
    },

    tcp_server_checked: (_) => {
      (_[KERNEL] as Kernel).refcount_decrement(serverId(_), 'tcp_server_check');
      settle(_, _[ARG0] as ConnectionInfo, _[ARG1] as Verdict, _[ARG2] as number);
      return undefined;
    },

    disconnected: (_) => {
      connectionGone(_);
      return undefined;
    },

    set_concurrency: (_) => {
      const heap = heapOf(_);
      heap.concurrency = Number(_[ARG0]);
      if (heap.listener === undefined) return undefined;
      if (heap.concurrency !== -1 && heap.connections >= heap.concurrency) pauseAll(heap);
      else resumeAll(heap);
      return undefined;
    },

    shutdown: (_) => {
      const heap = heapOf(_);
      closeListeners(heap);
      refusals.flush();
      if (heap.alias !== undefined) (_[KERNEL] as Kernel).alias_remove(heap.alias);
      return undefined;
    },

    _stop: (_) => {
      runtime.inputs.complete();
      config.stopped?.(_);
      runtime.listenerId = undefined;
      return 0;
    },

    _child: () => undefined,
  };

  return config.sessionType.create({
    ...config.sessionParams,
    ...(config.kernel !== undefined ? { kernel: config.kernel } : {}),
    inline_states: states,
    object_states: undefined,
    package_states: undefined,
    args: config.listenerArgs,
    heap: { concurrency: config.concurrency, connections: 0, listeners: [] } as ListenerHeap,
  }) as Session<ListenerHeap>;
}
