import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
  type PubAck,
} from '@nats-io/jetstream';
import { KERNEL, Kernel, SESSION, Session, componentLogger, poe_kernel, type Logger } from '@poets/kernel';
import { commandLine } from '@poets/server-nsca';
import { ensureWorkQueueStream, retryingSetup } from './streams.js';

/** One check result, with NSCA's field names (host checks have no `svc_description`). */
export interface CheckResult {
  host_name: string;
  svc_description?: string;
  return_code: number;
  plugin_output: string;
  /** Epoch seconds the check ran; the command line's `[time]`. Default: when it is written. */
  time?: number;
}

/** Where check results travel: one JetStream work-queue stream. */
export interface CheckStreamOptions {
  /** Default `NAGIOS_CHECKS`. */
  stream?: string;
  /** Default `nagios.checks`. */
  subject?: string;
  /** Default 1; 3 on a three-node cluster. */
  replicas?: number;
}

const DEFAULT_STREAM = 'NAGIOS_CHECKS';
const DEFAULT_SUBJECT = 'nagios.checks';

/** Creates the check stream if it is not there. */
export async function ensureCheckStream(nc: NatsConnection, options: CheckStreamOptions = {}): Promise<void> {
  await ensureWorkQueueStream(nc, { name: options.stream ?? DEFAULT_STREAM, subjects: [options.subject ?? DEFAULT_SUBJECT], replicas: options.replicas ?? 1 });
}

/** The reason `value` is not a check result, or undefined. */
export function checkResultProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const c = value as Record<string, unknown>;
  if (typeof c.host_name !== 'string' || c.host_name === '') return 'no host_name';
  if (c.svc_description !== undefined && typeof c.svc_description !== 'string') return 'svc_description is not a string';
  if (!Number.isInteger(c.return_code) || (c.return_code as number) < 0 || (c.return_code as number) > 3) return 'return_code is not 0-3';
  if (typeof c.plugin_output !== 'string') return 'no plugin_output';
  if (c.time !== undefined && (typeof c.time !== 'number' || !Number.isFinite(c.time))) return 'time is not a number';
  return undefined;
}

/**
 * Submits one check result to the check stream and resolves once JetStream has stored it: the
 * submit side an agent's NATS channel wraps. `msgID` (default: a fresh one) makes a retried
 * submission count once.
 */
export async function publishCheckResult(
  nc: NatsConnection,
  result: CheckResult,
  options: CheckStreamOptions & { msgID?: string; timeout?: number } = {},
): Promise<PubAck> {
  const problem = checkResultProblem(result);
  if (problem !== undefined) throw new TypeError(`not a check result: ${problem}`);
  const check: CheckResult = { ...result, time: result.time ?? Math.floor(Date.now() / 1000) };
  const publishOptions: { msgID?: string; timeout: number } = { timeout: (options.timeout ?? 5) * 1000 };
  if (options.msgID !== undefined) publishOptions.msgID = options.msgID;
  return jetstream(nc).publish(options.subject ?? DEFAULT_SUBJECT, JSON.stringify(check), publishOptions);
}

export interface NagiosConsumerOptions extends CheckStreamOptions, Omit<NodeConnectionOptions, 'servers'> {
  /** Nagios' external command file (its FIFO, `command_file` in nagios.cfg). */
  command_file: string;
  servers?: string | string[];
  /** The durable JetStream consumer's name: every instance of one daemon shares it. Default `poets-nagios`. */
  durable_name?: string;
  /** Seconds before an unacknowledged check is redelivered (the consumer died holding it). Default 30. */
  ack_wait?: number;
  /** Seconds before retrying checks the command file could not take. Default 1. */
  retry?: number;
  /** The component's session alias. Default `nagios-consumer`. */
  alias?: string;
  kernel?: Kernel;
  logger?: Logger;
}

/**
 * Takes check results from the check stream and writes each to the Nagios command file as nsca
 * would (`[time] PROCESS_SERVICE_CHECK_RESULT;...`), acknowledging a check only after its line is
 * written: a check the consumer held when it died or restarted is redelivered, never lost. A
 * command file that cannot take lines (no Nagios reading the FIFO, a full pipe) leaves the checks
 * in the stream, retried. The session (alias `nagios-consumer`) takes `shutdown`.
 */
export class NagiosConsumer {
  readonly session: Session;
  readonly ready: Promise<void>;
  /** Lines written, checks refused as malformed. */
  readonly stats = { written: 0, refused: 0, retried: 0 };
  private readonly logger: Logger;
  private readonly kernel: Kernel;
  private nc: NatsConnection | undefined;
  private messages: ConsumerMessages | undefined;
  private batch: JsMsg[] = [];
  private flushScheduled = false;
  private closing = false;

  static spawn(options: NagiosConsumerOptions): NagiosConsumer {
    return new NagiosConsumer(options);
  }

