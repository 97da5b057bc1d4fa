// The engine under Fork, PreForkSimple and PreFork: the parent keeps the listening sockets and a
// table of children started with node:cluster (each re-runs the server's script, configures itself
// the same way, and serves instead of binding); every accepted connection is handed, as a socket
// handle over the IPC channel, to one child that is waiting, and a child serves one client at a
// time, as Perl's children do. How many children run is the policy's business (prefork.ts, fork.ts).
import cluster, { type Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import { childRole, CHILD_ROLE_ENV, type ChildRole } from './child-role.js';
import type { Server as NetListener } from 'node:net';
import { Client, UdpClient, type AnyClient } from './client.js';
import type { NetServer } from './net-server.js';
import type { Personality } from './personality.js';

/** A child's state in the parent's table (Perl's `$prop->{children}->{$pid}->{status}`). */
export type ChildStatus = 'starting' | 'waiting' | 'processing' | 'dequeue' | 'exiting';

/** One child in the parent's table. */
export interface ChildEntry {
  readonly pid: number;
  readonly worker: Worker;
  status: ChildStatus;
  /** The connection handed to it and not yet done (its client gets an error if the child dies). */
  job: Job | undefined;
  readonly started: number;
  /** Told to finish: it is given nothing more. */
  finishing: boolean;
}

/** Something accepted, waiting for a child: a stream socket (raw) or a UDP datagram. */
interface Job {
  readonly id: number;
  readonly index: number;
  readonly socket?: Socket;
  readonly udp?: UdpClient;
  /** `address:port` of the client, for the log (the socket forgets it once handed over). */
  readonly peer: string;
}

/** Parent → child. */
type ToChild =
  | { ns: 'job'; id: number; index: number; port?: number; udp?: { data: string; peeraddr: string; peerport: number; sockaddr?: string | undefined; sockport?: number | undefined } }
  | { ns: 'finish' }
  | { ns: 'listen'; index: number };

/** Child → parent (Perl's `"$$ waiting\n"` lines on the pipe, as objects). */
type FromChild = { ns: 'close_parent' } | { ns: 'ready' } | { ns: 'waiting' } | { ns: 'processing' } | { ns: 'exiting' } | { ns: 'dequeue' } | { ns: 'udp_reply'; id: number; data: string };

function isFromChild(message: unknown): message is FromChild {
  return typeof message === 'object' && message !== null && typeof (message as { ns?: unknown }).ns === 'string';
}

/** How long close() waits for children before SIGKILL. */
const CLOSE_GRACE_MS = 10_000;

/** A whole-number property, or its default when unset or not a number (Perl's `/^\d+$/` check). */
export function numberProp(server: NetServer, key: string, fallback: number): number {
  const value = server.server[key];
  if (value === undefined || value === null || !/^\d+(?:\.\d+)?$/.test(String(value).trim())) {
    server.server[key] = fallback;
    return fallback;
  }
  const n = Number(value);
  server.server[key] = n;
  return n;
}

type PoolHook = 'child_init_hook' | 'child_finish_hook' | 'pre_fork_hook' | 'idle_loop_hook' | 'run_dequeue' | 'run_n_children_hook';

/** Runs a pool hook by its name, a throw logged (never ending the parent or the child). */
export function callHook(server: NetServer, hook: PoolHook, ...args: unknown[]): Promise<unknown> {
  const fn = server[hook] as (...a: unknown[]) => unknown;
  return server.guarded(hook, undefined, () => fn.apply(server, args), undefined);
}

/** The parent side of a pool and the child loop; a subclass decides how many children run. */
export abstract class PoolPersonality implements Personality {
  abstract readonly name: string;
  /** Parent: every child by pid. */
  readonly children = new Map<number, ChildEntry>();
  private readonly queue: Job[] = [];
  private readonly udpJobs = new Map<number, UdpClient>();
  private nextJob = 1;
  private closed = false;
  private finish: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  protected server!: NetServer;
  /** Time of the last child start, kill and connection (Perl's last_start, last_kill, last_process). */
  protected last = { start: 0, kill: 0, process: 0, checked_for_dead: 0, checked_for_waiting: 0, checked_for_dequeue: 0 };

  abstract post_configure(server: NetServer): void;
  /** Called every tick and after every change: start and stop children to the policy. */
  protected abstract coordinate(): void;
  /** The children to start at first. */
  protected abstract initial(): number;
  /** Role of the children it starts. */
  protected role: ChildRole = 'child';
  /**
   * `serialize none`: the children accept on the shared listening tcp/ssl sockets themselves (the
   * kernel picks which one, as Perl's children racing in accept), each serving its clients at
   * once; otherwise the parent accepts and hands each client to one waiting child.
   */
  protected childrenAccept = false;

  accept(server: NetServer, client: AnyClient): void {
    this.handoff(server, 0, client);
  }

  // ---- Parent ---------------------------------------------------------------------------------

  loop(server: NetServer): Promise<void> {
    this.server = server;
    const now = Date.now();
    this.last = { start: now, kill: now, process: now, checked_for_dead: now, checked_for_waiting: now, checked_for_dequeue: now };
    // The script that called run() is what each child runs (node:cluster's default exec), with the same arguments.
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const start = this.initial();
    server.log(3, `Beginning prefork (${start} processes)`);
    void this.run_n_children(start);
    this.timer = setInterval(() => this.tick(), 1000);
    return done;
  }

  /**
   * serialize none: the child gets the listening tcp/ssl sockets themselves (the parent keeps
   * them too, so they never close while the server runs; what the parent accepts itself it hands
   * out as usual).
   */
  private shareListeners(entry: ChildEntry): void {
    for (const [index, sock] of (this.server.server.sock ?? []).entries()) {
      const listener = sock.listener?.();
      if (listener === undefined || (sock.NS_proto !== 'TCP' && sock.NS_proto !== 'SSL')) continue;
      entry.worker.send({ ns: 'listen', index } satisfies ToChild, listener);
    }
  }

  private tick(): void {
    if (this.closed) return;
    void callHook(this.server, 'idle_loop_hook', []);
    this.checkForDead();
    this.checkForDequeue();
    this.coordinate();
  }

  /** Perl's check_for_dead: a child whose pid no longer answers is deleted (node:cluster normally tells us first). */
  private checkForDead(): void {
    const every = numberProp(this.server, 'check_for_dead', 30) * 1000;
    const now = Date.now();
    if (now - this.last.checked_for_dead <= every) return;
    this.last.checked_for_dead = now;
    for (const pid of [...this.children.keys()]) {
      try {
        process.kill(pid, 0);
      } catch {
        this.delete_child(pid);
      }
    }
  }

  /** check_for_dequeue / max_dequeue: a child that runs run_dequeue once. */
  private checkForDequeue(): void {
    const every = this.server.server.check_for_dequeue;
    if (every === undefined || every === null || every === '') return;
    const now = Date.now();
    if (now - this.last.checked_for_dequeue <= Number(every) * 1000) return;
    this.last.checked_for_dequeue = now;
    const max = Number(this.server.server.max_dequeue ?? 0);
    if (this.count('dequeue') < max) this.spawn('dequeue');
  }

  /** Children run_n_children is about to start (its hooks are awaited), counted as starting. */
  private pendingStarts = 0;

  count(...statuses: ChildStatus[]): number {
    let n = statuses.includes('starting') ? this.pendingStarts : 0;
    for (const child of this.children.values()) if (statuses.includes(child.status)) n++;
    return n;
  }

  /** Perl's run_n_children: run_n_children_hook, then pre_fork_hook before each child started. */
  async run_n_children(n: number): Promise<void> {
    if (n <= 0 || this.closed) return;
    this.pendingStarts += n;
    await callHook(this.server, 'run_n_children_hook', n);
    this.pendingStarts -= n;
    this.server.log(3, `Starting "${n}" children`);
    this.last.start = Date.now();
    this.pendingStarts += n;
    for (let i = 0; i < n; i++) {
      await callHook(this.server, 'pre_fork_hook');
      this.pendingStarts--;
      this.spawn(this.role);
    }
  }

  /** Starts one child; returns its entry. */
  protected spawn(role: ChildRole): ChildEntry | undefined {
    if (this.closed) return undefined;
    const worker = cluster.fork({ [CHILD_ROLE_ENV]: role });
    const pid = worker.process.pid ?? -1;
    const entry: ChildEntry = { pid, worker, status: role === 'dequeue' ? 'dequeue' : 'starting', job: undefined, started: Date.now(), finishing: false };
    this.children.set(pid, entry);
    worker.on('message', (message: unknown) => {
      if (isFromChild(message)) this.fromChild(entry, message);
    });
    worker.on('error', (error: Error) => this.server.log(1, `child ${pid}: ${error.message}`));
    worker.on('exit', (code, signal) => {
      if (entry.job !== undefined) {
        const peer = entry.job.peer;
        this.server.log(1, `child ${pid} ended (${signal ?? `exit ${String(code)}`}) while serving a client ${peer}: that client's connection is lost, the pool goes on`);
      } else if (!entry.finishing && entry.status !== 'exiting' && entry.status !== 'dequeue' && !this.closed) {
        this.server.log(1, `child ${pid} ended unexpectedly (${signal ?? `exit ${String(code)}`}); replacing it`);
      }
      this.delete_child(pid);
    });
    this.server.log(4, `Child Preforked (${pid})`);
    return entry;
  }

  private fromChild(entry: ChildEntry, message: FromChild): void {
    if (message.ns === 'ready' && this.childrenAccept) this.shareListeners(entry);
    switch (message.ns) {
      case 'ready':
      case 'waiting':
        if (entry.job?.udp !== undefined) this.udpJobs.delete(entry.job.id);
        entry.job = undefined;
        if (entry.finishing || this.closed) {
          entry.worker.send({ ns: 'finish' } satisfies ToChild);
          entry.status = 'exiting';
        } else entry.status = 'waiting';
        this.dispatch();
        this.coordinate();
        break;
      case 'processing':
        entry.status = 'processing';
        break;
      case 'close_parent':
        this.server.log(2, `child ${entry.pid} asked the server to close`);
        void this.server.server_close();
        break;
      case 'exiting':
        entry.status = 'exiting';
        if (entry.job?.udp !== undefined) this.udpJobs.delete(entry.job.id);
        entry.job = undefined;
        this.coordinate();
        break;
      case 'udp_reply': {
        const client = this.udpJobs.get(message.id);
        if (client !== undefined) void client.send(Buffer.from(message.data, 'base64')).catch((error: unknown) => this.server.log(1, `UDP reply to ${client.peeraddr}: ${String(error)}`));
        break;
      }
      default:
        break;
    }
  }

  /** Perl's delete_child: the child is gone from the table (and replaced by the next coordinate). */
  delete_child(pid: number): void {
    const entry = this.children.get(pid);
    if (entry === undefined) return;
    this.children.delete(pid);
    if (entry.job?.udp !== undefined) this.udpJobs.delete(entry.job.id);
    if (entry.job?.socket !== undefined && !entry.job.socket.destroyed) entry.job.socket.destroy();
    entry.job = undefined;
    if (this.closed) this.settle();
    else {
      this.coordinate();
      this.dispatch();
    }
  }

  handoff(_server: NetServer, index: number, accepted: Socket | AnyClient): void {
    if (this.closed) {
      if (accepted instanceof Client) accepted.socket.destroy();
      else if (!(accepted instanceof UdpClient)) accepted.destroy();
      return;
    }
    const id = this.nextJob++;
    if (accepted instanceof UdpClient) this.queue.push({ id, index, udp: accepted, peer: `${accepted.peeraddr}:${accepted.peerport}` });
    else {
      const socket = accepted instanceof Client ? (accepted.socket as Socket) : accepted;
      this.queue.push({ id, index, socket, peer: socket.remoteAddress !== undefined ? `${socket.remoteAddress}:${socket.remotePort ?? ''}` : 'unix' });
    }
    this.dispatch();
    this.coordinate();
  }

  private drained: (() => void)[] = [];

  drain(): Promise<void> {
    if (this.queue.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Queued connections waiting for a child. */
  get queued(): number {
    return this.queue.length;
  }

  /** Hands each queued connection to a waiting child (Perl's children racing for accept, done by the parent). */
  protected dispatch(): void {
    while (this.queue.length > 0) {
      const child = this.waitingChild();
      if (child === undefined) return;
      if (this.queue.length === 1) for (const resolve of this.drained.splice(0)) queueMicrotask(resolve);
      const job = this.queue.shift()!;
      if (job.socket !== undefined && job.socket.destroyed) continue;
      this.last.process = Date.now();
      if (this.childrenAccept && job.udp === undefined) {
        // serialize none: the child serves it beside the clients it accepts itself, so it stays
        // waiting; the next connection goes to the next child
        this.children.delete(child.pid);
        this.children.set(child.pid, child);
      } else {
        child.status = 'processing';
        child.job = job;
      }
      const port = Number(this.server.server.sock?.[job.index]?.NS_port);
      if (job.udp !== undefined) {
        this.udpJobs.set(job.id, job.udp);
        const u = job.udp;
        child.worker.send({ ns: 'job', id: job.id, index: job.index, port, udp: { data: u.udp_data.toString('base64'), peeraddr: u.peeraddr, peerport: u.peerport, sockaddr: u.sockaddr, sockport: u.sockport } } satisfies ToChild);
      } else {
        child.worker.send({ ns: 'job', id: job.id, index: job.index, port } satisfies ToChild, job.socket, { keepOpen: false }, (error) => {
          if (error === null || error === undefined) return;
          this.server.log(1, `could not hand a connection to child ${child.pid}: ${error.message}`);
          job.socket?.destroy();
        });
      }
    }
  }

  private waitingChild(): ChildEntry | undefined {
    for (const child of this.children.values()) if (child.status === 'waiting' && !child.finishing) return child;
    return undefined;
  }

  /** Perl's kill_n_children (by HUP there): `n` waiting children are told to finish; they are given nothing more. */
  kill_n_children(n: number): void {
    if (n <= 0) return;
    this.server.log(3, `Killing "${n}" children`);
    this.last.kill = Date.now();
    for (const child of this.children.values()) {
      if (n <= 0) break;
      if (child.status !== 'waiting' || child.finishing) continue;
      child.finishing = true;
      child.status = 'exiting';
      child.worker.send({ ns: 'finish' } satisfies ToChild);
      n--;
    }
  }

  /** Children that run or are starting and were not told to finish (Perl's waiting + processing). */
  protected active(): number {
    let n = this.pendingStarts;
    for (const child of this.children.values()) if (!child.finishing && child.status !== 'dequeue' && child.status !== 'exiting') n++;
    return n;
  }

  /**
   * server_close: QUIT (kind_quit) tells each child to finish its request and leave; INT and TERM
   * end them with SIGTERM. Either way, SIGKILL after CLOSE_GRACE_MS; resolves once all are gone.
   */
  close(server: NetServer): Promise<void> {
    if (this.closed) return this.allGone();
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const job of this.queue.splice(0)) job.socket?.destroy();
    const gentle = Boolean(server.server.kind_quit);
    if (gentle) server.log(3, 'Attempting a slow shutdown');
    for (const child of this.children.values()) {
      child.finishing = true;
      if (gentle) {
        if (child.worker.isConnected()) child.worker.send({ ns: 'finish' } satisfies ToChild);
      } else {
        server.log(4, `Kill TERM pid ${child.pid}`);
        child.worker.process.kill('SIGTERM');
      }
    }
    const kill = setTimeout(() => {
      for (const child of this.children.values()) child.worker.process.kill('SIGKILL');
    }, CLOSE_GRACE_MS);
    kill.unref();
    const gone = this.allGone();
    void gone.then(() => clearTimeout(kill));
    this.settle();
    return gone;
  }

  private gone: (() => void)[] = [];

  private allGone(): Promise<void> {
    if (this.children.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.gone.push(resolve));
  }

  private settle(): void {
    if (!this.closed || this.children.size > 0) return;
    for (const resolve of this.gone.splice(0)) resolve();
    const finish = this.finish;
    this.finish = undefined;
    finish?.();
  }

  /** Parent signals: TTIN and TTOU grow and shrink the pool (the policy says which counts). */
  abstract signals(server: NetServer): Partial<Record<NodeJS.Signals, () => void>>;

  // ---- Child ----------------------------------------------------------------------------------

  /** The child's life: child_init_hook, then one client at a time until done, child_finish_hook. */
  async child(server: NetServer): Promise<void> {
    const role = childRole();
    const send = (message: FromChild) => {
      if (process.connected) process.send?.(message);
    };
    if (role === 'dequeue') {
      await callHook(server, 'run_dequeue');
      return leave();
    }
    const jobs: { message: Extract<ToChild, { ns: 'job' }>; socket: Socket | undefined }[] = [];
    let finishing = false;
    let wake: (() => void) | undefined;
    let current = false;
    let stop = () => {};
    const gentle = () => {
      finishing = true;
      stop();
      wake?.();
    };
    const now = () => {
      void callHook(server, 'child_finish_hook').finally(() => process.exit(0));
    };
    process.on('SIGINT', now);
    process.on('SIGTERM', now);
    // QUIT and HUP: finish the client in hand, then leave (Perl's children on the parent's HUP).
    process.on('SIGQUIT', gentle);
    process.on('SIGHUP', () => (current ? gentle() : now()));
    process.on('SIGPIPE', () => {});
    process.on('message', (message: unknown, socket: unknown) => {
      const m = message as ToChild;
      if (m?.ns === 'job' && this.childrenAccept && m.udp === undefined && socket !== undefined) return serveAtOnce(socket as Socket, m.index);
      if (m?.ns === 'job') jobs.push({ message: m, socket: socket as Socket | undefined });
      else if (m?.ns === 'listen') return acceptOn(m.index, socket as NetListener);
      else if (m?.ns === 'finish') finishing = true;
      else return;
      wake?.();
    });
    await callHook(server, 'child_init_hook');
    const max_requests = role === 'fork' ? 1 : numberProp(server, 'max_requests', 1000);
    let served = 0;
    // serialize none: this child accepts on the shared sockets too, its clients served at once
    let active = 0;
    let idle: (() => void) | undefined;
    const listening: NetListener[] = [];
    const stopAccepting = () => {
      for (const listener of listening.splice(0)) listener.close();
    };
    stop = stopAccepting;
    // serialize none: a child serves every client at once, those it accepts on the shared socket
    // and those the parent hands it, and stays *waiting* for the pool's arithmetic: reporting each
    // client would make the parent start spares (a Node start-up, tens of ms of CPU, where Perl's
    // fork costs one) and send two IPC messages a connection.
    const serveAtOnce = (socket: Socket, index: number) => {
      const sock = server.server.sock?.[index];
      socket.on('error', () => {});
      if (sock?.adopt === undefined) return void socket.destroy();
      active++;
      if (++served >= max_requests) gentle();
      const settle = () => {
        if (--active === 0 && finishing) idle?.();
      };
      sock.adopt(socket).then(
        (client) => server.run_client_connection(client).finally(settle),
        () => {
          socket.destroy();
          settle();
        },
      );
    };
    const acceptOn = (index: number, listener: NetListener) => {
      const sock = server.server.sock?.[index];
      if (sock?.adopt === undefined || finishing) return void listener.close();
      listening.push(listener);
      listener.on('connection', (socket: Socket) => serveAtOnce(socket, index));
    };
    send({ ns: 'ready' });
    while (!finishing || jobs.length > 0) {
      if (jobs.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const { message, socket } = jobs.shift()!;
      current = true;
      const client = await this.adopt(server, message, socket);
      if (client !== undefined) await server.run_client_connection(client);
      current = false;
      served++;
      if (served >= max_requests || role === 'fork') break;
      if (finishing && jobs.length === 0) break;
      send({ ns: 'waiting' });
    }
    stopAccepting();
    if (active > 0) await new Promise<void>((resolve) => (idle = resolve));
    server.log(4, `Child leaving (${max_requests})`);
    await callHook(server, 'child_finish_hook');
    send({ ns: 'exiting' });
    return leave();
  }

  /** The Client for what the parent handed over. */
  private async adopt(server: NetServer, message: Extract<ToChild, { ns: 'job' }>, socket: Socket | undefined): Promise<AnyClient | undefined> {
    const sock = server.server.sock?.[message.index];
    if (message.udp !== undefined) {
      const u = message.udp;
      const id = message.id;
      return new UdpClient(Buffer.from(u.data, 'base64'), { peeraddr: u.peeraddr, peerport: u.peerport, sockaddr: u.sockaddr, sockport: u.sockport }, async (data) => {
        if (process.connected) process.send?.({ ns: 'udp_reply', id, data: Buffer.from(data).toString('base64') } satisfies FromChild);
      });
    }
    if (socket === undefined || sock?.adopt === undefined) return undefined;
    try {
      return await sock.adopt(socket);
    } catch (error) {
      server.log(1, `handshake with ${socket.remoteAddress ?? 'client'} failed: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
      return undefined;
    }
  }
}

/** A child leaves: the IPC channel closes, and the process ends (at once if something else holds it). */
function leave(): void {
  if (cluster.worker !== undefined) cluster.worker.disconnect();
  setTimeout(() => process.exit(0), 1000).unref();
}
