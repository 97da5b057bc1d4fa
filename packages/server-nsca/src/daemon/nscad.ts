import { lookup } from 'node:dns/promises';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { ARG0, HEAP, KERNEL, Kernel, SESSION, Session, type EventArgs } from '@poets/kernel';
import { ServerNSCA } from '../server/server-nsca.js';
import type { NSCAResult } from '../server/result.js';
import { CommandFile } from './command-file.js';
import { commandLine } from './command-line.js';
import { parseNscaConfig, type NscadConfig } from './config.js';

/** The config `poets-nscad` runs with when given none (what `npm start` runs). */
export const DEFAULT_CONFIG = `# poets-nscad's built-in configuration
server_address=127.0.0.1
server_port=5667
decryption_method=1
password=poets
max_packet_age=30
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
  /** Default: a new kernel. */
  kernel?: Kernel;
  /** Seconds a client has to complete each packet (default 60). */
  timeOut?: number;
}

/** Raised for a configuration nscad refuses to start with (the CLI exits with status 2). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface Heap {
  server?: ServerNSCA;
  config: NscadConfig;
  writer?: CommandFile;
}
type Ev = EventArgs<Heap>;

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

  static start(options: NscadOptions = {}): Nscad {
    return new Nscad(options);
  }

  private constructor(private readonly options: NscadOptions) {
    const kernel = (this.kernel = options.kernel ?? new Kernel());
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const stdout = options.stdout ?? process.stdout;
    const json = options.json ?? false;
    const config = this.loadConfig(log);
    const serverOptions = (c: NscadConfig) => ({
      password: c.password,
      encryption: c.decryption_method,
      access: c.allowed_hosts,
      maxPacketAge: c.max_packet_age,
      time_out: options.timeOut ?? 60,
    });
    const makeWriter = (c: NscadConfig) =>
      json
        ? undefined
        : new CommandFile({
            path: c.command_file!,
            ...(c.alternate_dump_file === undefined ? {} : { alternateDumpFile: c.alternate_dump_file }),
            append: c.append_to_file,
            aggregate: c.aggregate_writes,
            log,
          });
    const listen = (heap: Heap) => {
      const c = heap.config;
      const server = ServerNSCA.spawn({ kernel, address: c.server_address ?? '0.0.0.0', port: c.server_port, log, ...serverOptions(c) });
      kernel.post(server.session_id(), 'register', 'event', 'check');
      heap.server = server;
    };
    const record = (heap: Heap, result: NSCAResult) => {
      const now = Math.floor(Date.now() / 1000);
      if (json) stdout.write(`${JSON.stringify(jsonOf(result, now))}\n`);
      else heap.writer!.write(commandLine(result, now));
    };

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
          listen(_[HEAP]);
          writePidFile(config, log);
          const where = _[HEAP].server!.getsockname();
          log(`nscad: listening on ${where?.address ?? '?'}:${where?.port ?? '?'} (method ${config.decryption_method}${json ? ', JSON results on stdout' : `, commands to ${config.command_file}`})`);
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
          const old = heap.config;
          heap.config = next;
          if (next.server_address !== old.server_address || next.server_port !== old.server_port) {
            heap.server?.shutdown();
            listen(heap);
          } else {
            heap.server?.reconfigure(serverOptions(next));
          }
          if (!json && (next.command_file !== old.command_file || next.append_to_file !== old.append_to_file || next.aggregate_writes !== old.aggregate_writes || next.alternate_dump_file !== old.alternate_dump_file)) {
            heap.writer?.close();
            heap.writer = makeWriter(next);
          }
          log('nscad: HUP: configuration re-read');
        },
        shutdown: (_: Ev) => {
          _[KERNEL].sig_handled();
          const heap = _[HEAP];
          for (const signal of ['TERM', 'INT', 'HUP']) _[KERNEL].sig(signal);
          heap.server?.shutdown();
          heap.server = undefined;
          _[KERNEL].alias_remove('nscad');
        },
        _stop: (_: Ev) => {
          const left = _[HEAP].writer?.close() ?? 0;
          if (left > 0) log(`nscad: ${left} batch(es) of command lines could not be written to ${_[HEAP].config.command_file}`);
          removePidFile(_[HEAP].config);
        },
      },
    });
    this.done = kernel.run();
  }

  /** Where the daemon listens. */
  address(): { address: string; port: number | undefined } | undefined {
    return this.session.get_heap().server?.getsockname();
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
    for (const warning of parsed.warnings) log(`nscad: ${warning}`);
    if (parsed.errors.length > 0) throw new ConfigError(parsed.errors.join('\n'));
    if (!json && parsed.config.command_file === undefined) throw new ConfigError(`${configPath ?? 'config'}: no command_file (or run with --json)`);
    return parsed.config;
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

function writePidFile(config: NscadConfig, log: (line: string) => void): void {
  if (config.pid_file === undefined) return;
  try {
    writeFileSync(config.pid_file, `${process.pid}\n`);
  } catch (error) {
    log(`nscad: cannot write pid_file ${config.pid_file}: ${(error as Error).message}`);
  }
}

function removePidFile(config: NscadConfig): void {
  if (config.pid_file === undefined) return;
  try {
    unlinkSync(config.pid_file);
  } catch {
    /* not there */
  }
}
