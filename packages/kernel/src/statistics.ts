// The kernel's run-time statistics (POE::Resource::Statistics, always on): what was dispatched,
// how late, and how the run loop's time split between dispatching and waiting. The run loop and
// the kernel bump plain number fields on the hot path; windows and averages are computed on read.

/** Events dispatched, by how they reached their handler. */
export interface DispatchCounts {
  /** Posted (`post`, `yield`, postbacks). */
  post: number;
  /** Synchronous `call`s. */
  call: number;
  /** Signals delivered (each signal once, however many sessions it reached), `sig_child` included. */
  signal: number;
  /** Timers fired (`delay*`, `alarm*`). */
  alarm: number;
}

/** How late queued events were dispatched after their due time (a post's is when it was posted), in seconds. */
export interface DispatchLag {
  /** The last queued event's (0 when it was on time). */
  last: number;
  /** The largest over the window. */
  max: number;
  /** The mean over the window's queued events (calls have none). */
  mean: number;
}

/** `kernel.statistics()`: the counters since the kernel was made, what is live now, and the lag over the window. */
export interface KernelStatistics {
  /** Events dispatched since the kernel was made. */
  dispatched: DispatchCounts;
  /** Sessions alive now. */
  sessions: number;
  /** Timers pending now. */
  timers: number;
  /** Posted events waiting now (the FIFO; cancelled ones not yet skipped included). */
  queue: number;
  lag: DispatchLag;
  /** The window the lag (and `stat_getdata`) cover, in seconds: up to `intervals` intervals, the current partial one included. */
  window: number;
}

/**
 * `stat_getdata()`: POE's keys. `user_events`, `blocked`, `blocked_seconds`, `user_seconds` and
 * `idle_seconds` are sums over the window, each with its `avg_` per interval; `interval` is the
 * mean interval length and `total_duration` the window's length, both in seconds.
 */
export interface StatData {
  user_events: number;
  blocked: number;
  blocked_seconds: number;
  user_seconds: number;
  idle_seconds: number;
  avg_user_events: number;
  avg_blocked: number;
  avg_blocked_seconds: number;
  avg_user_seconds: number;
  avg_idle_seconds: number;
  interval: number;
  total_duration: number;
}

export interface StatisticsOptions {
  /** Seconds per interval (POE's 30). */
  interval?: number;
  /** Intervals the window keeps (POE's 4). */
  intervals?: number;
}

/** One interval's sums. */
interface Interval {
  /** Start, performance.now() ms. */
  start: number;
  /** Queued events dispatched (posts, signals, timers). */
  queued: number;
  calls: number;
  blocked: number;
  blockedSeconds: number;
  lagMax: number;
  userSeconds: number;
  idleSeconds: number;
}

function emptyInterval(start: number): Interval {
  return { start, queued: 0, calls: 0, blocked: 0, blockedSeconds: 0, lagMax: 0, userSeconds: 0, idleSeconds: 0 };
}

/** The counters the kernel and its run loop bump, and the window they are read over. */
export class Statistics {
  // Totals since the kernel was made: bumped on every dispatch, so plain fields.
  posts = 0;
  calls = 0;
  signals = 0;
  alarms = 0;
  lastLag = 0;
  /** The current interval's figures; its event counts are derived from the totals. */
  private current: Interval;
  private queuedAtStart = 0;
  private callsAtStart = 0;
  private readonly closed: Interval[] = [];
  /** performance.now() when the last slice ended; 0 outside a run. */
  private sliceEnd = 0;
  private readonly intervalMs: number;
  private readonly intervals: number;

  constructor(now: number, options: StatisticsOptions = {}) {
    this.intervalMs = (options.interval ?? 30) * 1000;
    this.intervals = Math.max(1, options.intervals ?? 4);
    this.current = emptyInterval(now);
  }

