import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';

/** Extra reference counts by tag (POE::Resource::Extrefs): `refcount_increment/decrement`. */
export class ExtraRefs {
  /** All tags of all sessions: while non-zero, the kernel is not idle. */
  total = 0;

  constructor(private readonly sessions: SessionTable) {}

  increment(session: Session, tag: string): number {
    const tags = (session.extrefs ??= new Map());
    const count = (tags.get(tag) ?? 0) + 1;
    tags.set(tag, count);
    this.total++;
    if (count === 1) this.sessions.incRef(session);
    return count;
  }

  decrement(session: Session, tag: string): number {
    const tags = session.extrefs;
    const count = tags?.get(tag) ?? 0;
    if (count === 0) return 0;
    this.total--;
    if (count > 1) {
      tags!.set(tag, count - 1);
      return count - 1;
    }
    tags!.delete(tag);
    this.sessions.decRef(session);
    return 0;
  }

  clearSession(session: Session): void {
    const tags = session.extrefs;
    if (!tags) return;
    for (const [tag, count] of tags) {
      this.total -= count;
      tags.delete(tag);
      this.sessions.decRef(session);
    }
  }
}
