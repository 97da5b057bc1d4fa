import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { AliasTable } from './aliases.js';
import { callerSite, type CallerSite } from './caller.js';
import { ChildWatchers } from './children.js';
import { time } from './clock.js';
import { activeKernel, dispatchContext, setDefaultKernel } from './kernel-context.js';
import { EEXIST, EINVAL, EPERM, ESRCH, type Errno, KernelError, SessionDiedError, UsageError } from './errors.js';
import { EventQueue, type RemovedAlarm } from './event-queue.js';
import { ExtraRefs } from './extrefs.js';
import { Handles, type Watched } from './handles.js';
import { describeHolds, OpenPostbacks, type OpenPostback, type SessionHolds } from './holds.js';
import { lineLogger, type Logger } from './logger.js';
import { RunLoop, type BoundaryFlush, type RunLoopHost } from './run-loop.js';
import {
  ET_ALARM,
  ET_CALL,
  ET_CHILD,
  ET_GC,
  ET_PARENT,
  ET_POST,
  ET_SIGCLD,
  ET_SIGDIE,
  ET_SIGNAL,
  ET_START,
  ET_STOP,
  type QueuedEvent,
} from './queued-event.js';
import { Session, State } from './session.js';
import { SessionTable } from './sessions.js';
import { ARG0, CALLER_FILE, CALLER_LINE, CALLER_STATE, KERNEL, SENDER, type DefaultHeap, type Handler } from './slots.js';
import { dieInfo, SignalPropagation, type DieInfo, type SignalHost } from './signal-dispatch.js';
import { SignalWatchers } from './signals.js';
import { Statistics, type KernelStatistics, type StatData, type StatisticsOptions } from './statistics.js';

/** Where an event can be sent: a Session, a session ID, an alias (or the kernel itself). */
export type Destination = Session | Kernel | number | string;

export type { DieInfo };

/** One event dispatched to a handler, as the kernel's dispatch stream reports it. */
export interface Dispatch {
  /** Epoch seconds. */
  time: number;
  session: Session;
  event: string;
  sender: Session | Kernel;
  args: readonly unknown[];
}

export interface KernelOptions {
  /** Fill CALLER_FILE and CALLER_LINE for every event (slow: a stack capture per post). Default false. */
  callerInfo?: boolean;
  /** Where warnings and traces go, and the logger components of this kernel default to. Default: standard error. */
  logger?: Logger;
  /** Older form of `logger`: a function that takes each warning or trace line. */
  warn?: (line: string) => void;
  /** How long the kernel dispatches before giving Node's event loop a turn, in ms. Default 5. */
  sliceMs?: number;
  /**
   * While some session watches a handle (a wheel's socket, a child), the kernel gives Node a turn,
   * to read input, at the first batch boundary after this many ms, as POE polls its handles
   * between batches. Default 1.
   */
  ioSliceMs?: number;
  /** The window `statistics()` and `stat_getdata()` cover: `interval` seconds (30) times `intervals` (4), as POE's. */
  statistics?: StatisticsOptions;
}

export type { BoundaryFlush };

export { activeKernel };

let kernelCount = 0;

/**
 * POE::Kernel: schedules sessions, delivers their events, timers and signals. A facade over the
 * resource managers (sessions, aliases, extra refs, handles, events, signals, child processes).
 * Node's own event loop is the loop: the kernel drains its queue in slices between Node's turns.
 */
export class Kernel {
  /** Why the last call that returned false or undefined failed (POE's `$!`). */
  lastError: KernelError | undefined = undefined;

  private readonly id: string;
  private readonly sessions = new SessionTable(this);
  private readonly aliases = new AliasTable(this.sessions);
  private readonly extrefs = new ExtraRefs(this.sessions);
  private readonly handles = new Handles(this.sessions);
  private readonly queue = new EventQueue(this, this.sessions);
  private readonly signals = new SignalWatchers(this);
  private readonly signalHost: SignalHost = {
    dispatch: (target, event, type, _) => this.dispatch(target, event, type, _),
    slots: (sender, args, site) => this.slots(sender, args, site),
    stopSession: (session) => this.stopSession(session),
    kernelSignal: (signal) => this.kernelSignal(signal),
    died: (sessionId, event, error) => this.died(sessionId, event, error),
  };
  private readonly propagation = new SignalPropagation(this, this.sessions, this.signals, this.signalHost);
  private readonly childWatchers = new ChildWatchers(this, this.sessions);
  private readonly postbacks = new OpenPostbacks();
  private readonly dispatchListeners: ((dispatch: Dispatch) => void)[] = [];
  private readonly callerInfo: boolean;
  /** Where this kernel's warnings go, and the logger its components use when given none. */
  readonly logger: Logger;
  private readonly runLoop: RunLoop;
  private readonly stats: Statistics;

