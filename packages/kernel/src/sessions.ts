import type { Kernel } from './kernel.js';
import type { Session } from './session.js';

/** A node of the session tree: the kernel is its root, as in POE. */
export type SessionParent = Session | Kernel;

/**
 * The session table (POE::Resource::Sessions + SIDs): IDs, the parent/child tree, reference
 * counts and the list of sessions marked for garbage collection.
 */
export class SessionTable {
  private readonly byId = new Map<number, Session>();
  private lastId = 0;
  private marked: Session[] = [];

  constructor(private readonly kernel: Kernel) {}

  get count(): number {
    return this.byId.size;
  }

  get hasMarked(): boolean {
    return this.marked.length > 0;
  }

  get(id: number): Session | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Session> {
    return this.byId.values();
  }

  add(session: Session, parent: SessionParent): number {
    const id = ++this.lastId;
    this.byId.set(id, session);
    session.parent = parent;
    parent.children.add(session);
    if (parent !== this.kernel) this.incRef(parent as Session);
    return id;
  }

  remove(session: Session): void {
    const parent = session.parent;
    if (parent !== null) {
      parent.children.delete(session);
      if (parent !== this.kernel) this.decRef(parent as Session);
      for (const child of session.children) this.moveChild(child, parent);
    }
    session.parent = null;
    this.byId.delete(session.id);
  }

  moveChild(child: Session, parent: SessionParent): void {
    const old = child.parent!;
    old.children.delete(child);
    if (old !== this.kernel) this.decRef(old as Session);
    child.parent = parent;
    parent.children.add(child);
    if (parent !== this.kernel) this.incRef(parent as Session);
  }

  /** The session and all its descendants, breadth first (POE's signal propagation order). */
  tree(root: SessionParent): SessionParent[] {
    const nodes: SessionParent[] = [root];
    for (let i = 0; i < nodes.length; i++) for (const child of nodes[i]!.children) nodes.push(child);
    return nodes;
  }

  incRef(session: Session): void {
    session.refs++;
  }

  decRef(session: Session): void {
    if (--session.refs === 0 && session.evTo === 0 && session.evFrom === 0) this.mark(session);
  }

  /** Marks a session whose count of holds reached zero; it gets `_stop` at the next sweep. */
  mark(session: Session): void {
    if (session.gcMarked) return;
    session.gcMarked = true;
    this.marked.push(session);
    this.kernel.wake();
  }

  /** Stops every marked session that is still unheld, latest marked first, as POE does. */
  sweep(stop: (session: Session) => void): void {
    while (this.marked.length > 0) {
      const todo = this.marked.reverse();
      this.marked = [];
      for (const session of todo) {
        session.gcMarked = false;
        if (session.alive && session.refs === 0 && session.evTo === 0 && session.evFrom === 0) stop(session);
      }
    }
  }
}
