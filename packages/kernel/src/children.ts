import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Kernel } from './kernel.js';
import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';

interface ChildWatcher {
  session: Session;
  event: string;
  args: unknown[];
}

/** How many exits of children nobody watched yet are remembered for a later `sig_child`. */
const UNCLAIMED_LIMIT = 1024;

/**
 * `sig_child` watchers. Node reaps its own children, so the kernel learns of an exit from the
 * ChildProcess it was handed (`watchChildProcess`; Wheel::Run does it for its children).
 * A watcher holds its session alive until the child's exit has been delivered.
 */
export class ChildWatchers {
  private readonly byPid = new Map<number, ChildWatcher>();
  private readonly unclaimed = new Map<number, number>();

  constructor(
    private readonly kernel: Kernel,
    private readonly sessions: SessionTable,
  ) {}

  get count(): number {
    return this.byPid.size;
  }

  watch(session: Session, pid: number, event: string, args: unknown[]): void {
    const old = this.byPid.get(pid);
    if (old) this.unwatch(old.session, pid);
    this.byPid.set(pid, { session, event, args });
    (session.childPids ??= new Set()).add(pid);
    this.sessions.incRef(session);
    const status = this.unclaimed.get(pid);
    if (status !== undefined) {
      this.unclaimed.delete(pid);
      this.exited(pid, status);
    }
  }

  unwatch(session: Session, pid: number): void {
    const watcher = this.byPid.get(pid);
    if (watcher?.session !== session) return;
    this.byPid.delete(pid);
    session.childPids!.delete(pid);
    this.sessions.decRef(session);
  }

  clearSession(session: Session): void {
    if (session.childPids !== undefined) for (const pid of [...session.childPids]) this.unwatch(session, pid);
  }

  adopt(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined) return;
    child.once('exit', (code, signal) => this.exited(pid, waitStatus(code, signal)));
  }

  /** Delivers an exit: to its `sig_child` watcher, and as a CHLD signal to `sig('CHLD')` watchers. */
  exited(pid: number, status: number): void {
    const watcher = this.byPid.get(pid);
    const kernel = this.kernel;
    if (watcher) {
      kernel.enqueueChildEvent(watcher.session, watcher.event, ['CHLD', pid, status, ...watcher.args]);
      this.unwatch(watcher.session, pid);
    } else {
      this.unclaimed.set(pid, status);
      if (this.unclaimed.size > UNCLAIMED_LIMIT) this.unclaimed.delete(this.unclaimed.keys().next().value!);
    }
    // Every session would be visited for it: only when some session watches CHLD.
    if (kernel.watchesSignal('CHLD')) kernel.signal(kernel, 'CHLD', pid, status);
  }
}

/** A wait(2) status as Perl's `$?` holds it: exit code in the high byte, signal number in the low. */
export function waitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return constants.signals[signal] ?? 0;
  return (code ?? 0) << 8;
}