  private activeSession: Session | Kernel = this;
  private activeEvent: string | undefined = undefined;
  private activeType = 0;

  constructor(options: KernelOptions = {}) {
    this.callerInfo = options.callerInfo ?? false;
    const warn = options.warn;
    this.logger = options.logger ?? (warn ? lineLogger((line) => warn(line)) : lineLogger());
    const host: RunLoopHost = {
      dispatchQueued: (event) => this.dispatchQueued(event),
      stop: () => this.stop(),
      stopSession: this.stopSession,
      signalIdle: () => this.enqueue(this, this, '_signal', ET_SIGNAL, ['IDLE']),
      finalize: () => this.finalize(),
      heldSessions: () => this.heldSessions(),
      logger: this.logger,
    };
    this.stats = new Statistics(performance.now(), options.statistics);
    const managers = { queue: this.queue, sessions: this.sessions, handles: this.handles, extrefs: this.extrefs, childWatchers: this.childWatchers, statistics: this.stats };
    this.runLoop = new RunLoop(managers, host, { sliceMs: options.sliceMs ?? 5, ioSliceMs: options.ioSliceMs ?? 1 });
    this.id = [hostname(), process.pid.toString(16), Date.now().toString(16), (++kernelCount).toString(16)].join('-');
  }

  // ---- Messages ---------------------------------------------------------------------------

  /** Queues `event` for `dest`. False (with `lastError`) when `dest` names no session. */
  post(dest: Destination, event: string, ...args: unknown[]): boolean {
    const session = this.resolve(dest);
    if (session === undefined) return this.unresolved(dest, 'post');
    this.enqueuePost(session, event, this.slots(this.activeSession, args), this.post);
    return true;
  }

  /** Queues `event` for the current session. */
  yield(event: string, ...args: unknown[]): void {
    const session = this.activeSession;
    if (session === this) throw new UsageError('yield() must be called from a running session');
    this.enqueuePost(session, event, this.slots(session, args), this.yield);
  }

  /** Runs `event` in `dest` now and returns what its handler returns (undefined, with `lastError`, when `dest` names no session). */
  call(dest: Destination, event: string, ...args: unknown[]): unknown {
    const session = this.resolve(dest);
    if (session === undefined) {
      this.unresolved(dest, 'call');
      return undefined;
    }
    this.stats.calls++;
    const _ = this.slots(this.activeSession, args, this.site(session, this.call));
    const result =
      session === this.activeSession && session !== this
        ? (session as Session).invoke(event, _)
        : this.dispatch(session, event, ET_CALL, _);
    const loop = this.runLoop;
    if (loop.exception !== undefined && !loop.inSlice) loop.rethrow();
    return result;
  }

  // ---- Timers -------------------------------------------------------------------------------

  /** Clears the current session's alarms named `event`, then sets one at `time` if given. */
  alarm(event: string, at?: number, ...args: unknown[]): 0 | Errno {
    const session = this.requireSession('alarm');
    if (typeof event !== 'string') return this.fail(EINVAL, 'invalid parameter to alarm() call');
    this.queue.removeAlarms(session, event);
    if (at !== undefined && at !== null) this.setTimer(session, event, at, args, this.alarm);
    return 0;
  }

  /** Adds an alarm without clearing others of the same name. */
  alarm_add(event: string, at: number, ...args: unknown[]): 0 | Errno {
    const session = this.requireSession('alarm_add');
    if (typeof event !== 'string' || typeof at !== 'number') return this.fail(EINVAL, 'invalid parameter to alarm_add() call');
    this.setTimer(session, event, at, args, this.alarm_add);
    return 0;
  }

