import type { Kernel } from './kernel.js';
import type { Session } from './session.js';

/**
 * A node of the session tree: the kernel is its root, as in POE. The kernel keeps no set of its
 * children (top-level sessions are those whose parent it is): one less Set operation for every
 * session created and freed, which shows at 100,000 sessions.
 */
export type SessionParent = Session | Kernel;

/**
 * The session table (POE::Resource::Sessions + SIDs): IDs, the parent/child tree, reference
 * counts and the list of sessions marked for garbage collection.
 */
export class SessionTable {
  private readonly byId = new Map<number, Session>();
  private lastId = 0;
  // Two reused buffers with explicit counts: the sweep runs after every batch, and setting
  // an array's length or allocating a new one there costs more than the whole dispatch.
  private marked: (Session | undefined)[] = [];
  private markedCount = 0;
  private spare: (Session | undefined)[] = [];

  constructor(private readonly kernel: Kernel) {}

  get count(): number {
    return this.byId.size;
  }

  get hasMarked(): boolean {
    return this.markedCount > 0;
  }

  all(): Iterable<Session> {
    return this.byId.values();
  }

  get(id: number): Session | undefined {
    return this.byId.get(id);
  }

  add(session: Session, parent: SessionParent): number {
    const id = ++this.lastId;
    this.byId.set(id, session);
    session.parent = parent;
    if (parent !== this.kernel) this.adopt(parent as Session, session);
    return id;
  }

  remove(session: Session): void {
    const parent = session.parent;
    if (parent !== null) {
      if (parent !== this.kernel) this.disown(parent as Session, session);
      if (session.children !== undefined) for (const child of session.children) this.moveChild(child, parent);
    }
    session.parent = null;
    this.byId.delete(session.id);
  }

  moveChild(child: Session, parent: SessionParent): void {
    const old = child.parent!;
    if (old !== this.kernel) this.disown(old as Session, child);
    child.parent = parent;
    if (parent !== this.kernel) this.adopt(parent as Session, child);
  }

  /** Children hold their parent alive, as in POE. */
  private adopt(parent: Session, child: Session): void {
    (parent.children ??= new Set()).add(child);
    this.incRef(parent);
  }

  private disown(parent: Session, child: Session): void {
    parent.children!.delete(child);
    this.decRef(parent);
  }

  /** The sessions whose parent is `node`. */
  childrenOf(node: SessionParent): Iterable<Session> {
    if (node !== this.kernel) return (node as Session).children ?? [];
    return [...this.byId.values()].filter((session) => session.parent === this.kernel);
  }

  /** The session and all its descendants, breadth first (POE's signal propagation order). */
  tree(root: SessionParent): SessionParent[] {
    const nodes: SessionParent[] = [root];
    for (let i = 0; i < nodes.length; i++) for (const child of this.childrenOf(nodes[i]!)) nodes.push(child);
    return nodes;
  }

  incRef(session: Session): void {
    session.refs++;
    session.gcMarked = false;
  }

  decRef(session: Session): void {
    if (--session.refs === 0 && session.evTo === 0 && session.evFrom === 0) this.mark(session);
  }

  /**
   * Marks a session whose count of holds reached zero; it gets `_stop` at the next sweep unless
   * something holds it again first (a new hold clears the mark, as POE's refcount_inc does).
   */
  mark(session: Session): void {
    session.gcMarked = true;
    this.marked[this.markedCount++] = session;
    this.kernel.wake();
  }

  /** Stops every session still marked, latest marked first, as POE does. */
  sweep(stop: (session: Session) => void): void {
    while (this.markedCount > 0) {
      const todo = this.marked;
      let i = this.markedCount;
      this.marked = this.spare;
      this.markedCount = 0;
      while (i-- > 0) {
        const session = todo[i]!;
        todo[i] = undefined;
        if (!session.gcMarked) continue;
        session.gcMarked = false;
        if (session.alive && session.refs === 0 && session.evTo === 0 && session.evFrom === 0) stop(session);
      }
      this.spare = todo;
    }
  }
}
