import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { ARG0, HEAP, KERNEL, Kernel, SESSION, Session, componentLogger, formatPeer, type EventArgs, type Logger, type LogLevel } from '@poets/kernel';
import { check_pid_file, create_pid_file, drop_privileges, remove_pid_file, stdin_socket } from '@poets/net-server';
import { isSupportedMethod } from '../ciphers/methods.js';
import { ConfigError, ListenError, OutputError, UnsupportedMethodError } from '../errors.js';
import { AccessList } from '../server/access.js';
import { ServerNSCA } from '../server/server-nsca.js';
import type { NSCAResult } from '../server/result.js';
import { BoundedOutput } from './bounded-output.js';
import { CommandFile } from './command-file.js';
import { isReloadMessage, LineRelay } from './relay.js';
import { WorkerPool, type FailedMessage } from './worker-pool.js';
import { commandLine } from './command-line.js';
import { parseNscaConfig, type NscadConfig } from './config.js';
import { strictFieldsRefusal } from './strict-fields.js';

/** The config `poets-nscad` runs with when given none (what `npm start` runs). */
export const DEFAULT_CONFIG = `# poets-nscad's built-in configuration
server_address=127.0.0.1
server_port=5667
decryption_method=1
password=poets
max_packet_age=30
strict_fields=1
`;

export interface NscadOptions {
  /** Path of the nsca.cfg to read (and re-read on HUP). */
  configPath?: string;
  /** Config text used when there is no path (default: DEFAULT_CONFIG). */
  configText?: string;
  /** Write each result as one JSON object per line on `stdout` instead of to the command file. */
  json?: boolean;
  /** Default: process.stdout. */
  stdout?: Writable;
  /** Default: standard error. */
  log?: (line: string) => void;
  /** Where the server's lines go, naming the component and the peer (default: lines through `log`). */
  logger?: Logger;
  /** Default: a new kernel. */
  kernel?: Kernel;
  /** Seconds a client has to complete each packet (default 60). */
  timeOut?: number;
  /**
   * nsca --inetd: serve the one connection on standard input (inetd/xinetd accepted it), write
   * its checks, and stop. `socket` replaces standard input (for tests).
   */
  inetd?: boolean;
  socket?: Socket;
  /**
   * nsca --daemon, as a prefork pool: this process writes the command file and starts `workers`
   * node:cluster workers (each re-runs this script, which must start them with `worker: true`)
   * that accept, decrypt and check the connections and send it their lines.
   */
  pool?: { workers: number };
  /** A --daemon worker (in a node:cluster worker): results go to the primary, which writes them. */
  worker?: boolean;
}

/** What nscad writes its lines to: the command file, or (in a --daemon worker) the primary. */
type LineWriter = Pick<CommandFile, 'whenSafe' | 'close' | 'reconfigure'> & { write(line: Buffer | string): void };

interface Heap {
  server?: ServerNSCA;
  /** --daemon's primary: the workers. */
  pool?: WorkerPool;
  config: NscadConfig;
  writer?: LineWriter;
  /** Set by TERM, INT or stop(): the writer is closed once the server has drained. */
  stopping?: boolean;
}
type Ev = EventArgs<Heap>;

const REFCOUNT_TAG = 'nscad-server';
/** At TERM or INT, the clients already connected have this long to end (each also within its time_out). */
const DRAIN_SECONDS = 10;

/**
 * poets-nscad: a drop-in for the nsca daemon on Server::NSCA. It reads an nsca.cfg, writes each
 * check to the command file as nsca does (or, with `json`, prints it), re-reads its config on HUP,
 * and on TERM or INT stops listening and writes everything it accepted before it exits.
 */
export class Nscad {
  readonly kernel: Kernel;
  /** Resolves when the daemon has stopped (after TERM, INT or `stop()`). */
  readonly done: Promise<void>;
  private readonly session: Session<Heap>;
  private failure: Error | undefined = undefined;
  private pidFileOwned = false;

  static start(options: NscadOptions = {}): Nscad {
    return new Nscad(options);
  }

