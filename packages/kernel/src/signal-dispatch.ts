// Signal propagation (POE::Resource::Signals' dispatch half): who a signal reaches, in what order,
// and what an unhandled terminal signal or DIE does. The watchers themselves live in signals.ts.
import type { CallerSite } from './caller.js';
import type { Kernel } from './kernel.js';
import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';
import { ARG0, CALLER_FILE, CALLER_LINE, CALLER_STATE, SENDER } from './slots.js';
import { SIGTYPE_NONMASKABLE, SIGTYPE_TERMINAL, SignalDispatch, type SignalWatchers, signalType } from './signals.js';

/** The payload of a DIE signal (ARG1 of its handler), as POE builds it. */
export interface DieInfo {
  source_session: Session | Kernel;
  dest_session: Session;
  event: string;
  file: string | undefined;
  line: number | undefined;
  from_state: string | undefined;
  /** The error as a string, as POE's `$@`. */
  error_str: string;
  /** What the handler threw. */
  error: unknown;
}

/** What propagation needs of the kernel: its dispatch, its argument slots, its session stop. */
export interface SignalHost {
  dispatch(target: Session | Kernel, event: string, type: number, _: unknown[]): unknown;
  slots(sender: Session | Kernel, args: readonly unknown[], site?: CallerSite): unknown[];
  stopSession(session: Session): void;
  /** The signal reached the kernel itself (it watches IDLE). */
  kernelSignal(signal: string): void;
  /** A DIE nobody handled: the run ends with the handler's error. */
  died(sessionId: number, event: string, error: unknown): void;
}

/** The DIE payload for `error`, thrown by `session`'s handler of `event` called with `_`. */
export function dieInfo(session: Session, event: string, error: unknown, _: unknown[]): DieInfo {
  return {
    source_session: _[SENDER] as Session | Kernel,
    dest_session: session,
    event,
    file: _[CALLER_FILE] as string | undefined,
    line: _[CALLER_LINE] as number | undefined,
    from_state: _[CALLER_STATE] as string | undefined,
    error_str: error instanceof Error ? (error.stack ?? error.message) : String(error),
    error,
  };
}

export class SignalPropagation {
  /** The signal being dispatched now (signals dispatched from handlers nest). */
  private current: SignalDispatch | undefined = undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly sessions: SessionTable,
    private readonly watchers: SignalWatchers,
    private readonly host: SignalHost,
  ) {}

  /** `sig_handled()`: a terminal signal being dispatched does not stop its sessions. */
  handled(): void {
    if (this.current !== undefined) this.current.handled++;
  }

  /**
   * Delivers a signal to a session and its descendants, children first (and for DIE to its
   * ancestors too), then stops them if it was terminal and nobody handled it.
   */
  deliver(dest: Session | Kernel, type: number, slots: unknown[]): void {
    const kernel = this.kernel;
    const host = this.host;
    const args = slots.slice(ARG0);
    const signal = args[0] as string;
    const site = { file: slots[CALLER_FILE] as string | undefined, line: slots[CALLER_LINE] as number | undefined };
    const outer = this.current;
    const state = (this.current = new SignalDispatch(signalType(signal)));
    try {
      const touched = this.sessions.tree(dest);
      if (signal === 'DIE' && dest !== kernel) {
        for (let up = (dest as Session).parent; up !== null && up !== kernel; up = (up as Session).parent) touched.unshift(up);
      }
      const watchers = new Map(this.watchers.watchers(signal) ?? []);
      for (let i = touched.length - 1; i >= 0; i--) {
        const target = touched[i]!;
        if (target === kernel) {
          host.kernelSignal(signal);
          continue;
        }
        const session = target as Session;
        state.touched.push(session);
        const watcher = watchers.get(session);
        if (watcher !== undefined) host.dispatch(session, watcher.event, type, host.slots(kernel, [...args, ...watcher.args], site));
      }
      if (state.type & SIGTYPE_NONMASKABLE || (state.type & SIGTYPE_TERMINAL && state.handled === 0)) {
        for (const session of state.touched) if (session.alive) host.stopSession(session);
      }
      if (signal === 'DIE' && state.handled === 0) {
        const info = args[1] as DieInfo;
        host.died(info.dest_session.id, info.event, info.error);
      }
    } finally {
      this.current = outer;
    }
  }
}
