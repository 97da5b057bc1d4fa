// The NATSClient module: a channel (default `NATS`) whose submissions become check results in a
// JetStream stream, where @poets/ikc's NagiosConsumer writes them to the Nagios command file. A
// submission is answered once JetStream has stored it; while NATS is unreachable results wait in
// a bounded queue and go out when the connection comes back (overflow is refused, counted, logged).
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type { CheckResult } from '@poets/ikc';
import type { Logger } from '@poets/kernel';
import { ModuleError, SubmissionError } from './errors.js';
import type { ModuleDefinition, ModuleInstance, Plugin } from './plugin.js';
import type { Submission } from './requests.js';

/** The settings of one NATSClient instance, as read from `[/settings/<alias>/client]`. */
export interface NATSClientSettings {
  channel: string;
  hostname: string;
  servers: string[];
  stream: string;
  subject: string;
  /** Seconds JetStream has to acknowledge one publish. */
  timeout: number;
  user: string;
  password: string;
  token: string;
  tls: boolean;
  ca: string;
  certificate: string;
  certificateKey: string;
  maxQueue: number;
}

/** What a loaded NATSClient counts; also its `fetch_metrics` (`<alias>.queued`, ...). */
export interface NATSClientStats {
  /** Results JetStream stored. */
  published: number;
  /** Results refused because the queue was full. */
  overflow: number;
  /** Results refused for good (not a check result, retries used up, module unloaded). */
  failed: number;
  /** Publishes retried (timeouts, lost connection). */
  retried: number;
}

const TLS_VALUES = new Map([
  ['disabled', false], ['false', false], ['no', false], ['off', false], ['0', false], ['', false],
  ['enabled', true], ['true', true], ['yes', true], ['on', true], ['1', true],
]);
/** In-flight publishes at once: enough to keep a busy link full, few enough that a restart retries little. */
const WINDOW = 64;
/** Refusals of one result by JetStream (not counting lost connections and timeouts) before it is answered as failed. */
const MAX_ATTEMPTS = 10;
/** Failures that say nothing about the result: the connection or JetStream is not there (yet). */
const TRANSIENT = /timeout|timed out|disconnect|closed|draining|reconnect|no responders|503|unavailable|connection/i;

/** `auto` (the computer's name), `auto-lc`, `auto-uc`, and `${host}`, `${host_lc}`, `${host_uc}` inside a value. */
export function expandHostname(value: string, host = osHostname()): string {
  const v = value.trim();
  if (v === '' || v === 'auto') return host;
  if (v === 'auto-lc') return host.toLowerCase();
  if (v === 'auto-uc') return host.toUpperCase();
  return v.replace(/\$\{(host|host_lc|host_uc)\}/g, (_m, name: string) => (name === 'host' ? host : name === 'host_lc' ? host.toLowerCase() : host.toUpperCase()));
}

/** Parses `servers` (comma or space separated; `nats://`, `tls://`, or `host:port`): the list, or throws why not. */
export function parseServers(value: string): string[] {
  const list = value.split(/[\s,]+/).filter((s) => s !== '');
  if (list.length === 0) throw new ModuleError('servers: no server given (e.g. nats://127.0.0.1:4222)');
  for (const server of list) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `nats://${server}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new ModuleError(`servers: ${server} is not a NATS server URL (nats://HOST:PORT)`);
    }
    if (!['nats:', 'tls:'].includes(url.protocol)) throw new ModuleError(`servers: ${server}: scheme ${url.protocol.slice(0, -1)} is not nats or tls`);
    if (url.hostname === '') throw new ModuleError(`servers: ${server}: no host`);
    if (url.port !== '' && (Number(url.port) < 1 || Number(url.port) > 65535)) throw new ModuleError(`servers: ${server}: bad port`);
    if (url.pathname !== '' && url.pathname !== '/') throw new ModuleError(`servers: ${server}: a NATS server URL has no path`);
  }
  return list;
}

