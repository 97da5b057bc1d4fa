import type { CallerSite } from './caller.js';
import type { Watched } from './handles.js';
import type { Session } from './session.js';

/** A postback or callback not released yet: what it sends, and where it was made (with caller info on). */
export interface OpenPostback {
  kind: 'postback' | 'callback';
  event: string;
  site: CallerSite | undefined;
}

/** What keeps one session alive, in words (POE's refcount parts, named). */
export interface SessionHolds {
  session: number;
  /** `session 2 (alias)`. */
  name: string;
  holds: string[];
}

/**
 * The postbacks and callbacks each session has handed out and not released: JavaScript has no
 * DESTROY, so a forgotten one holds its session for ever. Kept so that a kernel whose sessions
 * can never run again can say which hold is to blame, and where it was made.
 */
export class OpenPostbacks {
  private readonly bySession = new Map<Session, Set<OpenPostback>>();

  add(session: Session, postback: OpenPostback): void {
    let set = this.bySession.get(session);
    if (set === undefined) this.bySession.set(session, (set = new Set()));
    set.add(postback);
  }

  remove(session: Session, postback: OpenPostback): void {
    const set = this.bySession.get(session);
    if (set === undefined || !set.delete(postback)) return;
    if (set.size === 0) this.bySession.delete(session);
  }

  of(session: Session): Iterable<OpenPostback> {
    return this.bySession.get(session) ?? [];
  }

  clearSession(session: Session): void {
    this.bySession.delete(session);
  }
}

/** ` made at file:line`, or nothing when the site was not captured. */
export function madeAt(site: CallerSite | undefined): string {
  return site?.file !== undefined ? ` made at ${site.file}:${site.line}` : '';
}

/** Each hold of a session, in words. */
export function describeHolds(
  session: Session,
  postbacks: Iterable<OpenPostback>,
  handles: Iterable<Watched>,
): string[] {
  const holds: string[] = [];
  const postbackTags = new Map<string, number>();
  for (const postback of postbacks) {
    holds.push(`${postback.kind} for '${postback.event}'${madeAt(postback.site)} (never released)`);
    postbackTags.set(postback.kind, (postbackTags.get(postback.kind) ?? 0) + 1);
  }
  for (const [tag, count] of session.extrefs ?? []) {
    const rest = count - (postbackTags.get(tag) ?? 0);
    if (rest > 0) holds.push(`extra refcount '${tag}' (${rest})`);
  }
  for (const handle of handles) holds.push(`${handle.describe?.() ?? 'a watched handle'} (never destroyed)`);
  for (const pid of session.childPids ?? []) holds.push(`sig_child watcher for PID ${pid}`);
  for (const child of session.children ?? []) holds.push(`child ${child}`);
  return holds;
}