  /** Clears the current session's alarms named `event`, then sets one `seconds` from now if given. */
  delay(event: string, seconds?: number, ...args: unknown[]): 0 | Errno {
    const session = this.requireSession('delay');
    if (typeof event !== 'string') return this.fail(EINVAL, 'invalid parameter to delay() call');
    this.queue.removeAlarms(session, event);
    if (seconds !== undefined && seconds !== null) {
      const now = time();
      this.setTimer(session, event, now + seconds, args, this.delay, now);
    }
    return 0;
  }

  delay_add(event: string, seconds: number, ...args: unknown[]): 0 | Errno {
    const session = this.requireSession('delay_add');
    if (typeof event !== 'string' || typeof seconds !== 'number') return this.fail(EINVAL, 'invalid parameter to delay_add() call');
    const now = time();
    this.setTimer(session, event, now + seconds, args, this.delay_add, now);
    return 0;
  }

  /** Sets an alarm and returns its ID (undefined, with `lastError`, on bad arguments). */
  alarm_set(event: string, at: number, ...args: unknown[]): number | undefined {
    const session = this.requireSession('alarm_set');
    if (typeof event !== 'string') return this.failUndefined(EINVAL, 'undefined event name in alarm_set()');
    if (typeof at !== 'number') return this.failUndefined(EINVAL, 'undefined time in alarm_set()');
    return this.setTimer(session, event, at, args, this.alarm_set);
  }

  delay_set(event: string, seconds: number, ...args: unknown[]): number | undefined {
    const session = this.requireSession('delay_set');
    if (typeof event !== 'string') return this.failUndefined(EINVAL, 'undefined event name in delay_set()');
    if (typeof seconds !== 'number') return this.failUndefined(EINVAL, 'undefined seconds in delay_set()');
    const now = time();
    return this.setTimer(session, event, now + seconds, args, this.delay_set, now);
  }

  /** Moves an alarm by `delta` seconds; returns its new due time. */
  alarm_adjust(id: number, delta: number): number | undefined {
    const session = this.requireSession('alarm_adjust');
    if (typeof id !== 'number' || typeof delta !== 'number') return this.failUndefined(EINVAL, 'alarm_adjust() needs an alarm ID and a delta');
    const alarm = this.ownAlarm(session, id);
    if (alarm === undefined) return undefined;
    this.queue.retime(alarm, alarm.time + delta);
    return alarm.time;
  }

  /** Makes an alarm due `seconds` from now; returns its new due time. */
  delay_adjust(id: number, seconds: number): number | undefined {
    const session = this.requireSession('delay_adjust');
    if (typeof id !== 'number' || typeof seconds !== 'number') return this.failUndefined(EINVAL, 'delay_adjust() needs an alarm ID and seconds');
    const alarm = this.ownAlarm(session, id);
    if (alarm === undefined) return undefined;
    this.queue.retime(alarm, time() + seconds);
    return alarm.time;
  }

  /** Removes an alarm; returns its [name, time, args]. */
  alarm_remove(id: number): RemovedAlarm | undefined {
    const session = this.requireSession('alarm_remove');
    if (typeof id !== 'number') return this.failUndefined(EINVAL, 'undefined alarm id in alarm_remove()');
    const alarm = this.ownAlarm(session, id);
    if (alarm === undefined) return undefined;
    return this.queue.removeAlarm(alarm);
  }

  /** Removes all the current session's alarms; returns each as [name, time, ...args]. */
  alarm_remove_all(): unknown[][] {
    const session = this.requireSession('alarm_remove_all');
    return this.queue.removeAlarms(session).map(([name, at, args]) => [name, at, ...args]);
  }

  // ---- Aliases and IDs ------------------------------------------------------------------------

  alias_set(alias: string): 0 | Errno {
    const session = this.requireSession('alias_set');
    const owner = this.aliases.resolve(alias);
    if (owner !== undefined) return owner === session ? 0 : this.fail(EEXIST, `alias '${alias}' is in use by another session`);
    this.aliases.add(session, alias);
    return 0;
  }

  alias_remove(alias: string): 0 | Errno {
    const session = this.requireSession('alias_remove');
    const owner = this.aliases.resolve(alias);
    if (owner === undefined) return this.fail(ESRCH, `alias '${alias}' does not exist`);
    if (owner !== session) return this.fail(EPERM, `alias '${alias}' does not belong to current session`);
    this.aliases.remove(session, alias);
    return 0;
  }

