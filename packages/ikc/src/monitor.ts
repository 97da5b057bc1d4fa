import { Session, type Kernel } from '@poets/kernel';
import { Observable, Subject, filter } from 'rxjs';

/** What a kernel did, for `monitor` callbacks and `monitor$`. */
export type MonitorOp = 'register' | 'unregister' | 'subscribe' | 'unsubscribe';

export interface MonitorEvent {
  op: MonitorOp;
  kernel: string;
  /** For subscribe/unsubscribe: the proxied session's alias, `poe://Kernel/session`. */
  session?: string;
}

type Callback = string | ((kernel: string, realName: string, isReal: boolean, data: unknown, session?: string) => void);

/** IKC's monitor hash: a state name (in the monitoring session) or a function per operation, and `data` passed back. */
export interface MonitorCallbacks {
  register?: Callback;
  unregister?: Callback;
  subscribe?: Callback;
  unsubscribe?: Callback;
  data?: unknown;
}

/** The monitors set with `monitor`, per watched kernel name and watching session. */
export class Monitors {
  private readonly byName = new Map<string, Map<Session | undefined, MonitorCallbacks>>();
  private readonly events = new Subject<MonitorEvent>();

  constructor(private readonly kernel: Kernel) {}

  set(name: string, callbacks: MonitorCallbacks | undefined, session: Session | undefined): void {
    let watchers = this.byName.get(name);
    if (callbacks === undefined) {
      watchers?.delete(session);
      if (watchers?.size === 0) this.byName.delete(name);
      return;
    }
    if (watchers === undefined) this.byName.set(name, (watchers = new Map()));
    watchers.set(session, callbacks);
  }

  /**
   * Calls every monitor of `kernel` and of `*` for `op`. A state gets ARG0 the kernel's name,
   * ARG1 its real name, ARG2 true (names are real: NATS has no kernel aliases), ARG3 `data`,
   * ARG4 the proxied session's alias for subscribe/unsubscribe.
   */
  fire(kernel: string, op: MonitorOp, session?: string): void {
    this.events.next(session === undefined ? { op, kernel } : { op, kernel, session });
    for (const name of [kernel, '*']) {
      const watchers = this.byName.get(name);
      if (watchers === undefined) continue;
      for (const watcher of [...watchers.keys()]) this.fireOne(name, watcher, kernel, op, session);
    }
  }

  fireOne(name: string, watcher: Session | undefined, kernel: string, op: MonitorOp, session?: string): void {
    const callbacks = this.byName.get(name)?.get(watcher);
    const callback = callbacks?.[op];
    if (callback === undefined) return;
    const args: unknown[] = [kernel, kernel, true, callbacks!.data];
    if (session !== undefined) args.push(session);
    if (typeof callback === 'function') callback(...(args as [string, string, boolean, unknown, string?]));
    else if (watcher instanceof Session) this.kernel.post(watcher, callback, ...args);
  }

  observe(name: string): Observable<MonitorEvent> {
    return this.events.pipe(filter((event) => name === '*' || event.kernel === name));
  }

  clear(): void {
    this.byName.clear();
  }
}