  private constructor(private readonly options: NscadOptions) {
    const kernel = (this.kernel = options.kernel ?? new Kernel());
    // nscad's own lines go through the Logger contract (component `nscad`), unless a line function is given
    const logger = componentLogger(options.logger ?? kernel.logger, 'nscad');
    const log = options.log ?? ((line: string) => logger.log(levelOf(line), line.replace(/^nscad: /, '')));
    const inetdSocket = options.inetd ? (options.socket ?? stdin_socket()) : undefined;
    if (options.inetd && inetdSocket === undefined) throw new ConfigError('--inetd: standard input is not a socket (run it from inetd or xinetd, wait = no)');
    const stdout = options.stdout ?? process.stdout;
    const json = options.json ?? false;
    // a --daemon worker re-reads its config when the primary passes HUP on; a message that came
    // before this listener came before the config is read below, so nothing is missed
    if (options.worker) process.on('message', (message) => void (isReloadMessage(message) && kernel.post(this.session, 'reload')));
    const config = this.loadConfig(log);
    // a --daemon worker: its lines (JSON ones too) go to the primary, which owns pid_file
    const relay = options.worker ? new LineRelay(process) : undefined;
    const ownsPidFile = inetdSocket === undefined && relay === undefined;
    // a live process's pid in pid_file refuses the start here (PidFileError), before anything is bound
    if (ownsPidFile && config.pid_file !== undefined && check_pid_file(config.pid_file) === 'stale') log(`nscad: removed stale pid_file ${config.pid_file}`);
    const serverOptions = (c: NscadConfig) => ({
      password: c.password,
      encryption: c.decryption_method,
      access: c.allowed_hosts,
      maxPacketAge: c.max_packet_age,
      time_out: options.timeOut ?? 60,
    });
    const fileOptions = (c: NscadConfig) => ({
      path: c.command_file!,
      ...(c.alternate_dump_file === undefined ? {} : { alternateDumpFile: c.alternate_dump_file }),
      append: c.append_to_file,
      aggregate: c.aggregate_writes,
      maxQueueAge: c.queue_max_age,
    });
    const makeWriter = (c: NscadConfig): LineWriter | undefined => {
      if (relay !== undefined) return relay;
      if (json) return undefined;
      const spool = c.spool_directory === undefined ? {} : { spoolDirectory: c.spool_directory, spoolMaxBytes: c.spool_max_bytes };
      try {
        return new CommandFile({ ...fileOptions(c), ...spool, maxQueueBytes: c.queue_max_bytes, log });
      } catch (error) {
        throw new ConfigError(`spool_directory ${c.spool_directory}: ${(error as Error).message}`);
      }
    };
    const output = json && relay === undefined ? new BoundedOutput(stdout, config.queue_max_bytes, log) : undefined;
    /** After the server has drained at TERM/INT: the writer writes (or spools) what it holds, then nscad may stop. */
    const closeWriter = (heap: Heap, id: number) => {
      const closed = heap.writer?.close() ?? output?.close(5000) ?? Promise.resolve(0);
      void closed.then((left) => {
        if (left > 0) log(`nscad: ${left} result(s) could not be written to ${json ? 'stdout' : heap.config.command_file} and are lost (nothing took them for 5 s${json ? '' : '; spool_directory keeps them across restarts'})`);
        kernel.refcount_decrement(id, 'closing');
      });
    };
    /** --daemon's primary: the workers listen; their lines are written here. */
    const startPool = (heap: Heap, id: number, workers: number) => {
      const pool = new WorkerPool({
        workers,
        log,
        write: (lines) => {
          for (const line of lines) {
            if (heap.writer !== undefined) heap.writer.write(line);
            else output!.write(line);
          }
          return heap.writer?.whenSafe();
        },
        onListening: (address) => kernel.post(this.session, 'listening', address),
        onFailed: (reason) => {
          this.failure ??= new ListenError(reason);
          kernel.post(this.session, 'shutdown');
        },
      });
      kernel.refcount_increment(id, REFCOUNT_TAG); // until every worker is gone
      heap.pool = pool;
      pool.start();
    };
    const listen = (heap: Heap, id: number) => {
      const c = heap.config;
      const address = c.server_address ?? '0.0.0.0';
      const server = ServerNSCA.spawn({
        kernel,
        address,
        port: c.server_port,
        ...(inetdSocket !== undefined ? { socket: inetdSocket } : {}),
        ...(options.log === undefined ? { logger: options.logger ?? kernel.logger } : { log }),
        ...serverOptions(c),
        // nsca exits when it cannot bind; so does nscad (`done` rejects), rather than idle on.
        onListenError: (_operation, _errno, message) => {
          // the address and port tried last (a HUP may have moved them)
          const tried = formatPeer({ address: heap.config.server_address ?? '0.0.0.0', port: heap.config.server_port });
          this.failure ??= new ListenError(`cannot listen on ${tried}: ${message}`);
          // a worker tells the primary why it stops, before it does
          if (relay !== undefined && process.connected) process.send?.({ ns: 'nscad-failed', message: this.failure.message } satisfies FailedMessage);
          kernel.post(this.session, 'shutdown');
        },
        // a client's connection is closed once its checks are written or spooled (not merely queued)
        holdClose: () => heap.writer?.whenSafe(),
      });
      // Each result reaches 'check' by a call from the server's handler rather than a post through
      // the queue (register's way): one queued event and kernel slice less per check. The
      // reference held here keeps nscad alive while the server runs, as a registration did; it
      // goes when the server shuts down (results$ completes).
      kernel.refcount_increment(id, REFCOUNT_TAG);
      server.results$.subscribe({
        next: (result) => kernel.call(id, 'check', result),
        complete: () => kernel.refcount_decrement(id, REFCOUNT_TAG),
      });
      heap.server = server;
    };
    const listening = (heap: Heap) => {
      if (inetdSocket !== undefined) return log(`nscad: serving the inetd connection from ${formatPeer({ address: inetdSocket.remoteAddress ?? 'stdin', port: inetdSocket.remotePort })}`);
      if (relay !== undefined) return; // the primary says where the pool listens
      const where = heap.pool?.address() ?? heap.server?.getsockname();
      const at = formatPeer(where?.port === undefined ? { address: heap.config.server_address ?? '0.0.0.0', port: heap.config.server_port } : { address: where.address, port: where.port });
      const method = heap.config.decryption_method;
      const workers = heap.pool === undefined ? '' : `, ${options.pool!.workers} worker process${options.pool!.workers === 1 ? '' : 'es'}`;
      log(`nscad: listening on ${at} (method ${method}${json ? ', JSON results on stdout' : `, commands to ${heap.config.command_file}`}${workers})`);
    };
    /** HUP: the command file's new options (the config becomes `next`). */
    const reconfigureWriter = (heap: Heap, old: NscadConfig, next: NscadConfig) => {
      heap.config = next;
      if (!json && (next.command_file !== old.command_file || next.append_to_file !== old.append_to_file || next.aggregate_writes !== old.aggregate_writes || next.alternate_dump_file !== old.alternate_dump_file || next.queue_max_age !== old.queue_max_age)) {
        // lines the old file has not taken yet (a FIFO without a reader) go to the new one
        heap.writer?.reconfigure(fileOptions(next));
      }
      if (next.spool_directory !== old.spool_directory || next.spool_max_bytes !== old.spool_max_bytes || next.queue_max_bytes !== old.queue_max_bytes) {
        log('nscad: HUP: spool_directory, spool_max_bytes and queue_max_bytes take effect at the next start');
      }
    };
    const strictFields = (c: NscadConfig) => c.strict_fields ?? false;
    const record = (heap: Heap, result: NSCAResult) => {
      const now = Math.floor(Date.now() / 1000);
      let line: Buffer | undefined;
      if (strictFields(heap.config)) {
        line = commandLine(result, now);
        const refusal = strictFieldsRefusal(result, line, heap.config.max_line_length);
        if (refusal !== undefined) return void log(`nscad: ${formatPeer({ address: result.peeraddr, port: result.peerport })} refused a check (strict_fields): ${refusal}`);
      }
      if (heap.config.debug) log(`nscad: ${formatPeer({ address: result.peeraddr, port: result.peerport })} check for host '${result.host_name}'${result.svc_description === undefined ? '' : ` service '${result.svc_description}'`} return code ${result.return_code} (debug)`);
      if (json) return (relay ?? output!).write(`${JSON.stringify(jsonOf(result, now))}\n`);
      try {
        heap.writer!.write(line ?? commandLine(result, now));
      } catch (error) {
        log(`nscad: dropped check for host '${result.host_name}' from ${result.peeraddr}: ${(error as Error).message}`); // a late strict_mode_spoofing lookup at shutdown
      }
    };
    if (json && relay === undefined) {
      // A reader that goes away (`poets-nscad --json | head`): stop taking checks that can go
      // nowhere, rather than die of an unhandled EPIPE.
      stdout.on('error', (error: Error) => {
        if (this.failure !== undefined) return;
        this.failure = new OutputError(`cannot write results to stdout: ${error.message}; stopping`);
        log(`nscad: ${this.failure.message}`);
        kernel.post(this.session, 'shutdown');
      });
    }

    this.session = Session.create<Heap>({
      kernel,
      heap: { config },
      inline_states: {
        _start: (_: Ev) => {
          _[KERNEL].alias_set('nscad');
          for (const signal of ['TERM', 'INT']) _[KERNEL].sig(signal, 'shutdown');
          _[KERNEL].sig('HUP', 'reload');
          const writer = makeWriter(config);
          if (writer !== undefined) _[HEAP].writer = writer;
          if (options.pool !== undefined) startPool(_[HEAP], _[SESSION].ID(), options.pool.workers);
          else listen(_[HEAP], _[SESSION].ID());
          if (ownsPidFile) this.pidFileOwned = writePidFile(config, log);
          // one connection under inetd: once it is gone, write what it sent and stop
          inetdSocket?.once('close', () => kernel.post(this.session, 'shutdown'));
          // a bind failure is reported by then; the pool posts it once every worker listens
          if (options.pool === undefined) _[KERNEL].yield('listening');
        },
        listening: (_: Ev) => {
          if (this.failure !== undefined || _[HEAP].stopping || (_[HEAP].server === undefined && _[HEAP].pool === undefined)) return;
          // nsca drops to nsca_user/nsca_group once bound and the pid file is written
          try {
            const dropped = drop_privileges({ user: config.nsca_user, group: config.nsca_group });
            if (dropped !== undefined && options.inetd !== true && relay === undefined) log(`nscad: running as uid ${dropped.uid} gid ${dropped.gid}`);
          } catch (error) {
            this.failure = new ConfigError(`nsca_user/nsca_group: ${(error as Error).message}`);
            log(`nscad: ${this.failure.message}; stopping`);
            return void _[KERNEL].yield('shutdown');
          }
          listening(_[HEAP]);
        },
        check: (_: Ev) => {
          const result = _[ARG0] as NSCAResult;
          if (!_[HEAP].config.strict_mode_spoofing) return record(_[HEAP], result);
          // nsca's strict_mode_spoofing: the host name must resolve to the peer's address.
          const heap = _[HEAP];
          const id = _[SESSION].ID();
          _[KERNEL].refcount_increment(id, 'spoof-check');
          void lookup(result.host_name, { all: true })
            .then((addresses) => addresses.some((a) => a.address === result.peeraddr.replace(/^::ffff:/, '')))
            .catch(() => false)
            .then((matches) => {
              if (matches) record(heap, result);
              else log(`nscad: dropped check for host '${result.host_name}' from ${result.peeraddr}: the host name does not resolve to it (strict_mode_spoofing)`);
              kernel.refcount_decrement(id, 'spoof-check');
            });
        },
        reload: (_: Ev) => {
          _[KERNEL].sig_handled();
          let next: NscadConfig;
          try {
            next = this.loadConfig(log);
          } catch (error) {
            return log(`nscad: HUP: keeping the running configuration: ${(error as Error).message}`);
          }
          const heap = _[HEAP];
          if (heap.pool !== undefined && !heap.stopping) {
            // the workers re-read it for themselves (and bind again, through this process, if the address moved)
            reconfigureWriter(heap, heap.config, next);
            heap.pool.reload();
            return log('nscad: HUP: configuration re-read (and passed on to the workers)');
          }
          if (heap.server === undefined) return; // shutting down
          const old = heap.config;
          try {
            // loadConfig checked what spawn and reconfigure refuse; this cannot throw in practice
            heap.server.reconfigure(serverOptions(next));
          } catch (error) {
            return log(`nscad: HUP: keeping the running configuration: ${(error as Error).message}`);
          }
          if (next.server_address !== old.server_address || next.server_port !== old.server_port) {
            heap.config = next;
            // as nsca, which binds again on HUP and keeps serving the connections it has
            heap.server.rebind(next.server_address ?? '0.0.0.0', next.server_port);
            _[KERNEL].yield('listening');
          }
          reconfigureWriter(heap, old, next);
          log('nscad: HUP: configuration re-read');
        },
        shutdown: (_: Ev) => {
          _[KERNEL].sig_handled();
          const heap = _[HEAP];
          for (const signal of ['TERM', 'INT', 'HUP']) _[KERNEL].sig(signal);
          if (heap.stopping) return;
          heap.stopping = true;
          const server = heap.server;
          heap.server = undefined;
          // stop listening; serve the clients already connected to their end; then close the writer
          const id = _[SESSION].ID();
          _[KERNEL].refcount_increment(id, 'closing'); // held until the writer is closed
          _[KERNEL].alias_remove('nscad');
          const pool = heap.pool;
          if (pool !== undefined) {
            // each worker drains its clients and waits until its lines are written here; then this writer closes
            return void pool.stop((DRAIN_SECONDS + 10) * 1000).then(() => {
              closeWriter(heap, id);
              kernel.refcount_decrement(id, REFCOUNT_TAG);
            });
          }
          if (server === undefined) return closeWriter(heap, id);
          server.shutdown({ drain: DRAIN_SECONDS });
          server.results$.subscribe({ complete: () => closeWriter(heap, id) }); // at once if it is already done
        },
        _stop: (_: Ev) => {
          if (this.pidFileOwned) removePidFile(_[HEAP].config);
        },
      },
    });
    this.done = kernel.run().then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }

