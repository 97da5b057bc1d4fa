// Which side of a process pool this process is: the parent (binds, hands out connections) or a
// child that node:cluster started by re-running the same script (serves what it is handed).
import cluster from 'node:cluster';

/** The environment variable a pool sets in each child it starts: `child` (a pool member), `fork` (one connection), `dequeue`. */
export const CHILD_ROLE_ENV = 'POETS_NET_SERVER_CHILD';

export type ChildRole = 'child' | 'fork' | 'dequeue';

/** This process's role in a pool, or undefined in the parent (and in any process no pool started). */
export function childRole(): ChildRole | undefined {
  if (!cluster.isWorker) return undefined;
  const role = process.env[CHILD_ROLE_ENV];
  return role === 'child' || role === 'fork' || role === 'dequeue' ? role : undefined;
}

export function inChildProcess(): boolean {
  return childRole() !== undefined;
}
