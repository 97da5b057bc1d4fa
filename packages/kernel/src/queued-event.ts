import type { CallerSite } from './caller.js';
import type { Kernel } from './kernel.js';
import type { Session } from './session.js';

// Event types, as POE's ET_* flags: they decide how an event is dispatched and what it returns.
export const ET_POST = 0x0001;
export const ET_CALL = 0x0002;
export const ET_START = 0x0004;
export const ET_STOP = 0x0008;
export const ET_SIGNAL = 0x0010;
export const ET_GC = 0x0020;
export const ET_PARENT = 0x0040;
export const ET_CHILD = 0x0080;
export const ET_ALARM = 0x0200;
export const ET_SIGCLD = 0x0800;
export const ET_SIGDIE = 0x1000;

/** An event waiting in the kernel's queue: a post, a timer, a signal or an internal event. */
export class QueuedEvent {
  /** Position in the timer heap; -1 while the event is in the FIFO or gone. */
  heapIndex = -1;
  /** An alarm's ID (see AlarmTable); 0 for other events. */
  id = 0;
  /** An alarm's CALLER_STATE and caller site, kept until its handler array is built. */
  fromState: string | undefined = undefined;
  site: CallerSite | undefined = undefined;

  constructor(
    /** Null once the event was cancelled (its session stopped, its alarm removed). */
    public dest: Session | Kernel | null,
    public readonly source: Session | Kernel,
    public readonly name: string,
    public readonly type: number,
    /**
     * The handler's argument array, built when the event is queued: SENDER, KERNEL, the caller
     * slots and ARG0... are filled; OBJECT, SESSION, HEAP and STATE are filled at dispatch.
     * An alarm keeps only its arguments here (it may wait long; the array is built when it fires).
     */
    public readonly slots: unknown[],
    /** Due time (epoch seconds): the enqueue time for FIFO events. */
    public time: number,
    public readonly seq: number,
  ) {}
}