  /** Resolves an alias (or session ID, or Session) into its live session. */
  alias_resolve(alias: Destination): Session | undefined {
    const session = this.resolve(alias);
    if (session === undefined || session === this) return this.failUndefined(ESRCH, `cannot resolve '${String(alias)}' into a session`);
    return session as Session;
  }

  /** The aliases of a session (the current one by default). */
  alias_list(dest?: Destination): string[] {
    const session = this.resolve(dest ?? this.activeSession);
    if (session === undefined) {
      this.fail(ESRCH, `cannot resolve '${String(dest)}' into a session`);
      return [];
    }
    return session === this ? [] : [...(session as Session).aliases];
  }

  /** The kernel's unique ID. */
  ID(): string {
    return this.id;
  }

  ID_id_to_session(id: number | string): Session | Kernel | undefined {
    if (id === this.id) return this;
    const session = this.sessions.get(Number(id));
    return session ?? this.failUndefined(ESRCH, `no session has ID ${id}`);
  }

  ID_session_to_id(session: Session | Kernel): number | string | undefined {
    if (session === this) return this.id;
    const live = session instanceof Session && session.alive && session.kernel === this;
    return live ? (session as Session).id : this.failUndefined(ESRCH, `${String(session)} is not a live session of this kernel`);
  }

  // ---- Lifetimes ----------------------------------------------------------------------------

  /** Adds an extra hold on a session under `tag`; returns the tag's count. */
  refcount_increment(id: number | string, tag: string): number | undefined {
    const session = this.sessions.get(Number(id));
    if (session === undefined) return this.failUndefined(ESRCH, `session id ${id} does not exist`);
    return this.extrefs.increment(session, tag);
  }

  refcount_decrement(id: number | string, tag: string): number | undefined {
    const session = this.sessions.get(Number(id));
    if (session === undefined) return this.failUndefined(ESRCH, `session id ${id} does not exist`);
    return this.extrefs.decrement(session, tag);
  }

  /** Makes the current session a child of the kernel. */
  detach_myself(): boolean {
    const session = this.requireSession('detach_myself');
    const parent = session.parent!;
    if (parent === this) return this.fail(EPERM, `${session} is already a child of the kernel`), false;
    if ((this.activeType & ET_START) === 0) this.dispatch(parent, '_child', ET_CHILD, this.slots(this, ['lose', session, undefined]));
    this.dispatch(session, '_parent', ET_PARENT, this.slots(this, [parent, this]));
    this.sessions.moveChild(session, this);
    return true;
  }

  /** Makes a child of the current session a child of the kernel. */
  detach_child(child: Destination): boolean {
    const session = this.requireSession('detach_child');
    const target = this.resolve(child);
    if (target === undefined) return this.unresolved(child, 'detach_child');
    if (target === this || (target as Session).parent !== session) return this.fail(EPERM, `${String(target)} is not a child of ${session}`), false;
    const kid = target as Session;
    this.dispatch(session, '_child', ET_CHILD, this.slots(this, ['lose', kid, undefined]));
    this.dispatch(kid, '_parent', ET_PARENT, this.slots(this, [session, this]));
    this.sessions.moveChild(kid, this);
    return true;
  }

  // ---- Introspection ------------------------------------------------------------------------

  get_active_session(): Session | Kernel {
    return this.activeSession;
  }

  get_active_event(): string | undefined {
    return this.activeEvent;
  }

  get_event_count(): number {
    return this.queue.count;
  }

  get_next_event_time(): number | undefined {
    return this.queue.nextTime();
  }

  /**
   * New to the port: events dispatched by kind since the kernel was made, sessions, timers and
   * posted events now, and the dispatch lag over the statistics window. Always counted (a few
   * field increments per event), unlike POE's TRACE_STATISTICS.
   */
  statistics(): KernelStatistics {
    const { dispatched, lag, window } = this.stats.read(performance.now());
    return { dispatched, sessions: this.sessions.count, timers: this.queue.timers.size, queue: this.queue.fifo.length, lag, window };
  }

  /** POE's `stat_getdata()`: sums and per-interval averages over the window (`user_events`, `blocked`, `blocked_seconds`, `user_seconds`, `idle_seconds`, `avg_*`, `interval`, `total_duration`). */
  stat_getdata(): StatData {
    return this.stats.statData(performance.now());
  }