  /** A queued event dispatched `lag` seconds after its due time (lag > 0). */
  late(lag: number): void {
    const current = this.current;
    this.lastLag = lag;
    current.blocked++;
    current.blockedSeconds += lag;
    if (lag > current.lagMax) current.lagMax = lag;
  }

  /** A slice ran from `start` to `end` (performance.now() ms): dispatching, after waiting since the last one ended. */
  slice(start: number, end: number): void {
    if (end - this.current.start >= this.intervalMs) this.rotate(start);
    const current = this.current;
    // A wait longer than this interval so far began in intervals already closed: only its part here counts.
    if (this.sliceEnd !== 0 && start > this.sliceEnd) current.idleSeconds += (start - Math.max(this.sliceEnd, current.start)) / 1000;
    current.userSeconds += (end - start) / 1000;
    this.sliceEnd = end;
  }

  /** The run ended: the wait until the next run is not idle time. */
  stopped(): void {
    this.sliceEnd = 0;
  }

  private get queued(): number {
    return this.posts + this.signals + this.alarms;
  }

  /** The totals and the lag over the window. */
  read(now: number): { dispatched: DispatchCounts; lag: DispatchLag; window: number } {
    const window = this.window(now);
    let queued = 0;
    let blockedSeconds = 0;
    let max = 0;
    for (const i of window) {
      queued += i.queued;
      blockedSeconds += i.blockedSeconds;
      if (i.lagMax > max) max = i.lagMax;
    }
    return {
      dispatched: { post: this.posts, call: this.calls, signal: this.signals, alarm: this.alarms },
      lag: { last: this.lastLag, max, mean: queued === 0 ? 0 : blockedSeconds / queued },
      window: (now - window[0]!.start) / 1000,
    };
  }

  /** POE's stat_getdata over the window. */
  statData(now: number): StatData {
    const window = this.window(now);
    const sum = { events: 0, blocked: 0, blockedSeconds: 0, userSeconds: 0, idleSeconds: 0 };
    for (const i of window) {
      sum.events += i.queued + i.calls;
      sum.blocked += i.blocked;
      sum.blockedSeconds += i.blockedSeconds;
      sum.userSeconds += i.userSeconds;
      sum.idleSeconds += i.idleSeconds;
    }
    const n = window.length;
    const total = (now - window[0]!.start) / 1000;
    return {
      user_events: sum.events,
      blocked: sum.blocked,
      blocked_seconds: sum.blockedSeconds,
      user_seconds: sum.userSeconds,
      idle_seconds: sum.idleSeconds,
      avg_user_events: sum.events / n,
      avg_blocked: sum.blocked / n,
      avg_blocked_seconds: sum.blockedSeconds / n,
      avg_user_seconds: sum.userSeconds / n,
      avg_idle_seconds: sum.idleSeconds / n,
      interval: total / n,
      total_duration: total,
    };
  }

  /** The closed intervals kept and the current one (its event count brought up to date). */
  private window(now: number): Interval[] {
    if (now - this.current.start >= this.intervalMs) this.rotate(now);
    this.count(this.current);
    return [...this.closed, this.current];
  }

  private count(interval: Interval): void {
    interval.queued = this.queued - this.queuedAtStart;
    interval.calls = this.calls - this.callsAtStart;
  }

  /** Closes the current interval (and the wholly idle ones since) and starts the one `now` is in. */
  private rotate(now: number): void {
    const step = this.intervalMs;
    this.count(this.current);
    this.queuedAtStart = this.queued;
    this.callsAtStart = this.calls;
    this.closed.push(this.current);
    let start = this.current.start + step;
    const idle = Math.floor((now - start) / step);
    // Idle intervals older than the window are skipped, not made.
    const skipped = Math.max(0, idle - this.intervals);
    start += skipped * step;
    for (let k = skipped; k < idle; k++, start += step) this.closed.push(emptyInterval(start));
    while (this.closed.length > this.intervals - 1) this.closed.shift();
    this.current = emptyInterval(start);
  }
}
