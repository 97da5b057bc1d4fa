import type { Session } from './session.js';
import type { SessionTable } from './sessions.js';

/** Session aliases (POE::Resource::Aliases): each alias names one session and holds it alive. */
export class AliasTable {
  private readonly byName = new Map<string, Session>();

  constructor(private readonly sessions: SessionTable) {}

  resolve(name: string): Session | undefined {
    return this.byName.get(name);
  }

  add(session: Session, name: string): void {
    this.byName.set(name, session);
    session.aliases.push(name);
    this.sessions.incRef(session);
  }

  remove(session: Session, name: string): void {
    this.byName.delete(name);
    session.aliases.splice(session.aliases.indexOf(name), 1);
    this.sessions.decRef(session);
  }

  clearSession(session: Session): void {
    while (session.aliases.length > 0) this.remove(session, session.aliases[session.aliases.length - 1]!);
  }
}