  /**
   * Adds, replaces or (with no handler) removes a state of the current session:
   * `state(event, fn)`, `state(event, object, method = event)`, `state(event)`. A class (or a
   * function with its own method of that name) is a package, as in package_states: its method
   * named `method ?? event` is bound, as POE binds a package name.
   */
  state(event: string, handler?: null): 0 | Errno;
  state<Heap = DefaultHeap, Args extends readonly unknown[] = readonly unknown[]>(event: string, handler: Handler<Heap, Args>): 0 | Errno;
  state(event: string, object: object, method?: string): 0 | Errno;
  state(event: string, handler?: Function | object | null, method?: string): 0 | Errno {
    const session = this.activeSession;
    if (session === this) return this.fail(ESRCH, 'state() must be called from a running session');
    let state: State | undefined;
    if (handler === undefined || handler === null) state = undefined;
    else if (typeof handler === 'function' && method === undefined && !isPackage(handler, event)) state = new State(handler, undefined, event);
    else state = new State(undefined, handler, method ?? event);
    (session as Session).setState(event, state);
    return 0;
  }

  // ---- Signals ------------------------------------------------------------------------------

  /** Watches `signal` with `event` (ARG0 the signal name, then the signal's and these arguments); no event stops watching. */
  sig(signal: string, event?: string, ...args: unknown[]): void {
    const session = this.requireSession('sig');
    if (event === undefined || event === null) this.signals.remove(session, signal);
    else this.signals.add(session, signal, event, args);
  }

  /** Marks the signal being dispatched as handled, so a terminal signal does not stop its sessions. */
  sig_handled(): void {
    this.propagation.handled();
  }

  /** Sends a signal to a session and its descendants (to every session when `dest` is the kernel). */
  signal(dest: Destination, signal: string, ...args: unknown[]): boolean {
    const session = this.resolve(dest);
    if (session === undefined) return this.unresolved(dest, 'signal');
    this.enqueue(session, this.activeSession, '_signal', ET_SIGNAL, [signal, ...args]);
    return true;
  }

  /** @internal Whether some session of this kernel watches `signal`. */
  watchesSignal(signal: string): boolean {
    return (this.signals.watchers(signal)?.size ?? 0) > 0;
  }

  /** Watches a child process's exit: `event` gets ARG0 'CHLD', ARG1 the PID, ARG2 its wait status. Holds the session until then. */
  sig_child(pid: number, event?: string, ...args: unknown[]): void {
    const session = this.requireSession('sig_child');
    if (event === undefined || event === null) this.childWatchers.unwatch(session, pid);
    else this.childWatchers.watch(session, pid, event, args);
  }

  /** Tells the kernel about a child process, so `sig_child` and CHLD watchers learn of its exit. */
  watchChildProcess(child: ChildProcess): void {
    this.childWatchers.adopt(child);
  }

  // ---- Handles (for wheels and components) --------------------------------------------------

  /** Something outside the kernel the session waits on: it holds the session alive until `unwatchHandle`. */
  watchHandle(session: Session, handle: Watched): void {
    this.handles.add(session, handle);
  }

  unwatchHandle(session: Session, handle: Watched): void {
    this.handles.remove(session, handle);
  }

  /**
   * Dispatches `event` to `session` now, as sent by the session itself: how a wheel reports I/O
   * (POE calls a wheel's events from its select handler). Returns the handler's value;
   * undefined when the session is gone. A throw becomes a DIE signal, as for any handler.
   */
  deliver(session: Session, event: string, ...args: unknown[]): unknown {
    if (!session.alive || session.kernel !== this) return undefined;
    return this.dispatch(session, event, ET_POST, this.slots(session, args));
  }

  // ---- Running ------------------------------------------------------------------------------

  /** Runs until no session is left. Rejects with the error of a handler whose DIE nobody handled. */
  run(): Promise<void> {
    return this.runLoop.start(undefined);
  }

  /** Runs while `condition()` is true (checked between slices) and sessions are left. */
  run_while(condition: () => boolean): Promise<void> {
    return this.runLoop.start(condition);
  }

  /** Dispatches one batch of due events now, without waiting for I/O; false when no session is left. */
  run_one_timeslice(): boolean {
    return this.runLoop.runOneTimeslice();
  }

