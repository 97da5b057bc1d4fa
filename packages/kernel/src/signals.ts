import type { Kernel } from './kernel.js';
import type { Session } from './session.js';

export const SIGTYPE_BENIGN = 0;
export const SIGTYPE_TERMINAL = 1;
export const SIGTYPE_NONMASKABLE = 2;

// Unhandled terminal signals stop the sessions they reach; non-maskable ones stop them regardless.
const SIGNAL_TYPES: Record<string, number> = {
  QUIT: SIGTYPE_TERMINAL,
  INT: SIGTYPE_TERMINAL,
  KILL: SIGTYPE_TERMINAL,
  TERM: SIGTYPE_TERMINAL,
  HUP: SIGTYPE_TERMINAL,
  IDLE: SIGTYPE_TERMINAL,
  DIE: SIGTYPE_TERMINAL,
  ZOMBIE: SIGTYPE_NONMASKABLE,
  UIDESTROY: SIGTYPE_NONMASKABLE,
};

export function signalType(name: string): number {
  return SIGNAL_TYPES[name] ?? SIGTYPE_BENIGN;
}

/** Process signals a session can watch with `sig()`; Node reserves the rest (KILL, STOP...). */
const OS_SIGNALS = new Set(['INT', 'TERM', 'HUP', 'USR1', 'USR2', 'QUIT', 'WINCH', 'PIPE', 'ALRM', 'CONT', 'TSTP', 'TTIN', 'TTOU']);

const KEEP_HANDLED = new Set(['PIPE', 'USR1']);
const ignoreSignal = () => {};

export interface SignalWatcher {
  event: string;
  args: unknown[];
}

/**
 * Signal watchers (POE::Resource::Signals). A `sig()` watcher does not hold its session alive.
 * Process signals are caught only while some session of this kernel watches them, so an
 * unwatched SIGINT still ends the process as Node's default does.
 */
export class SignalWatchers {
  private readonly bySignal = new Map<string, Map<Session, SignalWatcher>>();
  private readonly listeners = new Map<string, () => void>();

  constructor(private readonly kernel: Kernel) {}

  watchers(signal: string): Map<Session, SignalWatcher> | undefined {
    return this.bySignal.get(signal);
  }

  add(session: Session, signal: string, event: string, args: unknown[]): void {
    let watchers = this.bySignal.get(signal);
    if (!watchers) this.bySignal.set(signal, (watchers = new Map()));
    watchers.set(session, { event, args });
    (session.signals ??= new Set()).add(signal);
    if (OS_SIGNALS.has(signal) && !this.listeners.has(signal)) {
      const listener = () => this.kernel.signal(this.kernel, signal);
      this.listeners.set(signal, listener);
      process.on(`SIG${signal}` as NodeJS.Signals, listener);
    }
  }

  remove(session: Session, signal: string): void {
    const watchers = this.bySignal.get(signal);
    if (!watchers?.delete(session)) return;
    session.signals!.delete(signal);
    if (watchers.size > 0) return;
    this.bySignal.delete(signal);
    const listener = this.listeners.get(signal);
    if (listener) {
      process.off(`SIG${signal}` as NodeJS.Signals, listener);
      this.listeners.delete(signal);
      // Removing Node's last listener restores the OS default action, which for these is fatal
      // where Node had them ignored (PIPE) or hooked (USR1, the inspector): keep them harmless.
      if (KEEP_HANDLED.has(signal) && process.listenerCount(`SIG${signal}`) === 0) process.on(`SIG${signal}` as NodeJS.Signals, ignoreSignal);
    }
  }

  clearSession(session: Session): void {
    if (session.signals !== undefined) for (const signal of [...session.signals]) this.remove(session, signal);
  }
}

/** The state of one signal's dispatch: POE keeps it per signal, so nested signals do not mix. */
export class SignalDispatch {
  handled = 0;
  readonly touched: Session[] = [];
  constructor(readonly type: number) {}
}