  constructor(private readonly options: NagiosConsumerOptions) {
    this.kernel = options.kernel ?? poe_kernel;
    this.logger = componentLogger(options.logger ?? this.kernel.logger, 'ikc-nagios');
    let started!: () => void;
    let failed!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined);
    const self = this;
    const alias = options.alias ?? 'nagios-consumer';
    this.session = Session.create({
      kernel: this.kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set(alias);
          _[KERNEL].refcount_increment((_[SESSION] as Session).ID(), 'ikc-nagios');
          self.start().then(started, (error: Error) => {
            self.logger.log('error', `cannot consume check results: ${error.message}`, { error });
            failed(error);
            void self.shutdown();
          });
        },
        shutdown: () => void self.shutdown(),
        _release: (_) => {
          _[KERNEL].alias_remove(alias);
          _[KERNEL].refcount_decrement((_[SESSION] as Session).ID(), 'ikc-nagios');
        },
      },
    });
  }

  private async start(): Promise<void> {
    const { command_file: _f, servers, durable_name, ack_wait, retry: _r, alias: _a, kernel: _k, logger: _l, stream, subject, replicas, ...nats } = this.options;
    const nc = await connect({ maxReconnectAttempts: -1, reconnectTimeWait: 250, ...nats, servers: servers ?? '127.0.0.1:4222', name: 'poets-ikc-nagios' });
    this.nc = nc;
    const streamOptions: CheckStreamOptions = {};
    if (stream !== undefined) streamOptions.stream = stream;
    if (subject !== undefined) streamOptions.subject = subject;
    if (replicas !== undefined) streamOptions.replicas = replicas;
    const name = stream ?? DEFAULT_STREAM;
    const durable = durable_name ?? 'poets-nagios';
    const consumer = await retryingSetup(async () => {
      await ensureCheckStream(nc, streamOptions);
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.consumers.info(name, durable);
      } catch (error) {
        if (!/not found/i.test(String((error as Error).message))) throw error;
        await jsm.consumers.add(name, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: (ack_wait ?? 30) * 1e9,
          max_ack_pending: 10_000,
        });
      }
      return jetstream(nc).consumers.get(name, durable);
    });
    this.messages = await consumer.consume({ max_messages: 1000 });
    this.logger.log('info', `writing check results from ${name} to ${this.options.command_file}`);
    void this.loop(this.messages);
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        this.batch.push(m);
        if (!this.flushScheduled) {
          this.flushScheduled = true;
          setImmediate(() => this.flush());
        }
      }
    } catch (error) {
      if (!this.closing) this.logger.log('error', `consumer stopped: ${(error as Error).message}`, { error });
    }
  }

  /** Writes the lines of the checks received this turn, then acknowledges those written. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    this.batch = [];
    const lines: { m: JsMsg; line: Buffer }[] = [];
    for (const m of batch) {
      let check: unknown;
      try {
        check = JSON.parse(m.string());
      } catch {
        check = undefined;
      }
      const problem = checkResultProblem(check);
      if (problem !== undefined) {
        this.stats.refused++;
        this.logger.log('warning', `refused check #${m.seq}: ${problem}`);
        m.term(problem);
        continue;
      }
      lines.push({ m, line: lineOf(check as CheckResult) });
    }
    if (lines.length === 0) return;
    let fd: number;
    try {
      fd = openSync(this.options.command_file, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENXIO' ? 'no process is reading it' : (error as Error).message;
      this.logger.log('warning', `cannot open ${this.options.command_file}: ${why}; ${lines.length} check(s) left in the stream`);
      return this.retry(lines.map((l) => l.m));
    }
    let written = 0;
    try {
      for (const { m, line } of lines) {
        let at = 0;
        while (at < line.length) at += writeSync(fd, line, at);
        m.ack();
        written++;
        this.stats.written++;
      }
    } catch (error) {
      this.logger.log('warning', `writing ${this.options.command_file}: ${(error as Error).message}; ${lines.length - written} check(s) left in the stream`);
      this.retry(lines.slice(written).map((l) => l.m));
    } finally {
      closeSync(fd);
    }
  }

  private retry(messages: JsMsg[]): void {
    this.stats.retried += messages.length;
    for (const m of messages) m.nak((this.options.retry ?? 1) * 1000);
  }

  /** Stops taking checks (those not yet written are redelivered later) and closes the connection. */
  async shutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.messages?.stop();
    if (this.batch.length > 0) this.flush();
    await this.nc?.drain().catch(() => undefined);
    if (this.session.isAlive()) this.kernel.call(this.session, '_release');
  }
}

function lineOf(check: CheckResult): Buffer {
  const raw = {
    host_name: Buffer.from(check.host_name),
    svc_description: Buffer.from(check.svc_description ?? ''),
    plugin_output: Buffer.from(check.plugin_output),
  };
  return commandLine({ return_code: check.return_code, raw }, Math.floor(check.time ?? Date.now() / 1000));
}