  /** Stops every session, children before parents; `run()` then resolves. */
  stop(): void {
    // As in POE: sessions created after this, in the same handler, are children of the kernel.
    this.activeSession = this;
    const nodes = this.sessions.tree(this);
    for (let i = nodes.length - 1; i > 0; i--) this.stopSession(nodes[i] as Session);
    this.sessions.sweep(this.stopSession);
    this.wake();
  }

  // ---- Tracing ------------------------------------------------------------------------------

  /** Calls `listener` for every dispatch until the returned function is called. */
  onDispatch(listener: (dispatch: Dispatch) => void): () => void {
    this.dispatchListeners.push(listener);
    return () => {
      const i = this.dispatchListeners.indexOf(listener);
      if (i >= 0) this.dispatchListeners.splice(i, 1);
    };
  }

  /** Logs a warning or trace line through this kernel's logger (standard error by default). */
  warn(line: string): void {
    this.logger.log('warning', line);
  }

  toString(): string {
    return `kernel ${this.id}`;
  }

  // ---- Internals ----------------------------------------------------------------------------

  /** @internal Allocates a session and runs its `_start` (POE::Kernel::session_alloc). */
  session_alloc(session: Session, args: readonly unknown[]): unknown {
    const parent = this.activeSession;
    session.alive = true;
    session.id = this.sessions.add(session, parent);
    const result = this.dispatch(session, '_start', ET_START, this.slots(parent, args));
    if (!session.alive) return result;
    if (parent !== this) this.dispatch(parent, '_child', ET_CHILD, this.slots(this, ['create', session, result]));
    if (!session.alive) return result;
    // Holds the new session until the queue reaches this point, as POE's _garbage_collect event does.
    this.enqueue(session, session, '_garbage_collect', ET_GC, []);
    return result;
  }

  /**
   * @internal Output put by a handler the kernel is dispatching leaves at the next batch boundary
   * (POE writes in the select phase between batches); false outside a slice, where the caller
   * flushes on its own (after the input chunk it is handling).
   */
  flushAtBoundary(wheel: BoundaryFlush): boolean {
    return this.runLoop.flushAtBoundary(wheel);
  }

  /** @internal Where `method` was called from, when this kernel captures caller information. */
  captureSite(method: Function): CallerSite | undefined {
    return this.callerInfo ? callerSite(method) : undefined;
  }

  /** @internal Notes a postback or callback handed out, until `closePostback`. */
  openPostback(session: Session, kind: OpenPostback['kind'], event: string, method: Function): OpenPostback {
    const record: OpenPostback = { kind, event, site: this.captureSite(method) };
    this.postbacks.add(session, record);
    return record;
  }

  /** @internal */
  closePostback(session: Session, record: OpenPostback): void {
    this.postbacks.remove(session, record);
  }

  /** What holds each live session, in words (for SessionsHeldError). */
  private heldSessions(): SessionHolds[] {
    const held: SessionHolds[] = [];
    for (const session of this.sessions.all()) {
      held.push({ session: session.id, name: String(session), holds: describeHolds(session, this.postbacks.of(session), this.handles.of(session)) });
    }
    return held;
  }

  /** @internal Stops a session at once (POE's _data_ses_stop), as POE::NFA's stop() does. */
  stopNow(session: Session): void {
    this.stopSession(session);
  }

  /** @internal Delivers a sig_child event. */
  enqueueChildEvent(session: Session, event: string, args: unknown[]): void {
    this.enqueue(session, this, event, ET_SIGCLD, args);
  }

  /** @internal Schedules a slice if the kernel is running and idle between slices. */
  wake(): void {
    this.runLoop.wake();
  }

  private enqueuePost(session: Session | Kernel, event: string, _: unknown[], method: Function): void {
    if (this.callerInfo || (session !== this && (session as Session).traced)) {
      const site = callerSite(method);
      _[CALLER_FILE] = site.file;
      _[CALLER_LINE] = site.line;
    }
    const loop = this.runLoop;
    if (loop.inSlice) {
      this.queue.enqueue(session, this.activeSession, event, ET_POST, _, loop.now);
    } else {
      loop.now = time();
      this.queue.enqueue(session, this.activeSession, event, ET_POST, _, loop.now);
      loop.wake();
    }
  }

