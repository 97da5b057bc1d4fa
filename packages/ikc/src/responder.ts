import { connect, nuid, type Msg, type NatsConnection, type NodeConnectionOptions, type Subscription } from '@nats-io/transport-node';

import { ARG0, ARG1, KERNEL, Kernel, SENDER, SESSION, Session, componentLogger, poe_kernel, type Logger } from '@poets/kernel';
import { Observable, Subject } from 'rxjs';
import { jsonCodec, jsonSplice, type Codec } from './codec.js';
import { DurableChannel, type DurableOptions, type ParkedMessage } from './durable.js';
import {
  WIRE_VERSION,
  envelopeProblem,
  type Envelope,
  type ErrorEnvelope,
  type PostEnvelope,
  type PresenceEnvelope,
  type ReplyEnvelope,
} from './envelope.js';
import { IKCError, type IKCErrorCode } from './errors.js';
import { KernelTable, type RemoteKernel } from './kernel-table.js';
import { Monitors, type MonitorCallbacks, type MonitorEvent } from './monitor.js';
import { specifier_name, specifier_parse, type Specifier, type SpecifierLike } from './specifier.js';
import { Subjects } from './subjects.js';

/** A post's destination: a specifier, and for the object form `durable: true` to go through JetStream. */
export type PostTarget = string | (Specifier & { durable?: boolean });

/** Where a call's answer goes: `'poe:state'` (the caller's session), `'poe:/session/state'`, or a function. */
export type RSVP = string | ((value: unknown, error?: IKCError) => void);

export interface IKCOptions extends Omit<NodeConnectionOptions, 'name' | 'servers' | 'inboxPrefix'> {
  /** This kernel's name in the cluster (IKC's `name`): `poe://name/...` reaches it. */
  name: string;
  /** NATS server URLs (`nats://127.0.0.1:4222`, several for a cluster); default 127.0.0.1:4222. */
  servers?: string | string[];
  kernel?: Kernel;
  /** The responder session's alias; default `IKC`. */
  alias?: string;
  /** Subject prefix shared by every kernel of one cluster; default `poe`. */
  prefix?: string;
  codec?: Codec;
  logger?: Logger;
  /** Seconds between heartbeats; a kernel silent for three is gone. Default 5. */
  heartbeat?: number;
  /** Seconds a `call` waits for its answer; default 30. (`timeout` is NATS's own connect timeout, in ms.) */
  callTimeout?: number;
  /** Largest message accepted or sent, in bytes; default the server's max_payload. */
  maxMessageBytes?: number;
  /** Durable posts: true or options to take this kernel's durable posts from JetStream. */
  durable?: boolean | DurableOptions;
  /** Remote sessions to subscribe to once connected (IKC::Client's `subscribe`). */
  subscribe?: string[];
  /** Called once connected and announced (IKC::Client's `on_connect`). */
  on_connect?: () => void;
  /** Called when the connection cannot be made or is lost for good (IKC::Client's `on_error`). */
  on_error?: (error: Error) => void;
  /** The event a sending session gets when its post is refused: ARG0 the IKCError, ARG1 the specifier. Default `ikc_error`. */
  error_event?: string;
}

interface Settling {
  session: Session;
  state: string;
  died: string | undefined;
  done: (died: string | undefined) => void;
}

interface Stats {
  /** Core posts sent / received and dispatched. */
  posted: number;
  received: number;
  /** Messages refused (malformed, oversized, unpublished). */
  refused: number;
  durablePublished: number;
  durableHandled: number;
  parked: number;
}

const DEFAULT_SERVER = '127.0.0.1:4222';

/**
 * POE::Component::IKC's responder on NATS: the `IKC` session (events `post`, `call`, `publish`,
 * `retract`, `subscribe`, `unsubscribe`, `monitor`, `shutdown`) and the same as methods.
 */
export class IKC {
  readonly name: string;
  readonly kernel: Kernel;
  readonly session: Session;
  readonly subjects: Subjects;
  readonly stats: Stats = { posted: 0, received: 0, refused: 0, durablePublished: 0, durableHandled: 0, parked: 0 };
  /** Resolves once connected and announced; rejects when the connection cannot be made. */
  readonly ready: Promise<void>;

  private readonly options: IKCOptions;
  private readonly codec: Codec;
  private readonly logger: Logger;
  private readonly alias: string;
  private readonly errorEvent: string;
  private readonly iid = nuid.next();
  private readonly heartbeatS: number;
  private readonly timeoutMs: number;
  private nc: NatsConnection | undefined;
  private durable: DurableChannel | undefined;
  private readonly subs: Subscription[] = [];
  private maxBytes = 1024 * 1024;
  private readonly pending: (() => void)[] = [];
  private readonly published = new Map<string, Set<string>>();
  private readonly remotes = new KernelTable();
  private readonly proxies = new Map<string, Session>();
  private readonly monitors: Monitors;
  private readonly settling: Settling[] = [];
  private stopDieWatch: (() => void) | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private held = false;
  private readonly errorsSubject = new Subject<IKCError>();
  private readonly parkedSubject = new Subject<ParkedMessage>();
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  /** Errors reported to senders (refusals, timeouts, unknown kernels), as they happen. */
  readonly errors$: Observable<IKCError> = this.errorsSubject.asObservable();
  /** Durable posts parked after failing `maxDeliver` times. */
  readonly parked$: Observable<ParkedMessage> = this.parkedSubject.asObservable();

