import { Session, type Kernel } from '@poets/kernel';
import { Observable, Subject, filter } from 'rxjs';

/** What a kernel did, for `monitor` callbacks and `monitor$`. */
export type MonitorOp = 'register' | 'unregister' | 'subscribe' | 'unsubscribe' | 'error';

export interface MonitorEvent {
  op: MonitorOp;
  kernel: string;
  /** The kernel's instance ID (IKC's remote ID), or its name when it is not connected. */
  rid: string;
  /** For subscribe/unsubscribe: the proxied session's alias, `poe://Kernel/session`. */
  session?: string;
  /** For error: IKC's operation (`resolve`, `remote-check`, `local-check`, `subscribe`, `post`, `call`) and the message. */
  error?: { op: string; message: string };
}

/** ARG0 the kernel's ID, ARG1 its name, ARG2 true, ARG3 `data`, then for subscribe/unsubscribe the alias, for error the operation and message. */
type Callback = string | ((rid: string, kernel: string, isReal: boolean, data: unknown, ...extra: string[]) => void);

/** IKC's monitor hash: a state name (in the monitoring session) or a function per operation, and `data` passed back. */
export interface MonitorCallbacks {
  register?: Callback;
  unregister?: Callback;
  subscribe?: Callback;
  unsubscribe?: Callback;
  error?: Callback;
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
   * Calls every monitor of `kernel` and of `*` for `op`, as IKC does: a state gets ARG0 the
   * kernel's ID, ARG1 its name, ARG2 true (names are real: NATS has no kernel aliases), ARG3
   * `data`, then `extra` (the proxy's alias for subscribe/unsubscribe; operation and message for error).
   */
  fire(kernel: string, rid: string, op: MonitorOp, ...extra: string[]): void {
    const event: MonitorEvent = { op, kernel, rid };
    if (op === 'error') event.error = { op: extra[0]!, message: extra[1]! };
    else if (extra[0] !== undefined) event.session = extra[0];
    this.events.next(event);
    for (const name of kernel === '*' ? ['*'] : [kernel, '*']) {
      const watchers = this.byName.get(name);
      if (watchers === undefined) continue;
      for (const watcher of [...watchers.keys()]) this.fireOne(name, watcher, kernel, rid, op, extra);
    }
  }

  fireOne(name: string, watcher: Session | undefined, kernel: string, rid: string, op: MonitorOp, extra: string[] = []): void {
    const callbacks = this.byName.get(name)?.get(watcher);
    const callback = callbacks?.[op];
    if (callback === undefined) return;
    const args: [string, string, boolean, unknown, ...string[]] = [rid, kernel, true, callbacks!.data, ...extra];
    if (typeof callback === 'function') callback(...args);
    else if (watcher instanceof Session) this.kernel.post(watcher, callback, ...args);
  }

  observe(name: string): Observable<MonitorEvent> {
    return this.events.pipe(filter((event) => name === '*' || event.kernel === name));
  }

  clear(): void {
    this.byName.clear();
  }
}