  private enqueue(dest: Session | Kernel, source: Session | Kernel, event: string, type: number, args: readonly unknown[]): void {
    const loop = this.runLoop;
    if (!loop.inSlice) loop.now = time();
    this.queue.enqueue(dest, source, event, type, this.slots(source, args), loop.now);
    if (!loop.inSlice) loop.wake();
  }

  /** Queues a timer; `now` is the clock reading the caller already made, if it made one. */
  private setTimer(session: Session, event: string, at: number, args: unknown[], method: Function, now = time()): number {
    // Posts made after this timer must sort after it when it is already due.
    const loop = this.runLoop;
    if (now > loop.now) loop.now = now;
    const timer = this.queue.enqueue(session, session, event, ET_ALARM, args, at);
    timer.fromState = this.activeEvent;
    timer.site = this.site(session, method);
    if (!loop.inSlice) loop.wake();
    return timer.id;
  }

  /** A handler's argument array with the sender, caller slots and arguments filled. */
  private slots(sender: Session | Kernel, args: readonly unknown[], site?: CallerSite, fromState = this.activeEvent): unknown[] {
    const n = args.length;
    // Sized once: growing a literal by push would copy it on the hot path.
    const _ = new Array<unknown>(ARG0 + n);
    _[KERNEL] = this;
    _[SENDER] = sender;
    _[CALLER_STATE] = fromState;
    if (site !== undefined) {
      _[CALLER_FILE] = site.file;
      _[CALLER_LINE] = site.line;
    }
    for (let i = 0; i < n; i++) _[ARG0 + i] = args[i];
    return _;
  }

  private site(dest: Session | Kernel, method: Function): CallerSite | undefined {
    return this.callerInfo || (dest !== this && (dest as Session).traced) ? callerSite(method) : undefined;
  }

  private resolve(dest: Destination): Session | Kernel | undefined {
    if (typeof dest === 'string') {
      const byAlias = this.aliases.resolve(dest);
      if (byAlias !== undefined) return byAlias;
      if (dest === this.id) return this;
      return /^\d+$/.test(dest) ? this.sessions.get(Number(dest)) : undefined;
    }
    if (typeof dest === 'number') return this.sessions.get(dest);
    if (dest === this) return this;
    if (dest instanceof Session && dest.alive && dest.kernel === this) return dest as Session;
    return undefined;
  }

  /** The session's alarm by ID; else undefined, with ESRCH (no such alarm) or EPERM (another session's). */
  private ownAlarm(session: Session, id: number): QueuedEvent | undefined {
    const alarm = this.queue.alarm(id);
    if (alarm === undefined) return this.failUndefined(ESRCH, `no alarm ${id} is pending`);
    if (alarm.dest !== session) return this.failUndefined(EPERM, `alarm ${id} belongs to another session than ${session}`);
    return alarm;
  }

  private requireSession(method: string): Session {
    const session = this.activeSession;
    if (session === this) throw new UsageError(`${method}() must be called from a running session`);
    return session as Session;
  }

  private fail(code: Errno, message: string): Errno {
    this.lastError = new KernelError(code, message);
    return code;
  }

  private failUndefined(code: Errno, message: string): undefined {
    this.fail(code, message);
    return undefined;
  }

  private unresolved(dest: Destination, method: string): false {
    this.fail(ESRCH, `${method}: cannot resolve '${String(dest)}' into a session`);
    return false;
  }

  /** Invokes one handler with the session made active; a throw becomes a DIE signal. */
  private dispatch(target: Session | Kernel, event: string, type: number, _: unknown[]): unknown {
    // The kernel's own events (_child of top-level sessions, signals to it) need no handler.
    if (target === this) return undefined;
    const session = target as Session;
    const outerSession = this.activeSession;
    const outerEvent = this.activeEvent;
    const outerType = this.activeType;
    const outerKernel = dispatchContext.active;
    this.activeSession = session;
    this.activeEvent = event;
    this.activeType = type;
    dispatchContext.active = this;
    if (this.dispatchListeners.length !== 0) this.notify(session, event, _);
    let result: unknown;
    try {
      result = session.invoke(event, _);
    } catch (error) {
      this.caught(session, event, type, error, _);
    } finally {
      this.activeSession = outerSession;
      this.activeEvent = outerEvent;
      this.activeType = outerType;
      dispatchContext.active = outerKernel;
    }
    return result;
  }

