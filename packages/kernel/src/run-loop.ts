// The kernel's run loop: Node's own event loop is the loop, and the kernel drains its queue in
// slices between Node's turns (POE::Loop's job). It owns the slice timing, the batch boundaries,
// the Node immediate and timer that wake it, and the error a run ends with.
import { performance } from 'node:perf_hooks';
import type { ChildWatchers } from './children.js';
import { time } from './clock.js';
import { SessionsHeldError } from './errors.js';
import type { EventQueue } from './event-queue.js';
import type { ExtraRefs } from './extrefs.js';
import type { Handles } from './handles.js';
import type { SessionHolds } from './holds.js';
import type { Logger } from './logger.js';
import type { QueuedEvent } from './queued-event.js';
import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';
import type { Statistics } from './statistics.js';

/** Something (a wheel) with output put during a slice, written at the next batch boundary. */
export interface BoundaryFlush {
  flushAtBoundary(): void;
}

/** The resource managers the loop reads to know whether anything can still happen. */
export interface RunLoopManagers {
  queue: EventQueue;
  sessions: SessionTable;
  handles: Handles;
  extrefs: ExtraRefs;
  childWatchers: ChildWatchers;
  statistics: Statistics;
}

/** What the loop asks of the kernel. */
export interface RunLoopHost {
  dispatchQueued(event: QueuedEvent): void;
  stop(): void;
  stopSession(session: Session): void;
  /** Only aliases hold the sessions left: queue the IDLE signal. */
  signalIdle(): void;
  /** With no session left, nothing may remain queued or watched. */
  finalize(): void;
  heldSessions(): SessionHolds[];
  readonly logger: Logger;
}

export interface RunLoopOptions {
  sliceMs: number;
  ioSliceMs: number;
}

interface Run {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  condition: (() => boolean) | undefined;
}

// One process listener for every running kernel (tests run dozens at once).
const beforeExitHooks = new Set<() => void>();
const runBeforeExitHooks = (): void => {
  for (const hook of [...beforeExitHooks]) hook();
};

function watchBeforeExit(hook: () => void): void {
  if (beforeExitHooks.size === 0) process.on('beforeExit', runBeforeExitHooks);
  beforeExitHooks.add(hook);
}

function unwatchBeforeExit(hook: () => void): void {
  if (beforeExitHooks.delete(hook) && beforeExitHooks.size === 0) process.off('beforeExit', runBeforeExitHooks);
}

export class RunLoop {
  /** The error the run ends with: a handler's unhandled DIE, or an error in _stop. */
  exception: Error | undefined = undefined;
  /** Clock reading that stamps posted events; refreshed each batch and whenever a timer is set. */
  now = time();
  inSlice = false;

  private readonly queue: EventQueue;
  private readonly sessions: SessionTable;
  private readonly handles: Handles;
  private readonly extrefs: ExtraRefs;
  private readonly childWatchers: ChildWatchers;
  private readonly statistics: Statistics;
  private readonly sliceMs: number;
  private readonly ioSliceMs: number;
  /** Wheels with output put in this slice (a reused buffer with a count: this runs per batch). */
  private unflushed: (BoundaryFlush | undefined)[] = [];
  private unflushedCount = 0;
  private run: Run | undefined = undefined;
  private immediate: NodeJS.Immediate | undefined = undefined;
  private timeout: NodeJS.Timeout | undefined = undefined;
  /** The due time the pending Node timer was set for. */
  private timeoutDue = 0;
  private clockCountdown = 256;

  constructor(
    managers: RunLoopManagers,
    private readonly host: RunLoopHost,
    options: RunLoopOptions,
  ) {
    this.queue = managers.queue;
    this.sessions = managers.sessions;
    this.handles = managers.handles;
    this.extrefs = managers.extrefs;
    this.childWatchers = managers.childWatchers;
    this.statistics = managers.statistics;
    this.sliceMs = options.sliceMs;
    this.ioSliceMs = options.ioSliceMs;
  }

  /** Whether `run()` or `run_while()` is in progress. */
  get running(): boolean {
    return this.run !== undefined;
  }

  /** Throws the error the run ends with, clearing it. */
  rethrow(): never {
    const error = this.exception!;
    this.exception = undefined;
    throw error;
  }

  /** Schedules a slice if the kernel is running and idle between slices. */
  wake(): void {
    if (this.run !== undefined && !this.inSlice && this.immediate === undefined) this.scheduleImmediate();
  }

  /**
   * Output put by a handler the kernel is dispatching leaves at the next batch boundary (POE
   * writes in the select phase between batches); false outside a slice, where the caller
   * flushes on its own (after the input chunk it is handling).
   */
  flushAtBoundary(wheel: BoundaryFlush): boolean {
    if (!this.inSlice) return false;
    this.unflushed[this.unflushedCount++] = wheel;
    return true;
  }

  start(condition: (() => boolean) | undefined): Promise<void> {
    if (this.run !== undefined) return this.run.promise;
    if (this.sessions.count === 0) {
      this.host.finalize();
      if (this.exception === undefined) return Promise.resolve();
      const error = this.exception;
      this.exception = undefined;
      return Promise.reject(error);
    }
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.run = { promise, resolve, reject, condition };
    watchBeforeExit(this.onBeforeExit);
    this.scheduleImmediate();
    return promise;
  }

