import { AlarmTable } from './alarm-table.js';
import { Fifo } from './fifo.js';
import type { Kernel } from './kernel.js';
import { ET_ALARM, QueuedEvent } from './queued-event.js';
import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';
import { TimerHeap } from './timer-heap.js';

/** What `alarm_remove` and `alarm_remove_all` return for each alarm: POE's [name, time, args]. */
export type RemovedAlarm = [name: string, time: number, args: unknown[]];

/**
 * The kernel's queue (POE::Resource::Events): posted events in a FIFO and timed events in a heap,
 * dispatched together in (due time, enqueue order). Every queued event holds its destination,
 * and its sender when that is another session, alive until it is dispatched or cancelled.
 */
export class EventQueue {
  /** The sequence number of the latest enqueued event. */
  seq = 0;
  readonly fifo = new Fifo();
  readonly timers = new TimerHeap();
  private readonly alarms = new AlarmTable();

  constructor(
    private readonly kernel: Kernel,
    private readonly sessions: SessionTable,
  ) {}

  /** Live events waiting (FIFO events and timers). */
  get count(): number {
    let live = 0;
    this.fifo.forEach(() => live++);
    return live + this.timers.size;
  }

  get isEmpty(): boolean {
    return this.fifo.peek() === undefined && this.timers.size === 0;
  }

  nextTime(): number | undefined {
    const posted = this.fifo.peek();
    const timer = this.timers.peek();
    if (posted === undefined) return timer?.time;
    return timer === undefined ? posted.time : Math.min(posted.time, timer.time);
  }

  enqueue(
    dest: Session | Kernel,
    source: Session | Kernel,
    name: string,
    type: number,
    slots: unknown[],
    time: number,
  ): QueuedEvent {
    const event = new QueuedEvent(dest, source, name, type, slots, time, ++this.seq);
    this.hold(event);
    if (type & ET_ALARM) {
      this.timers.push(event);
      this.alarms.add(event);
    } else {
      this.fifo.push(event);
    }
    return event;
  }

  /**
   * Takes the next event due at `now` among those enqueued up to `lastSeq` (FIFO) or due by
   * `now` (timers), in (time, sequence) order, and releases its holds on its sessions.
   */
  next(now: number, lastSeq: number): QueuedEvent | undefined {
    const posted = this.fifo.peek();
    const timer = this.timers.peek();
    if (
      timer !== undefined &&
      timer.time <= now &&
      (posted === undefined ||
        posted.seq > lastSeq ||
        timer.time < posted.time ||
        (timer.time === posted.time && timer.seq < posted.seq))
    ) {
      this.timers.pop();
      this.alarms.delete(timer);
      this.release(timer);
      return timer;
    }
    if (posted !== undefined && posted.seq <= lastSeq) {
      this.fifo.drop();
      this.release(posted);
      return posted;
    }
    return undefined;
  }

  /** A pending alarm by ID, whichever session it belongs to. */
  alarm(id: number): QueuedEvent | undefined {
    return this.alarms.get(id);
  }

  retime(event: QueuedEvent, time: number): void {
    this.timers.retime(event, time);
  }

  removeAlarm(event: QueuedEvent): RemovedAlarm {
    this.timers.remove(event);
    this.alarms.delete(event);
    this.cancel(event);
    return [event.name, event.time, event.slots];
  }

  /** Removes the session's alarms, all of them or those of one name. */
  removeAlarms(session: Session, name?: string): RemovedAlarm[] {
    const mine = this.timers.filter((e) => e.dest === session && (e.type & ET_ALARM) !== 0 && (name === undefined || e.name === name));
    mine.sort((a, b) => a.time - b.time || a.seq - b.seq);
    return mine.map((event) => this.removeAlarm(event));
  }

  /** Cancels every event to or from a session that is being freed. */
  clearSession(session: Session): void {
    if (session.evTo === 0 && session.evFrom === 0) return;
    const doomed = (e: QueuedEvent) => e.dest === session || e.source === session;
    this.fifo.forEach((event) => {
      if (doomed(event)) this.cancel(event);
    });
    for (const event of this.timers.filter(doomed)) {
      this.timers.remove(event);
      this.alarms.delete(event);
      this.cancel(event);
    }
  }

  clear(): void {
    this.fifo.clear();
    this.timers.clear();
    this.alarms.clear();
  }

  private cancel(event: QueuedEvent): void {
    this.release(event);
    event.dest = null;
  }

  private hold(event: QueuedEvent): void {
    const { dest, source } = event;
    const kernel = this.kernel;
    if (dest !== kernel) {
      (dest as Session).evTo++;
      (dest as Session).gcMarked = false;
    }
    if (source !== dest && source !== kernel) {
      (source as Session).evFrom++;
      (source as Session).gcMarked = false;
    }
  }

  private release(event: QueuedEvent): void {
    const { dest, source } = event;
    const kernel = this.kernel;
    if (dest !== kernel) {
      const session = dest as Session;
      if (--session.evTo === 0 && session.evFrom === 0 && session.refs === 0) this.sessions.mark(session);
    }
    if (source !== dest && source !== kernel) {
      const session = source as Session;
      if (--session.evFrom === 0 && session.evTo === 0 && session.refs === 0) this.sessions.mark(session);
    }
  }
}
