// The primary side of poets-nscad --daemon: a fixed pool of node:cluster workers (each re-runs the
// poets-nscad script and serves connections on the shared listening socket); the lines they send
// are written here, by the one writer of the command file, and acknowledged once safe.
import cluster, { type Worker } from 'node:cluster';
import { isLinesMessage, type AckMessage, type ReloadMessage } from './relay.js';

/** Worker → primary: the worker could not start (its reason, e.g. the bind failure). */
export interface FailedMessage {
  ns: 'nscad-failed';
  message: string;
}

export interface WorkerPoolOptions {
  workers: number;
  /** Writes one batch of whole lines; undefined when they are safe now, else a promise for it. */
  write: (lines: Buffer[]) => PromiseLike<void> | undefined;
  log: (line: string) => void;
  /** Every worker listens on a new address (at the start, or after a HUP moved it). */
  onListening: (address: { address: string; port: number }) => void;
  /** A worker ended before any worker listened: the pool cannot serve. */
  onFailed: (reason: string) => void;
}

/** A worker that dies sooner than this after its start is replaced only after this delay (no fork storm). */
const RESTART_DELAY_MS = 1000;

export class WorkerPool {
  /** Each live worker: when it started, and where it listens (once it does). */
  private readonly workers = new Map<Worker, { started: number; at?: string }>();
  private anyListened = false;
  private stopping = false;
  private listenedAt: string | undefined;
  private lastAddress: { address: string; port: number } | undefined;
  private failure: string | undefined;
  private gone: (() => void) | undefined;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Starts the workers. They accept on the listening socket themselves (no hand-off through this process). */
  start(): void {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    for (let i = 0; i < this.options.workers; i++) this.fork();
  }

  address(): { address: string; port: number } | undefined {
    return this.lastAddress;
  }

  /** HUP: each worker re-reads the config (a new address is bound again, here, for all). */
  reload(): void {
    for (const worker of this.workers.keys()) if (worker.isConnected()) worker.send({ ns: 'nscad-reload' } satisfies ReloadMessage);
  }

  /** TERM to each worker (each drains its clients and waits for its lines to be written); SIGKILL after `ms`. */
  stop(ms: number): Promise<void> {
    this.stopping = true;
    const all = new Promise<void>((resolve) => (this.gone = resolve));
    for (const worker of this.workers.keys()) worker.process.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const worker of this.workers.keys()) {
        this.options.log(`nscad: worker ${worker.process.pid} did not end within ${ms / 1000} s; killing it`);
        worker.process.kill('SIGKILL');
      }
    }, ms);
    kill.unref();
    this.settle();
    return all.finally(() => clearTimeout(kill));
  }

  private settle(): void {
    if (this.stopping && this.workers.size === 0) this.gone?.();
  }

  private fork(): void {
    if (this.stopping) return;
    const worker = cluster.fork();
    const entry: { started: number; at?: string } = { started: Date.now() };
    this.workers.set(worker, entry);
    worker.on('message', (message: unknown) => {
      if (isLinesMessage(message)) return this.received(worker, message.seq, message.lines);
      if (isFailedMessage(message)) this.failure = message.message;
    });
    worker.on('listening', (address: { address: string; port: number }) => {
      const at = `${address.address}:${address.port}`;
      entry.at = at;
      this.anyListened = true;
      if (this.listenedAt === at || [...this.workers.values()].some((w) => w.at !== at)) return;
      this.listenedAt = at;
      this.lastAddress = { address: address.address, port: address.port };
      this.options.onListening(this.lastAddress);
    });
    worker.on('error', (error: Error) => this.options.log(`nscad: worker ${worker.process.pid}: ${error.message}`));
    worker.on('exit', (code: number | null, signal: string | null) => {
      const started = entry.started;
      this.workers.delete(worker);
      if (this.stopping) return this.settle();
      const how = signal ?? `exit ${String(code)}`;
      if (!this.anyListened) return this.options.onFailed(this.failure ?? `worker ${worker.process.pid} ended (${how}) before listening`);
      this.options.log(`nscad: worker ${worker.process.pid} ended (${how}); its unfinished clients see their connection close; replacing it`);
      const delay = Date.now() - started < RESTART_DELAY_MS ? RESTART_DELAY_MS : 0;
      if (delay === 0) this.fork();
      else setTimeout(() => this.fork(), delay).unref();
    });
  }

  private received(worker: Worker, seq: number, lines: string[]): void {
    let safe: PromiseLike<void> | undefined;
    try {
      safe = this.options.write(lines.map((line) => Buffer.from(line, 'latin1')));
    } catch (error) {
      // not acknowledged: the worker's clients are not told their checks were taken
      return this.options.log(`nscad: ${lines.length} line(s) from worker ${worker.process.pid} not written: ${(error as Error).message}`);
    }
    const ack = () => {
      if (worker.isConnected()) worker.send({ ns: 'nscad-ack', seq } satisfies AckMessage);
    };
    if (safe === undefined) ack();
    else safe.then(ack);
  }
}

function isFailedMessage(message: unknown): message is FailedMessage {
  return typeof message === 'object' && message !== null && (message as { ns?: unknown }).ns === 'nscad-failed';
}