  /** Where the daemon listens. */
  address(): { address: string; port: number | undefined } | undefined {
    const heap = this.session.get_heap();
    return heap.pool?.address() ?? heap.server?.getsockname();
  }

  /** Stops as TERM would: no new checks, everything accepted written. */
  stop(): Promise<void> {
    this.kernel.post(this.session, 'shutdown');
    return this.done;
  }

  private loadConfig(log: (line: string) => void): NscadConfig {
    const { configPath, configText, json } = this.options;
    let text: string;
    try {
      text = configPath !== undefined ? readFileSync(configPath, 'utf8') : (configText ?? DEFAULT_CONFIG);
    } catch (error) {
      throw new ConfigError(`cannot read ${configPath}: ${(error as Error).message}`);
    }
    const parsed = parseNscaConfig(text, configPath ?? 'built-in config');
    // a --daemon worker reads the config the primary has already warned about
    if (this.options.worker !== true) for (const warning of parsed.warnings) log(`nscad: ${warning}`);
    if (parsed.errors.length > 0) throw new ConfigError(parsed.errors.join('\n'));
    const config = parsed.config;
    const source = configPath ?? 'config';
    if (config.nsca_chroot !== undefined && config.nsca_chroot !== '') {
      throw new ConfigError(`${source}: nsca_chroot=${config.nsca_chroot} is not supported: Node loads code and reads /etc after start; use systemd RootDirectory= or a container (and command_file inside it)`);
    }
    if (!json && config.command_file === undefined) throw new ConfigError(`${source}: no command_file (or run with --json)`);
    if (!isSupportedMethod(config.decryption_method)) throw new ConfigError(`${source}: decryption_method: ${new UnsupportedMethodError(config.decryption_method).message}`);
    try {
      new AccessList(config.allowed_hosts);
    } catch (error) {
      throw new ConfigError(`${source}: allowed_hosts: ${(error as Error).message}`);
    }
    return config;
  }
}