  /** Starts the responder and joins the NATS cluster as kernel `name`. */
  static spawn(options: IKCOptions): IKC {
    return new IKC(options);
  }

  constructor(options: IKCOptions) {
    if (typeof options.name !== 'string' || options.name === '' || options.name === '*') throw new IKCError('EINVAL', 'IKC.spawn needs a kernel name');
    this.options = options;
    this.name = options.name;
    this.kernel = options.kernel ?? poe_kernel;
    this.subjects = new Subjects(options.prefix);
    this.codec = options.codec ?? jsonCodec;
    this.logger = componentLogger(options.logger ?? this.kernel.logger, `IKC(${options.name})`);
    this.alias = options.alias ?? 'IKC';
    this.errorEvent = options.error_event ?? 'ikc_error';
    this.heartbeatS = options.heartbeat ?? 5;
    this.timeoutMs = (options.callTimeout ?? 30) * 1000;
    this.monitors = new Monitors(this.kernel);
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    const self = this;
    const senderOf = (_: unknown[]) => (_[SENDER] instanceof Session ? (_[SENDER] as Session) : undefined);
    this.session = Session.create({
      kernel: this.kernel,
      inline_states: {
        _start: (_) => {
          self.kernel.alias_set(self.alias);
          self.kernel.refcount_increment((_[SESSION] as Session).ID(), 'IKC');
          self.held = true;
          void self.start();
        },
        post: (_) => self.send(_[ARG0] as PostTarget, _.slice(ARG1), senderOf(_)),
        call: (_) => self.callFrom(_[ARG0] as SpecifierLike, _.length > ARG1 ? [_[ARG1]] : [], _[ARG1 + 1] as RSVP, senderOf(_)),
        publish: (_) => self.publish(_[ARG0] as string, _[ARG1] as string[]),
        retract: (_) => self.retract(_[ARG0] as string, _[ARG1] as string[] | undefined),
        subscribe: (_) => self.subscribeFrom(_[ARG0] as string | string[], _[ARG1] as string | undefined, senderOf(_)),
        unsubscribe: (_) => self.unsubscribe(_[ARG0] as string | string[]),
        monitor: (_) => self.monitorFrom(_[ARG0] as string, _[ARG1] as MonitorCallbacks | undefined, senderOf(_)),
        shutdown: () => void self.shutdown(),
        _ikc_settle: () => self.settleOne(),
        _ikc_release: (_) => {
          _[KERNEL].alias_remove(self.alias);
          if (self.held) {
            self.held = false;
            _[KERNEL].refcount_decrement((_[SESSION] as Session).ID(), 'IKC');
          }
        },
        _stop: () => void self.close(),
      },
    });
  }

  // ---- Connecting -------------------------------------------------------------------------

  private async start(): Promise<void> {
    const { name: _n, servers, kernel: _k, alias: _a, prefix: _p, codec: _c, logger: _l, heartbeat: _h, callTimeout: _t, maxMessageBytes, durable, subscribe, on_connect: _oc, on_error: _oe, error_event: _e, ...nats } = this.options;
    try {
      const nc = await connect({
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        ...nats,
        servers: servers ?? DEFAULT_SERVER,
        name: `poets-ikc ${this.name}`,
        inboxPrefix: this.subjects.inbox(this.name),
      });
      if (this.closing) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.maxBytes = Math.min(maxMessageBytes ?? Infinity, nc.info?.max_payload ?? 1024 * 1024);
      this.subs.push(
        nc.subscribe(this.subjects.kernel(this.name), { callback: (error, msg) => this.onMessage(error, msg) }),
        nc.subscribe(this.subjects.all, { callback: (error, msg) => this.onMessage(error, msg) }),
        nc.subscribe(this.subjects.presence, { callback: (error, msg) => this.onPresence(error, msg) }),
        nc.subscribe(`${this.subjects.inbox(this.name)}.hello`, { callback: (error, msg) => this.onPresence(error, msg) }),
      );
      void this.watchStatus(nc);
      if (durable) {
        this.durable = new DurableChannel(nc, this.subjects, this.name, durable === true ? {} : durable, this.logger);
        await this.durable.consume(
          (data, msgID) => this.onDurable(data, msgID),
          (parked) => {
            this.stats.parked++;
            this.parkedSubject.next(parked);
          },
        );
      }
      await nc.flush();
      this.announce('hello', true);
      this.beatTimer = setInterval(() => this.beat(), this.heartbeatS * 1000);
      this.beatTimer.unref();
      this.logger.log('info', `joined ${nc.getServer()} as kernel '${this.name}'`);
      for (const run of this.pending.splice(0)) run();
      if (subscribe) this.subscribe(subscribe);
      this.resolveReady();
      this.options.on_connect?.();
    } catch (error) {
      this.logger.log('error', `cannot join NATS: ${(error as Error).message}`, { error });
      this.rejectReady(error as Error);
      this.options.on_error?.(error as Error);
      await this.shutdown();
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') this.logger.log('warning', `lost NATS server ${status.server}; reconnecting`);
      else if (status.type === 'reconnect') {
        this.logger.log('notice', `reconnected to NATS server ${status.server}`);
        this.announce('hello', true);
      } else if (status.type === 'error') this.logger.log('error', `NATS: ${String(status.error)}`);
    }
    if (!this.closing) {
      const error = new IKCError('ENOTCONN', 'the NATS connection closed');
      this.logger.log('error', error.message);
      this.options.on_error?.(error);
      await this.shutdown();
    }
  }

