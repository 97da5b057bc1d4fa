import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';

/** Something a session watches outside the kernel (a wheel's socket, a child process). */
export interface Watched {
  destroy(): void;
  /** What it is and where it was made, for the kernel's report of what keeps a session alive. */
  describe?(): string;
}

/**
 * The session's watched handles (POE::Resource::FileHandles): each holds its session alive
 * until it is released, and a session that is stopped by force destroys what it still holds.
 */
export class Handles {
  total = 0;
  private readonly bySession = new Map<Session, Set<Watched>>();

  constructor(private readonly sessions: SessionTable) {}

  add(session: Session, handle: Watched): void {
    let set = this.bySession.get(session);
    if (!set) this.bySession.set(session, (set = new Set()));
    if (set.has(handle)) return;
    set.add(handle);
    this.total++;
    this.sessions.incRef(session);
  }

  remove(session: Session, handle: Watched): void {
    const set = this.bySession.get(session);
    if (!set?.delete(handle)) return;
    if (set.size === 0) this.bySession.delete(session);
    this.total--;
    this.sessions.decRef(session);
  }

  of(session: Session): Iterable<Watched> {
    return this.bySession.get(session) ?? [];
  }

  clearSession(session: Session): void {
    const set = this.bySession.get(session);
    if (!set) return;
    for (const handle of [...set]) {
      this.remove(session, handle);
      handle.destroy();
    }
  }
}