function positive(name: string, raw: string, fallback: number, integer: boolean): number {
  if (raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new ModuleError(`${name} = ${raw}: not a positive ${integer ? 'whole number' : 'number'}`);
  return n;
}

/** Documents the keys (for `settings --generate`) and reads them; bad values throw a ModuleError naming the key. */
export function readNATSClientSettings(plugin: Plugin): NATSClientSettings {
  const s = plugin.settings;
  const path = `${plugin.settingsPath}/client`;
  s.register_path(plugin.settingsPath, 'NATS', 'Submits check results to a NATS JetStream stream, for a NagiosConsumer to write to Nagios');
  s.register_path(path, 'NATS CLIENT', 'Where and how results submitted on the channel are published');
  const keys: [string, string, string, string, string][] = [
    ['channel', 'string', 'CHANNEL', 'The channel results are submitted on', 'NATS'],
    ['hostname', 'string', 'HOSTNAME', 'The host name results are reported as (auto: the computer name; auto-lc, auto-uc, ${host_lc}...) unless a submission names its source', 'auto'],
    ['servers', 'string', 'SERVERS', 'NATS servers, comma separated (nats://HOST:PORT, tls://HOST:PORT)', 'nats://127.0.0.1:4222'],
    ['stream', 'string', 'STREAM', 'The JetStream stream the results are stored in (created if missing)', 'NAGIOS_CHECKS'],
    ['subject', 'string', 'SUBJECT', 'The subject results are published on', 'nagios.checks'],
    ['timeout', 'int', 'TIMEOUT', 'Seconds JetStream has to acknowledge a result before it is sent again', '5'],
    ['user', 'string', 'USER', 'User name for NATS authentication', ''],
    ['password', 'string', 'PASSWORD', 'Password for NATS authentication', ''],
    ['token', 'string', 'TOKEN', 'Token for NATS authentication', ''],
    ['tls', 'string', 'TLS', 'enabled or disabled: TLS to the NATS servers', 'disabled'],
    ['ca', 'string', 'CA', 'File of the certificate authorities TLS trusts', ''],
    ['certificate', 'string', 'CERTIFICATE', 'Client certificate file (TLS)', ''],
    ['certificate key', 'string', 'CERTIFICATE KEY', 'Client certificate key file (TLS)', ''],
    ['max queue', 'int', 'MAX QUEUE', 'Results kept while NATS is unreachable; more are refused (counted and logged)', '10000'],
  ];
  for (const [key, type, title, description, value] of keys) s.register_key(path, key, type, title, description, value);
  const known = new Set(keys.map((k) => k[0]));
  const get = (key: string) => s.get_string(path, key, keys.find((k) => k[0] === key)![4]);
  for (const key of s.get_section(path)) {
    if (!known.has(key)) throw new ModuleError(`[${path}] ${key}: unknown key (known: ${[...known].join(', ')})`);
  }
  const tls = TLS_VALUES.get(get('tls').trim().toLowerCase());
  if (tls === undefined) throw new ModuleError(`[${path}] tls = ${get('tls')}: not enabled or disabled`);
  const channel = get('channel').trim();
  if (channel === '' || channel.includes(',')) throw new ModuleError(`[${path}] channel = ${get('channel')}: one channel name is needed`);
  const subject = get('subject').trim();
  if (!/^[^\s*>]+$/.test(subject) || subject.split('.').some((t) => t === '')) throw new ModuleError(`[${path}] subject = ${subject}: not a NATS subject (no spaces, wildcards or empty tokens)`);
  const stream = get('stream').trim();
  if (!/^[^\s.*>/\\]+$/.test(stream)) throw new ModuleError(`[${path}] stream = ${stream}: not a JetStream stream name`);
  let servers: string[];
  try {
    servers = parseServers(get('servers'));
  } catch (error) {
    throw new ModuleError(`[${path}] ${(error as Error).message}`);
  }
  return {
    channel,
    hostname: expandHostname(get('hostname')),
    servers,
    stream,
    subject,
    timeout: positive(`[${path}] timeout`, get('timeout'), 5, false),
    user: get('user'),
    password: get('password'),
    token: get('token'),
    tls,
    ca: plugin.agent.expand_path(get('ca')),
    certificate: plugin.agent.expand_path(get('certificate')),
    certificateKey: plugin.agent.expand_path(get('certificate key')),
    maxQueue: positive(`[${path}] max queue`, get('max queue'), 10000, true),
  };
}

interface Pending {
  check: CheckResult;
  msgID: string;
  attempts: number;
  resolve(): void;
  reject(error: Error): void;
}

/** The check result a submission becomes: host from its source or the hostname setting, perfdata as Nagios text. */
export function checkResultOf(submission: Submission, hostname: string, time = Math.floor(Date.now() / 1000)): CheckResult {
  const check: CheckResult = {
    host_name: submission.source.trim() !== '' ? submission.source.trim() : hostname,
    return_code: submission.result,
    plugin_output: submission.perf !== '' ? `${submission.message}|${submission.perf}` : submission.message,
    time,
  };
  // an empty command is a host check, as in NSCA
  if (submission.command !== '') check.svc_description = submission.command;
  return check;
}

/** One loaded NATSClient: its connection, its queue and its counters. */
export class NATSClient implements ModuleInstance {
  readonly stats: NATSClientStats = { published: 0, overflow: 0, failed: 0, retried: 0 };
  /** Resolves once connected the first time (and the stream exists). */
  readonly connected: Promise<void>;
  private nc: NatsConnection | undefined;
  private up = false;
  private closing = false;
  private readonly waiting: Pending[] = [];
  private inFlight = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly idPrefix = randomUUID();
  private seq = 0;
  /** Incremented on each lost connection: a readiness check of an older connection stops. */
  private generation = 0;
  private ikc: typeof import('@poets/ikc') | undefined;
  private readonly logger: Logger;

  constructor(
    readonly plugin: Plugin,
    readonly config: NATSClientSettings,
  ) {
    this.logger = plugin.logger;
    this.connected = this.open();
    this.connected.catch(() => undefined);
  }

  /** Results not yet stored by JetStream: waiting and in flight. */
  get queued(): number {
    return this.waiting.length + this.inFlight;
  }

  /** The channel's subscriber: true once JetStream stored every payload; a rejection says why not. */
  async submit(payloads: readonly Submission[]): Promise<boolean> {
    if (this.closing) throw new SubmissionError(`${this.plugin.alias} is unloading`);
    const stored = payloads.map((p) => this.enqueue(checkResultOf(p, this.config.hostname)));
    this.pump();
    await Promise.all(stored);
    return true;
  }

  private enqueue(check: CheckResult): Promise<void> {
    if (this.queued >= this.config.maxQueue) {
      this.stats.overflow++;
      const why = `queue full (${this.config.maxQueue} results waiting for NATS): ${check.host_name}/${check.svc_description ?? '(host)'} refused; ${this.stats.overflow} refused so far`;
      this.logger.log('error', why);
      return Promise.reject(new SubmissionError(why));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ check, msgID: `${this.idPrefix}-${++this.seq}`, attempts: 0, resolve, reject });
    });
  }

  private async open(): Promise<void> {
    const [{ connect }, ikc] = await Promise.all([import('@nats-io/transport-node'), import('@poets/ikc')]);
    this.ikc = ikc;
    const c = this.config;
    const options: NodeConnectionOptions = {
      servers: c.servers,
      name: `poets-agent ${c.hostname}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    };
    if (c.user !== '') options.user = c.user;
    if (c.password !== '') options.pass = c.password;
    if (c.token !== '') options.token = c.token;
    if (c.tls) {
      const tls: NonNullable<NodeConnectionOptions['tls']> = {};
      if (c.ca !== '') tls.caFile = c.ca;
      if (c.certificate !== '') tls.certFile = c.certificate;
      if (c.certificateKey !== '') tls.keyFile = c.certificateKey;
      options.tls = tls;
    }
    // the first connection is retried here rather than with waitOnFirstConnect, so that an
    // unload while no server is reachable stops the attempts
    let nc: NatsConnection | undefined;
    for (let attempt = 0; nc === undefined; attempt++) {
      if (this.closing) return;
      try {
        nc = await connect(options);
      } catch (error) {
        if (attempt === 0) this.logger.log('warning', `cannot reach ${c.servers.join(', ')}: ${(error as Error).message}; results queue until it answers`);
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt));
        });
        this.retryTimer = undefined;
      }
    }
    if (this.closing) {
      await nc.close();
      return;
    }
    this.nc = nc;
    void this.watch(nc);
    await this.becomeReady(nc, `connected to ${nc.getServer()}; results on channel ${c.channel} go to ${c.subject} (stream ${c.stream})`);
  }

  /**
   * Makes sure the stream is there (JetStream may still be recovering after a server restart, or
   * not be enabled: retried, the first failure logged), then publishes what waits. Gives up when
   * the connection is lost again meanwhile: the next reconnect starts over.
   */
  private async becomeReady(nc: NatsConnection, connectedLine: string): Promise<void> {
    const generation = this.generation;
    for (let attempt = 0; ; attempt++) {
      if (this.closing || generation !== this.generation) return;
      try {
        await this.ikc!.ensureCheckStream(nc, { stream: this.config.stream, subject: this.config.subject });
        break;
      } catch (error) {
        if (attempt === 0) this.logger.log('warning', `stream ${this.config.stream} not ready: ${(error as Error).message}; retrying (results stay queued)`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    if (this.closing || generation !== this.generation) return;
    this.up = true;
    this.logger.log('info', connectedLine);
    this.pump();
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.up = false;
        this.generation++;
        this.logger.log('warning', `lost ${s.server}; ${this.queued} result(s) queued until NATS is back`);
      } else if (s.type === 'reconnect') {
        void this.becomeReady(nc, `reconnected to ${s.server}; sending ${this.queued} queued result(s)`);
      }
    }
  }

  /** Publishes waiting results, at most WINDOW at once, while connected. */
  private pump(): void {
    const nc = this.nc;
    if (!this.up || nc === undefined || this.ikc === undefined) return;
    while (this.inFlight < WINDOW && this.waiting.length > 0 && this.up && !nc.isClosed()) {
      const p = this.waiting.shift()!;
      this.inFlight++;
      this.ikc
        .publishCheckResult(nc, p.check, { stream: this.config.stream, subject: this.config.subject, msgID: p.msgID, timeout: this.config.timeout })
        .then(
          () => {
            this.inFlight--;
            this.stats.published++;
            p.resolve();
            this.pump();
          },
          (error: Error) => {
            this.inFlight--;
            this.failedPublish(p, error);
          },
        );
    }
  }

  private failedPublish(p: Pending, error: Error): void {
    // A malformed result never gets better. A lost connection, a timeout or JetStream not answering
    // yet (a server restarting) is retried with the same msgID for as long as it takes; any other
    // refusal by JetStream is retried MAX_ATTEMPTS times, then answered with its reason.
    if (!TRANSIENT.test(error.message)) p.attempts++;
    const permanent = error instanceof TypeError || p.attempts >= MAX_ATTEMPTS;
    if (permanent || this.closing) {
      this.stats.failed++;
      const why = `${p.check.host_name}/${p.check.svc_description ?? '(host)'} not stored: ${error.message}`;
      this.logger.log('error', why);
      p.reject(new SubmissionError(why));
      return;
    }
    this.stats.retried++;
    this.waiting.unshift(p);
    this.later();
  }

  private later(): void {
    if (this.retryTimer !== undefined || this.closing) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, 250);
  }

  /** Unloading: waits (one timeout at most) for what is in flight, refuses what still waits (logged), closes. */
  async unload(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    const end = Date.now() + this.config.timeout * 1000;
    while (this.inFlight > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    const left = this.waiting.splice(0);
    if (left.length > 0) {
      this.stats.failed += left.length;
      this.logger.log('error', `unloaded with ${left.length} result(s) not stored in NATS`);
      for (const p of left) p.reject(new SubmissionError(`${this.plugin.alias} unloaded before NATS stored the result`));
    }
    await this.nc?.drain().catch(() => this.nc?.close());
  }
}

/** The module: `[/modules] NATSClient = enabled` loads it under alias `NATS` (settings in `[/settings/NATS/client]`). */
export const natsClientModule: ModuleDefinition = {
  name: 'NATSClient',
  description: 'Submits check results to a NATS JetStream stream (for a NagiosConsumer to write to Nagios)',
  defaultAlias: 'NATS',
  load(plugin) {
    const config = readNATSClientSettings(plugin);
    const client = new NATSClient(plugin, config);
    plugin.agent.subscribe(plugin, config.channel, (_channel, payloads) => client.submit(payloads));
    plugin.registry.fetch_metrics(() => ({
      [`${plugin.alias}.queued`]: client.queued,
      [`${plugin.alias}.published`]: client.stats.published,
      [`${plugin.alias}.overflow`]: client.stats.overflow,
      [`${plugin.alias}.failed`]: client.stats.failed,
    }));
    client.connected.catch((error: unknown) => plugin.logger.log('error', `cannot connect to ${config.servers.join(', ')}: ${String(error)}`, { error }));
    return client;
  },
};