  // ---- Sending ----------------------------------------------------------------------------

  /** IKC's `post`: sends `args` to a remote state. True when sent (or queued until connected). */
  post(target: PostTarget, ...args: unknown[]): boolean {
    return this.send(target, args, this.currentSession());
  }

  private send(target: PostTarget, args: unknown[], sender: Session | undefined): boolean {
    let spec: Specifier & { durable?: boolean };
    if (typeof target === 'object' && target !== null && typeof target.kernel === 'string' && typeof target.session === 'string' && typeof target.state === 'string') {
      spec = target; // the hot path: an object specifier needs no parsing
    } else {
      try {
        spec = this.parsed(target);
      } catch (error) {
        return this.fail(sender, new IKCError('EINVAL', (error as Error).message, String(target)));
      }
      if (spec.kernel === undefined || spec.session === undefined || spec.state === undefined) {
        const name = specifier_name(spec);
        return this.fail(sender, new IKCError('EINVAL', `post needs poe://Kernel/session/state, not '${name}'`, name));
      }
    }
    const kernel = spec.kernel!;
    const durable = typeof target === 'object' && target.durable === true;
    if (this.nc === undefined) {
      if (this.closing) return this.fail(sender, new IKCError('ENOTCONN', 'IKC is shut down', specifier_name(spec)));
      this.pending.push(() => void this.send(target, args, sender));
      return true;
    }
    if (kernel !== '*' && kernel !== this.name && !durable && !this.remotes.has(kernel)) {
      return this.fail(sender, new IKCError('ENOKERNEL', `no kernel '${kernel}' is connected`, specifier_name(spec)));
    }
    const data = this.encodePost(spec, args, sender);
    if (data === undefined) return false;
    if (durable) {
      if (kernel === '*') return this.fail(sender, new IKCError('EINVAL', 'a durable post goes to one kernel, not *', specifier_name(spec)));
      return this.sendDurable(kernel, data, specifier_name(spec), sender);
    }
    try {
      this.nc.publish(kernel === '*' ? this.subjects.all : this.subjectOf(kernel), data);
    } catch (error) {
      // the connection closed under us (publishes while it reconnects are buffered, not refused)
      return this.fail(sender, new IKCError('ENOTCONN', `not sent: ${(error as Error).message}`, specifier_name(spec), { cause: error }));
    }
    this.stats.posted++;
    return true;
  }

  private replyPrefix: string | undefined;
  /** JSON text of the constant part of post envelopes, per destination session and state. */
  private readonly postPrefixes = new Map<string, string>();

  private encodePost(spec: Specifier, args: unknown[], sender: Session | undefined): Uint8Array | undefined {
    if (this.codec === jsonCodec) {
      const key = `${spec.session!}\u0000${spec.state!}`;
      let prefix = this.postPrefixes.get(key);
      if (prefix === undefined) {
        const head = JSON.stringify({ t: 'post', v: WIRE_VERSION, from: this.name, session: spec.session, state: spec.state });
        prefix = `${head.slice(0, -1)},"args":`;
        if (this.postPrefixes.size < 10_000) this.postPrefixes.set(key, prefix);
      }
      const data = jsonSplice(prefix, args, sender === undefined ? '}' : `,"fs":${sender.ID()}}`);
      if (data !== undefined) {
        if (data.length <= this.maxBytes) return data;
        this.fail(sender, new IKCError('EMSGSIZE', `post of ${data.length} bytes exceeds ${this.maxBytes}`, specifier_name(spec)));
        return undefined;
      }
    }
    const envelope: PostEnvelope = { t: 'post', v: WIRE_VERSION, from: this.name, session: spec.session!, state: spec.state!, args };
    if (sender !== undefined) envelope.fs = sender.ID();
    return this.encode(envelope, spec, sender);
  }

  private readonly specs = new Map<string, Specifier>();
  /** Parses a specifier, remembering string ones (a program names the same few again and again). */
  private parsed(target: SpecifierLike): Specifier {
    if (typeof target !== 'string') return specifier_parse(target);
    let spec = this.specs.get(target);
    if (spec === undefined) {
      spec = Object.freeze(specifier_parse(target));
      if (this.specs.size < 10_000) this.specs.set(target, spec);
    }
    return spec;
  }

  private readonly kernelSubjects = new Map<string, string>();
  private subjectOf(kernel: string): string {
    let subject = this.kernelSubjects.get(kernel);
    if (subject === undefined) {
      subject = this.subjects.kernel(kernel);
      if (this.kernelSubjects.size < 10_000) this.kernelSubjects.set(kernel, subject);
    }
    return subject;
  }

  private sendDurable(kernel: string, data: Uint8Array, name: string, sender: Session | undefined): boolean {
    const channel = (this.durable ??= new DurableChannel(this.nc!, this.subjects, this.name, this.durableOptions(), this.logger));
    channel.send(this.subjects.durable(kernel), data, `${this.name}:${this.iid}:${++this.durableSeq}`, (error) => {
      if (error === undefined) this.stats.durablePublished++;
      else this.fail(sender, new IKCError('ENOTCONN', `durable post not stored: ${error.message}`, name, { cause: error }));
    });
    return true;
  }