function jsonOf(result: NSCAResult, now: number) {
  return {
    time: now,
    host_name: result.host_name,
    ...(result.svc_description === undefined ? {} : { svc_description: result.svc_description }),
    return_code: result.return_code,
    plugin_output: result.plugin_output,
    timestamp: result.timestamp,
    peeraddr: result.peeraddr,
    peerport: result.peerport,
  };
}

/**
 * Writes pid_file (checked by @poets/net-server's check_pid_file at start); true when this
 * process now owns it.
 */
function writePidFile(config: NscadConfig, log: (line: string) => void): boolean {
  if (config.pid_file === undefined) return false;
  try {
    create_pid_file(config.pid_file);
    return true;
  } catch (error) {
    log(`nscad: cannot write pid_file ${config.pid_file}: ${(error as Error).message}`);
    return false;
  }
}

function removePidFile(config: NscadConfig): void {
  if (config.pid_file !== undefined) remove_pid_file(config.pid_file);
}

/** The Logger level of one of nscad's lines (they were bare lines before the Logger contract). */
function levelOf(line: string): LogLevel {
  if (/cannot|lost|error|fail/i.test(line)) return 'error';
  if (/refused|dropped|not supported|keeping|stopping/i.test(line)) return 'warning';
  return 'notice';
}