  /** `run_one_timeslice()`: one batch of due events now, without waiting for I/O; false when no session is left. */
  runOneTimeslice(): boolean {
    if (this.sessions.count === 0) {
      this.host.finalize();
      if (this.exception !== undefined) this.rethrow();
      return false;
    }
    const outer = this.inSlice;
    this.inSlice = true;
    try {
      this.now = time();
      this.drain(Infinity, true);
    } finally {
      this.inSlice = outer;
    }
    if (!outer && this.unflushedCount !== 0) this.flushPuts();
    if (this.exception !== undefined) this.rethrow();
    return true;
  }

  private flushPuts(): void {
    const list = this.unflushed;
    for (let i = 0; i < this.unflushedCount; i++) {
      const wheel = list[i]!;
      list[i] = undefined;
      wheel.flushAtBoundary();
    }
    this.unflushedCount = 0;
  }

  /**
   * Dispatches batches until the queue is empty or `deadline` passes (or after one batch).
   * A batch is one POE loop iteration: the timers due at its start and the events queued before
   * it started, in (time, sequence) order; sessions left unheld are stopped at its end.
   */
  private drain(deadline: number, oneBatch: boolean, ioDeadline = deadline): void {
    const queue = this.queue;
    const host = this.host;
    let now = queue.timers.size !== 0 ? (this.now = time()) : this.now;
    let lastSeq = queue.seq;
    // Read once per drain: a wheel made during it is flushed at the slice's end, and gets batch
    // boundaries and the shorter slice from the next one.
    const ioWatched = this.handles.total !== 0;
    for (;;) {
      const event = queue.next(now, lastSeq);
      if (event !== undefined) {
        host.dispatchQueued(event);
        if (this.exception !== undefined) host.stop();
        if (--this.clockCountdown === 0) {
          this.clockCountdown = 256;
          if (performance.now() >= deadline) {
            this.sessions.sweep(host.stopSession);
            return;
          }
        }
        continue;
      }
      // A batch boundary, POE's select phase: with handles watched, what was put goes out, and
      // Node gets a turn to read once ioSliceMs has passed.
      if (ioWatched && this.unflushedCount !== 0) this.flushPuts();
      if (this.sessions.hasMarked) this.sessions.sweep(host.stopSession);
      if (oneBatch || this.exception !== undefined || queue.fifo.length === 0) return;
      if (ioWatched && performance.now() >= ioDeadline) return;
      lastSeq = queue.seq;
      if (queue.timers.size !== 0) now = this.now = time();
    }
  }

  private readonly slice = (): void => {
    this.immediate = undefined;
    if (this.run === undefined) return;
    this.inSlice = true;
    const start = performance.now();
    try {
      this.now = time();
      this.drain(start + this.sliceMs, false, start + this.ioSliceMs);
    } finally {
      this.inSlice = false;
      this.statistics.slice(start, performance.now());
    }
    if (this.unflushedCount !== 0) this.flushPuts();
    this.afterSlice();
  };

  private afterSlice(): void {
    const run = this.run;
    if (run === undefined) return;
    if (this.exception !== undefined || this.sessions.count === 0 || (run.condition !== undefined && !run.condition())) {
      this.finish(run);
      return;
    }
    if (this.queue.fifo.length !== 0 || this.sessions.hasMarked) {
      this.scheduleImmediate();
      return;
    }
    const timer = this.queue.timers.peek();
    if (timer !== undefined) {
      const ms = (timer.time - time()) * 1000;
      if (ms <= 0) this.scheduleImmediate();
      else this.armTimer(timer.time, ms);
      return;
    }
    if (this.handles.total === 0 && this.extrefs.total === 0 && this.childWatchers.count === 0) {
      // Only aliases hold the remaining sessions: nothing can ever wake them.
      this.host.signalIdle();
      this.scheduleImmediate();
    }
  }

  private scheduleImmediate(): void {
    if (this.immediate === undefined) this.immediate = setImmediate(this.slice);
  }

  /**
   * Sets the Node timer for the next alarm, keeping the one already set for the same due time:
   * with an alarm pending (a server's timeouts), re-creating it after every slice costs more than
   * the slice. A timer left for an alarm that went away only runs an empty slice.
   */
  private armTimer(due: number, ms: number): void {
    if (this.timeout !== undefined) {
      if (this.timeoutDue === due) return;
      clearTimeout(this.timeout);
    }
    this.timeoutDue = due;
    this.timeout = setTimeout(this.onTimer, Math.min(Math.ceil(ms), 0x7fffffff));
  }

  private readonly onTimer = (): void => {
    this.timeout = undefined;
    this.slice();
  };

  private finish(run: Run): void {
    this.run = undefined;
    this.statistics.stopped();
    unwatchBeforeExit(this.onBeforeExit);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    this.immediate = this.timeout = undefined;
    if (this.sessions.count === 0) this.host.finalize();
    const error = this.exception;
    this.exception = undefined;
    if (error !== undefined) run.reject(error);
    else run.resolve();
  }

  /**
   * Node is about to end the process: its loop has nothing left to wait for (no socket, timer or
   * child), yet sessions are held. Nothing can wake them, so `run()` rejects with what holds
   * them, instead of the process ending with code 13 and no `_stop`.
   */
  private readonly onBeforeExit = (): void => {
    const run = this.run;
    if (run === undefined || this.sessions.count === 0 || this.immediate !== undefined || this.timeout !== undefined) return;
    const error = new SessionsHeldError(this.host.heldSessions());
    this.host.logger.log('error', error.message, { component: 'kernel' });
    this.exception = error;
    this.finish(run);
  };
}