  private durableSeq = 0;

  /** Durable posts not yet acknowledged by JetStream. */
  get durablePending(): number {
    return this.durable?.pending ?? 0;
  }

  private durableOptions(): DurableOptions {
    const d = this.options.durable;
    return typeof d === 'object' ? d : {};
  }

  /**
   * IKC's `call`: runs a remote state; its return value (or the value of the Promise it returns)
   * arrives at `rsvp` as ARG0. A failure arrives there as ARG0 undefined, ARG1 an IKCError.
   */
  call(target: SpecifierLike, arg: unknown, rsvp: RSVP): boolean {
    return this.callFrom(target, arg === undefined ? [] : [arg], rsvp, this.currentSession());
  }

  /** Promise form of `call`, for new code: resolves with the remote handler's value. */
  request(target: SpecifierLike, ...args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.callFrom(target, args, (value, error) => (error ? reject(error) : resolve(value)), undefined);
    });
  }

  private callFrom(target: SpecifierLike, args: unknown[], rsvp: RSVP, sender: Session | undefined): boolean {
    let spec: Specifier;
    try {
      spec = this.parsed(target);
    } catch (error) {
      return this.fail(sender, new IKCError('EINVAL', (error as Error).message, String(target)));
    }
    const name = typeof target === 'string' ? target : specifier_name(spec);
    const answer = this.rsvp(rsvp, sender, name);
    if (answer === undefined) return false;
    if (spec.kernel === undefined || spec.kernel === '*' || spec.session === undefined || spec.state === undefined) {
      answer(undefined, new IKCError('EINVAL', `call needs poe://Kernel/session/state, not '${name}'`, name));
      return false;
    }
    if (this.nc === undefined) {
      if (this.closing) {
        answer(undefined, new IKCError('ENOTCONN', 'IKC is shut down', name));
        return false;
      }
      this.pending.push(() => void this.callFrom(target, args, rsvp, sender));
      return true;
    }
    const envelope: PostEnvelope = { t: 'call', v: WIRE_VERSION, from: this.name, session: spec.session, state: spec.state, args };
    if (sender !== undefined) envelope.fs = sender.ID();
    let data: Uint8Array;
    try {
      data = this.codec.encode(envelope);
    } catch (error) {
      answer(undefined, new IKCError('EINVAL', (error as Error).message, name));
      return false;
    }
    if (data.length > this.maxBytes) {
      answer(undefined, new IKCError('EMSGSIZE', `call of ${data.length} bytes exceeds ${this.maxBytes}`, name));
      return false;
    }
    const kernel = spec.kernel;
    this.nc.request(this.subjectOf(kernel), data, { timeout: this.timeoutMs }).then(
      (msg) => {
        const reply = this.decode(msg) as ReplyEnvelope | undefined;
        if (reply === undefined || reply.t !== 'reply') return answer(undefined, new IKCError('EBADMSG', `malformed answer from '${kernel}'`, name));
        if (reply.from !== kernel) {
          this.logger.log('warning', `answer for ${name} claims to come from '${reply.from}'; dropped`);
          return answer(undefined, new IKCError('EBADMSG', `answer from '${reply.from}', not '${kernel}'`, name));
        }
        if (reply.ok) answer(reply.value);
        else answer(undefined, new IKCError((reply.code ?? 'EBADMSG') as IKCErrorCode, reply.message ?? 'remote error', name));
      },
      (error: Error & { code?: string }) => {
        const text = String(error.message ?? error);
        if (/no responders/i.test(text) || error.code === '503') answer(undefined, new IKCError('ENOKERNEL', `no kernel '${kernel}' is connected`, name));
        else if (/timeout/i.test(text)) answer(undefined, new IKCError('ETIMEDOUT', `no answer from ${name} within ${this.timeoutMs / 1000} s`, name));
        else answer(undefined, new IKCError('ENOTCONN', text, name));
      },
    );
    return true;
  }

  /** Resolves an RSVP to a function delivering the answer (value, or undefined and the error). */
  private rsvp(rsvp: RSVP, sender: Session | undefined, name: string): ((value: unknown, error?: IKCError) => void) | undefined {
    if (typeof rsvp === 'function') return rsvp;
    let spec: Specifier;
    try {
      spec = specifier_parse(rsvp);
    } catch {
      this.fail(sender, new IKCError('EINVAL', `bad RSVP '${String(rsvp)}'`, name));
      return undefined;
    }
    if (spec.kernel !== undefined && spec.kernel !== this.name) {
      this.fail(sender, new IKCError('EINVAL', `an RSVP is a state of this kernel, not '${String(rsvp)}'`, name));
      return undefined;
    }
    const dest: Session | string | undefined = spec.session ?? sender;
    if (dest === undefined || spec.state === undefined) {
      this.fail(sender, new IKCError('EINVAL', `RSVP '${String(rsvp)}' names no session`, name));
      return undefined;
    }
    const state = spec.state;
    return (value, error) => {
      if (error) this.report(error);
      if (!this.kernel.post(dest, state, value, ...(error ? [error] : []))) {
        this.logger.log('warning', `RSVP ${String(rsvp)} for ${name}: its session is gone`);
      }
    };
  }

  // ---- Receiving --------------------------------------------------------------------------

  private decode(msg: Msg): Envelope | undefined {
    if (msg.data.length > this.maxBytes) {
      this.refuse(`${msg.data.length}-byte message on ${msg.subject} exceeds ${this.maxBytes}`);
      return undefined;
    }
    let value: unknown;
    try {
      value = this.codec.decode(msg.data);
    } catch (error) {
      this.refuse(`malformed message on ${msg.subject}: ${(error as Error).message}`);
      return undefined;
    }
    const problem = envelopeProblem(value);
    if (problem !== undefined) {
      this.refuse(`malformed message on ${msg.subject}: ${problem}`);
      return undefined;
    }
    return value as Envelope;
  }

  private refuse(reason: string): void {
    this.stats.refused++;
    this.logger.log('warning', `refused ${reason}`);
  }

  private onMessage(error: Error | null, msg: Msg): void {
    if (error) return void this.logger.log('error', `subscription: ${error.message}`, { error });
    const envelope = this.decode(msg);
    if (envelope === undefined) {
      if (msg.reply) this.respond(msg, { t: 'reply', v: WIRE_VERSION, from: this.name, ok: false, code: 'EBADMSG', message: 'malformed request' });
      return;
    }
    if (envelope.t === 'err') return this.onError(envelope);
    if (envelope.t !== 'post' && envelope.t !== 'call') return this.refuse(`unexpected '${envelope.t}' on ${msg.subject}`);
    if (envelope.from === this.name && msg.subject === this.subjects.all) return; // `*` means the others
    const target = this.target(envelope);
    if (typeof target === 'string') {
      this.refuse(`${envelope.t} from '${envelope.from}' to ${target}`);
      this.monitors.fire(this.name, this.iid, 'error', 'local-check', target);
      if (envelope.t === 'call' && msg.reply) {
        this.respond(msg, { t: 'reply', v: WIRE_VERSION, from: this.name, ok: false, code: 'EPERM', message: `${target}` });
      } else if (msg.subject !== this.subjects.all) {
        this.sendError(envelope, 'EPERM', target);
      }
      return;
    }
    this.stats.received++;
    if (envelope.t === 'post') {
      this.kernel.post(target, envelope.state, ...envelope.args);
      return;
    }
    if (!msg.reply) return this.refuse(`call from '${envelope.from}' without a reply subject`);
    this.invoke(target, envelope, (outcome) => this.respond(msg, outcome));
  }

  /** The local session a remote post may reach, or why it may not. */
  private target(envelope: PostEnvelope): Session | string {
    const states = this.published.get(envelope.session);
    const spec = () => `poe://${this.name}/${envelope.session}/${envelope.state}`;
    if (states === undefined) return `${spec()}: session '${envelope.session}' is not published`;
    if (!states.has(envelope.state)) return `${spec()}: state '${envelope.state}' is not published`;
    const session = this.kernel.alias_resolve(envelope.session);
    if (!(session instanceof Session)) return `${spec()}: session '${envelope.session}' is gone`;
    return session;
  }

  /**
   * Runs a call's or durable post's handler now and settles once the kernel has dispatched what
   * the handler caused: a throw is a DIE signal queued before our settle event, so it is seen.
   */
  private invoke(target: Session, envelope: PostEnvelope, answer: (reply: ReplyEnvelope) => void): void {
    const reply = (ok: boolean, result: unknown): ReplyEnvelope =>
      ok
        ? { t: 'reply', v: WIRE_VERSION, from: this.name, ok: true, value: result }
        : { t: 'reply', v: WIRE_VERSION, from: this.name, ok: false, code: 'EDIED', message: String(result) };
    const settle = (died: string | undefined, value: unknown) => {
      if (died !== undefined) return answer(reply(false, died));
      if (isThenable(value)) {
        value.then(
          (result) => answer(reply(true, result)),
          (error: unknown) => answer(reply(false, error instanceof Error ? error.message : String(error))),
        );
      } else answer(reply(true, value));
    };
    // the queue is empty (nothing posted, no timers): then an empty queue after the call proves
    // no DIE was raised, and the answer need not wait for the settle event (public API, O(1))
    const idle = this.kernel.get_next_event_time() === undefined;
    const value = this.kernel.call(target, envelope.state, ...envelope.args);
    // nothing was queued, so no DIE either: the handler returned normally; answer now
    if (idle && this.kernel.get_next_event_time() === undefined) return settle(undefined, value);
    // a DIE is dispatched in a later batch, so watching from here on still sees it
    this.watchDies();
    this.settling.push({ session: target, state: envelope.state, died: undefined, done: (died) => settle(died, value) });
    this.kernel.post(this.session, '_ikc_settle');
  }

  private unwatchDiesIfIdle(): void {
    if (this.settling.length === 0 && this.stopDieWatch) {
      this.stopDieWatch();
      this.stopDieWatch = undefined;
    }
  }

  private watchDies(): void {
    if (this.stopDieWatch !== undefined) return;
    this.stopDieWatch = this.kernel.onDispatch((dispatch) => {
      if (dispatch.args[0] !== 'DIE') return;
      const info = dispatch.args[1] as { dest_session?: unknown; event?: unknown; error?: unknown } | undefined;
      const entry = this.settling.find((e) => e.died === undefined && e.session === info?.dest_session && e.state === info?.event);
      if (entry) entry.died = info?.error instanceof Error ? info.error.message : String(info?.error);
    });
  }

  private settleOne(): void {
    const entry = this.settling.shift();
    this.unwatchDiesIfIdle();
    entry?.done(entry.died);
  }

  private onDurable(data: Uint8Array, msgID: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    let envelope: unknown;
    try {
      envelope = this.codec.decode(data);
    } catch (error) {
      this.refuse(`malformed durable post ${msgID}: ${(error as Error).message}`);
      return Promise.resolve({ ok: false, reason: 'malformed' });
    }
    const problem = envelopeProblem(envelope);
    if (problem !== undefined || (envelope as Envelope).t !== 'post') {
      this.refuse(`malformed durable post ${msgID}: ${problem ?? 'not a post'}`);
      return Promise.resolve({ ok: false, reason: `malformed: ${problem ?? 'not a post'}` });
    }
    const post = envelope as PostEnvelope;
    const target = this.target(post);
    if (typeof target === 'string') {
      this.refuse(`durable post from '${post.from}' to ${target}`);
      this.sendError(post, 'EPERM', target);
      return Promise.resolve({ ok: false, reason: target });
    }
    return new Promise((resolve) => {
      this.invoke(target, post, (reply) => {
        if (reply.ok) {
          this.stats.durableHandled++;
          resolve({ ok: true });
        } else resolve({ ok: false, reason: reply.message ?? 'handler failed' });
      });
    });
  }

  private respond(msg: Msg, reply: ReplyEnvelope): void {
    let data: Uint8Array | undefined;
    try {
      if (reply.ok && this.codec === jsonCodec) {
        this.replyPrefix ??= `${JSON.stringify({ t: 'reply', v: WIRE_VERSION, from: this.name, ok: true }).slice(0, -1)},"value":`;
        // undefined has no JSON text: the tagged path keeps it
        if (reply.value !== undefined) data = jsonSplice(this.replyPrefix, reply.value, '}');
      }
      data ??= this.codec.encode(reply);
    } catch (error) {
      data = this.codec.encode({ t: 'reply', v: WIRE_VERSION, from: this.name, ok: false, code: 'EINVAL', message: `answer cannot be sent: ${(error as Error).message}` });
    }
    if (data.length > this.maxBytes) {
      data = this.codec.encode({ t: 'reply', v: WIRE_VERSION, from: this.name, ok: false, code: 'EMSGSIZE', message: `answer of ${data.length} bytes exceeds ${this.maxBytes}` });
    }
    this.safely('answer', () => msg.respond(data));
  }

  /** Runs a publish whose failure (a closed connection) has nobody to report to but the log. */
  private safely(what: string, publish: () => unknown): void {
    try {
      publish();
    } catch (error) {
      this.logger.log('warning', `${what} not sent: ${(error as Error).message}`, { error });
    }
  }

  private sendError(envelope: PostEnvelope, code: IKCErrorCode, message: string): void {
    if (this.nc === undefined || envelope.from === this.name) return;
    const error: ErrorEnvelope = { t: 'err', v: WIRE_VERSION, from: this.name, code, message, spec: `poe://${this.name}/${envelope.session}/${envelope.state}` };
    if (envelope.fs !== undefined) error.to = envelope.fs;
    const nc = this.nc;
    this.safely('refusal', () => nc.publish(this.subjects.kernel(envelope.from), this.codec.encode(error)));
  }

  private onError(envelope: ErrorEnvelope): void {
    const sender = envelope.to === undefined ? undefined : this.kernel.ID_id_to_session(envelope.to);
    this.fail(sender instanceof Session ? sender : undefined, new IKCError(envelope.code as IKCErrorCode, `refused by '${envelope.from}': ${envelope.message}`, envelope.spec), 'remote-check');
  }

  // ---- Presence ---------------------------------------------------------------------------

  private presence(t: PresenceEnvelope['t']): PresenceEnvelope {
    const pub: Record<string, string[]> = {};
    for (const [session, states] of this.published) pub[session] = [...states];
    return { t, v: WIRE_VERSION, from: this.name, iid: this.iid, hb: this.heartbeatS, pub };
  }

  private announce(t: PresenceEnvelope['t'], askBack = false): void {
    if (this.nc === undefined || this.nc.isClosed()) return;
    const data = this.codec.encode(this.presence(t));
    const nc = this.nc;
    this.safely('announcement', () => nc.publish(this.subjects.presence, data, askBack ? { reply: `${this.subjects.inbox(this.name)}.hello` } : undefined));
  }

  private beat(): void {
    this.announce('beat');
    const now = Date.now();
    for (const remote of this.remotes.silent(now)) {
      this.logger.log('notice', `kernel '${remote.name}' silent for ${Math.round((now - remote.lastSeen) / 1000)} s: gone`);
      this.forget(remote.name);
    }
  }

  private onPresence(error: Error | null, msg: Msg): void {
    if (error) return void this.logger.log('error', `presence: ${error.message}`, { error });
    const envelope = this.decode(msg);
    if (envelope === undefined) return;
    if (!('iid' in envelope)) return this.refuse(`'${envelope.t}' on ${msg.subject}`);
    if (envelope.from === this.name) {
      if (envelope.iid !== this.iid) this.logger.log('error', `another kernel named '${this.name}' joined (instance ${envelope.iid})`);
      return;
    }
    if (envelope.t === 'bye') {
      if (this.remotes.get(envelope.from)?.iid === envelope.iid) this.forget(envelope.from);
      return;
    }
    const change = this.remotes.upsert(envelope, Date.now());
    if (change.replaced !== undefined) {
      for (const session of change.replaced.pub.keys()) this.dropProxy(`poe://${envelope.from}/${session}`);
      this.left(change.replaced);
    }
    if (change.joined) {
      this.logger.log('info', `kernel '${envelope.from}' joined`);
      this.monitors.fire(envelope.from, change.remote.iid, 'register');
    }
    for (const session of change.withdrawn) this.dropProxy(`poe://${envelope.from}/${session}`);
    if (envelope.t === 'hello' && msg.reply) {
      // answer the newcomer with our own table, on its inbox
      this.safely('presence answer', () => msg.respond(this.codec.encode(this.presence('hello'))));
    }
  }

  private forget(name: string): void {
    const remote = this.remotes.get(name);
    if (remote === undefined) return;
    for (const session of remote.pub.keys()) this.dropProxy(`poe://${name}/${session}`);
    this.remotes.remove(name);
    this.left(remote);
  }

  private left(remote: RemoteKernel): void {
    this.logger.log('info', `kernel '${remote.name}' left`);
    this.monitors.fire(remote.name, remote.iid, 'unregister');
  }

  /** This kernel's instance ID: what other kernels' monitors get as ARG0 (IKC's remote ID). */
  get rid(): string {
    return this.iid;
  }

  /** Kernels currently known, by name. */
  kernels(): string[] {
    return this.remotes.names();
  }

  /** Sessions (and their states) a remote kernel publishes. */
  published_by(kernel: string): Map<string, string[]> | undefined {
    const remote = this.remotes.get(kernel);
    if (remote === undefined) return undefined;
    return new Map([...remote.pub].map(([s, states]) => [s, [...states]]));
  }

  // ---- publish / retract ------------------------------------------------------------------

  /** IKC's `publish`: makes `states` of local session `session` (an alias) reachable from other kernels. */
  publish(session: string, states: string[]): void {
    if (typeof session !== 'string' || !Array.isArray(states)) {
      this.logger.log('warning', 'publish needs a session alias and a list of states');
      return;
    }
    const set = this.published.get(session) ?? new Set<string>();
    for (const state of states) if (typeof state === 'string') set.add(state);
    this.published.set(session, set);
    this.announce('publish');
  }

  /** IKC's `retract`: withdraws `states` (all of them when omitted) of a published session. */
  retract(session: string, states?: string[]): void {
    const set = this.published.get(session);
    if (set === undefined) return;
    if (states === undefined) this.published.delete(session);
    else {
      for (const state of states) set.delete(state);
      if (set.size === 0) this.published.delete(session);
    }
    this.announce('retract');
  }

  // ---- subscribe / unsubscribe ------------------------------------------------------------

  /**
   * IKC's `subscribe`: each `poe://Kernel/session` published there becomes a local proxy
   * session with that alias; posts to it go to the remote session. Returns the ones subscribed.
   */
  subscribe(specs: string | string[], callback?: (subscribed: string[]) => void): string[] {
    const done: string[] = [];
    for (const spec of Array.isArray(specs) ? specs : [specs]) {
      let parsed: Specifier;
      try {
        parsed = specifier_parse(spec);
      } catch {
        this.logger.log('warning', `subscribe: not a specifier: '${spec}'`);
        continue;
      }
      const alias = `poe://${parsed.kernel}/${parsed.session}`;
      if (parsed.kernel === undefined || parsed.session === undefined) continue;
      if (this.proxies.has(alias)) {
        done.push(alias);
        continue;
      }
      const remote = this.remotes.get(parsed.kernel);
      if (remote === undefined || !remote.pub.has(parsed.session)) {
        const message = remote === undefined ? `Unknown kernel ${parsed.kernel}` : `Refused subscription ${alias}: not published`;
        this.logger.log('notice', `subscribe: ${message}`);
        this.monitors.fire(parsed.kernel, this.ridOf(parsed.kernel), 'error', 'subscribe', message);
        continue;
      }
      this.makeProxy(alias, parsed.kernel, parsed.session);
      done.push(alias);
    }
    callback?.(done);
    return done;
  }

  private subscribeFrom(specs: string | string[], callbackState: string | undefined, sender: Session | undefined): void {
    const run = () => {
      const done = this.subscribe(specs);
      if (callbackState !== undefined && sender !== undefined) this.kernel.post(sender, callbackState, done);
    };
    if (this.nc === undefined) this.pending.push(run);
    else run();
  }

  /** IKC's `unsubscribe`: removes the proxy sessions. */
  unsubscribe(specs: string | string[]): void {
    for (const spec of Array.isArray(specs) ? specs : [specs]) {
      try {
        const parsed = specifier_parse(spec);
        this.dropProxy(`poe://${parsed.kernel}/${parsed.session}`);
      } catch {
        this.logger.log('warning', `unsubscribe: not a specifier: '${spec}'`);
      }
    }
  }

  private makeProxy(alias: string, kernel: string, session: string): void {
    const self = this;
    const proxy = Session.create({
      kernel: this.kernel,
      inline_states: {
        _start: () => void self.kernel.alias_set(alias),
        _default: (_) => {
          const state = _[ARG0] as string;
          if (state.startsWith('_')) return; // _stop, _parent and other kernel events stay local
          self.send({ kernel, session, state }, _[ARG1] as unknown[], _[SENDER] instanceof Session ? (_[SENDER] as Session) : undefined);
        },
        _ikc_unproxy: () => void self.kernel.alias_remove(alias),
      },
    });
    this.proxies.set(alias, proxy);
    this.monitors.fire(kernel, this.ridOf(kernel), 'subscribe', alias);
  }

  private dropProxy(alias: string): void {
    const proxy = this.proxies.get(alias);
    if (proxy === undefined) return;
    this.proxies.delete(alias);
    this.kernel.call(proxy, '_ikc_unproxy');
    const kernel = alias.slice(6, alias.indexOf('/', 6));
    this.monitors.fire(kernel, this.ridOf(kernel), 'unsubscribe', alias);
  }

  // ---- monitor ----------------------------------------------------------------------------

  /**
   * IKC's `monitor`: `callbacks` (state names in the calling session, or functions) fire when
   * kernel `name` (or any, `*`) registers, unregisters, or one of its sessions is subscribed or
   * unsubscribed here. `undefined` removes the calling session's monitor.
   */
  monitor(name: string, callbacks: MonitorCallbacks | undefined): void {
    this.monitorFrom(name, callbacks, this.currentSession());
  }

  private monitorFrom(name: string, callbacks: MonitorCallbacks | undefined, sender: Session | undefined): void {
    this.monitors.set(name, callbacks, sender);
    // a kernel already known counts as registering now, as IKC reports connected kernels
    if (callbacks?.register !== undefined) {
      for (const remote of this.remotes.values()) if (name === '*' || name === remote.name) this.monitors.fireOne(name, sender, remote.name, remote.iid, 'register');
    }
  }

  /** Kernel comings and goings as an Observable (every kernel, or one). */
  monitor$(name = '*'): Observable<MonitorEvent> {
    return this.monitors.observe(name);
  }

  // ---- shutdown ---------------------------------------------------------------------------

  /** IKC's `shutdown`: says goodbye, drains the connection, removes proxies; the session ends. */
  async shutdown(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const alias of [...this.proxies.keys()]) this.dropProxy(alias);
    if (this.beatTimer) clearInterval(this.beatTimer);
    const nc = this.nc;
    if (nc !== undefined && !nc.isClosed()) {
      this.announce('bye');
      this.durable?.stopConsuming();
      // durable posts still awaiting JetStream get a bounded grace
      const until = Date.now() + 5000;
      while (this.durablePending > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      this.durable?.stop();
      for (const sub of this.subs) sub.unsubscribe();
      await nc.drain().catch(() => nc.close());
    }
    this.nc = undefined;
    this.close();
    if (this.session.isAlive()) this.kernel.call(this.session, '_ikc_release');
  }

  private close(): void {
    for (const remote of this.remotes.names()) this.forget(remote);
    this.monitors.clear();
    this.errorsSubject.complete();
    this.parkedSubject.complete();
    if (!this.closing) void this.shutdown();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private currentSession(): Session | undefined {
    const active = this.kernel.get_active_session();
    return active instanceof Session && active !== this.session ? active : undefined;
  }

  private encode(envelope: PostEnvelope, spec: Specifier, sender: Session | undefined): Uint8Array | undefined {
    let data: Uint8Array;
    try {
      data = this.codec.encode(envelope);
    } catch (error) {
      this.fail(sender, new IKCError('EINVAL', (error as Error).message, specifier_name(spec)));
      return undefined;
    }
    if (data.length > this.maxBytes) {
      this.fail(sender, new IKCError('EMSGSIZE', `post of ${data.length} bytes exceeds ${this.maxBytes}`, specifier_name(spec)));
      return undefined;
    }
    return data;
  }

  /** A kernel's instance ID when it is connected (IKC's remote ID), else its name. */
  private ridOf(kernel: string): string {
    return kernel === this.name ? this.iid : (this.remotes.get(kernel)?.iid ?? kernel);
  }

  /** Logs an error reported to a sender, and tells errors$ and the `error` monitors of its kernel. */
  private report(error: IKCError, op?: string): void {
    this.logger.log('warning', `${error.specifier ?? ''}: ${error.message}`);
    this.errorsSubject.next(error);
    const kernel = error.specifier?.startsWith('poe://') ? error.specifier.slice(6).split('/')[0]! : this.name;
    this.monitors.fire(kernel, this.ridOf(kernel), 'error', op ?? OPS[error.code], error.message);
  }

  /** Reports a failed post to its sender (event `error_event`), the log and errors$; false. */
  private fail(sender: Session | undefined, error: IKCError, op?: string): false {
    this.report(error, op);
    if (sender !== undefined && sender.isAlive()) this.kernel.post(sender, this.errorEvent, error, error.specifier);
    return false;
  }
}

/** IKC's names for the operation that failed, per error code. */
const OPS: Record<IKCErrorCode, string> = {
  ENOKERNEL: 'resolve',
  EPERM: 'remote-check',
  ETIMEDOUT: 'call',
  EMSGSIZE: 'post',
  EBADMSG: 'post',
  EINVAL: 'post',
  ENOTCONN: 'post',
  EDIED: 'call',
};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