  private caught(session: Session, event: string, type: number, error: unknown, _: unknown[]): void {
    // An error in _stop or in a DIE handler cannot be signalled again: it ends the run.
    if (type & (ET_STOP | ET_SIGDIE)) {
      this.died(session.id, event, error);
      return;
    }
    this.enqueue(session, this, '_signal', ET_SIGDIE, ['DIE', dieInfo(session, event, error, _)]);
  }

  /** A handler's error the run ends with (kept with the ones before it). */
  private died(sessionId: number, event: string, error: unknown): void {
    const loop = this.runLoop;
    loop.exception = new SessionDiedError(sessionId, event, error, loop.exception as SessionDiedError | undefined);
  }

  private notify(session: Session, event: string, _: unknown[]): void {
    const record: Dispatch = { time: time(), session, event, sender: _[SENDER] as Session | Kernel, args: _.slice(ARG0) };
    for (const listener of this.dispatchListeners.slice()) listener(record);
  }

  private dispatchQueued(event: QueuedEvent): void {
    const type = event.type;
    // A GC event only woke the loop to sweep its session: nothing to dispatch or count.
    if (type & ET_GC) return;
    const stats = this.stats;
    // The loop's clock reading is this batch's (or a later one a handler made): no clock read per event.
    const lag = this.runLoop.now - event.time;
    if (lag > 0) stats.late(lag);
    else stats.lastLag = 0;
    if (type & ET_ALARM) {
      stats.alarms++;
      this.dispatch(event.dest!, event.name, type, this.slots(event.source, event.slots, event.site, event.fromState));
    } else if (type & (ET_SIGNAL | ET_SIGDIE)) {
      stats.signals++;
      this.propagation.deliver(event.dest!, type, event.slots);
    } else {
      if (type & ET_SIGCLD) stats.signals++;
      else stats.posts++;
      this.dispatch(event.dest!, event.name, type, event.slots);
    }
  }

  /** The kernel watches IDLE while running: if nothing woke up, ZOMBIE follows. */
  private kernelSignal(signal: string): void {
    if (signal === 'IDLE' && this.runLoop.running && this.queue.isEmpty && this.handles.total === 0) {
      this.enqueue(this, this, '_signal', ET_SIGNAL, ['ZOMBIE']);
    }
  }

  /** Stops a session (POE's _data_ses_stop): its children pass to its parent, it gets _stop, its parent _child lose. */
  private readonly stopSession = (session: Session): void => {
    if (session.stopping || !session.alive) return;
    session.stopping = true;
    const parent = session.parent!;
    if (session.children !== undefined) {
      for (const child of [...session.children]) {
        if (parent !== this) this.dispatch(parent, '_child', ET_CHILD, this.slots(this, ['gain', child]));
        this.dispatch(child, '_parent', ET_PARENT, this.slots(this, [session, parent]));
      }
    }
    const result = this.dispatch(session, '_stop', ET_STOP, this.slots(this.activeSession, []));
    if (parent !== this) this.dispatch(parent, '_child', ET_CHILD, this.slots(this, ['lose', session, result]));
    this.free(session);
  };

  private free(session: Session): void {
    session.alive = false;
    this.sessions.remove(session);
    this.signals.clearSession(session);
    this.childWatchers.clearSession(session);
    this.aliases.clearSession(session);
    this.extrefs.clearSession(session);
    this.handles.clearSession(session);
    this.postbacks.clearSession(session);
    this.queue.clearSession(session);
  }

  /** With no session left, nothing may remain queued or watched. */
  private finalize(): void {
    this.queue.clear();
    this.activeSession = this;
    this.activeEvent = undefined;
  }
}

/** A class, or a function that carries its own method for `event`: a package, not an inline handler. */
function isPackage(fn: Function, event: string): boolean {
  if (Function.prototype.toString.call(fn).startsWith('class')) return true;
  return Object.prototype.hasOwnProperty.call(fn, event) && typeof (fn as unknown as Record<string, unknown>)[event] === 'function';
}

/** The process-wide kernel, POE's `$poe_kernel`. */
export const poe_kernel = new Kernel();
setDefaultKernel(poe_kernel);
