// Net::Server's user/group, dropped after bind (so a low port can be bound as root): initgroups
// for the user's supplementary groups, setgid, then setuid, each through Node's process API (which
// resolves names through the system's user database), then checked: a drop that did not take is
// an error, never a server silently left running as root.
import { execFileSync } from 'node:child_process';
import { ConfigError } from './errors.js';

/** process.initgroups (POSIX), which this @types/node does not declare. */
const initgroups = (user: string, gid: number): void => (process as unknown as { initgroups(user: string, gid: number): void }).initgroups(user, gid);

/** Who to become: `user` (a name or uid) and `group` (names or gids, space separated; the first is the primary one). */
export interface DropTo {
  user?: string | undefined;
  group?: string | undefined;
}

/** What the process became. */
export interface Dropped {
  uid: number;
  gid: number;
  groups: number[];
}

/** Looks a name up in the system's user or group database (NSS, as Perl's getpwnam/getgrnam do). */
function lookup(database: 'passwd' | 'group', name: string): string[] | undefined {
  try {
    const line = execFileSync('getent', [database, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
    return line === undefined || line === '' ? undefined : line.split(':');
  } catch {
    return undefined;
  }
}

/** A user name or uid as [uid, name, primary gid]; an unknown name is a ConfigError. A bare uid need not exist. */
export function get_uid(user: string): { uid: number; name: string | undefined; gid: number | undefined } {
  const entry = lookup('passwd', user);
  if (entry !== undefined) return { uid: Number(entry[2]), name: entry[0], gid: Number(entry[3]) };
  if (/^\d+$/.test(user)) return { uid: Number(user), name: undefined, gid: undefined };
  throw new ConfigError(`user "${user}" does not exist (no such user in the system's user database)`);
}

/** A group name or gid as a gid; an unknown name is a ConfigError. */
export function get_gid(group: string): number {
  const entry = lookup('group', group);
  if (entry !== undefined) return Number(entry[2]);
  if (/^\d+$/.test(group)) return Number(group);
  throw new ConfigError(`group "${group}" does not exist (no such group in the system's group database)`);
}

/**
 * Becomes `group` then `user`. Only root can; asked for by anyone else, the drop is refused unless
 * the process already is that user and group. The result is checked against getuid/geteuid/getgid/getegid.
 */
export function drop_privileges(to: DropTo): Dropped | undefined {
  const user = to.user !== undefined && to.user !== '' ? get_uid(to.user) : undefined;
  const groups = to.group !== undefined && to.group !== '' ? to.group.trim().split(/[\s,]+/).map(get_gid) : [];
  if (user === undefined && groups.length === 0) return undefined;
  const gid = groups[0] ?? user?.gid;
  const isRoot = process.geteuid?.() === 0;
  if (!isRoot) {
    if ((user === undefined || user.uid === process.getuid?.()) && (gid === undefined || gid === process.getgid?.())) {
      return { uid: process.getuid!(), gid: process.getgid!(), groups: process.getgroups?.() ?? [] };
    }
    throw new ConfigError(`cannot become user "${to.user ?? ''}" group "${to.group ?? ''}": only root can change user or group (running as uid ${process.geteuid?.()})`);
  }
  try {
    if (gid !== undefined) {
      if (user?.name !== undefined) initgroups(user.name, gid);
      else process.setgroups!(groups.length > 0 ? groups : [gid]);
      if (groups.length > 1) process.setgroups!([...new Set([...process.getgroups!(), ...groups])]);
      process.setgid!(gid);
    }
    if (user !== undefined) {
      process.setuid!(user.uid);
    }
  } catch (error) {
    throw new ConfigError(`couldn't become user "${to.user ?? ''}" group "${to.group ?? ''}": ${error instanceof Error ? error.message : String(error)}`);
  }
  const now = { uid: process.getuid!(), euid: process.geteuid!(), gid: process.getgid!(), egid: process.getegid!() };
  if (user !== undefined && (now.uid !== user.uid || now.euid !== user.uid)) {
    throw new ConfigError(`user change to "${to.user}" did not take: uid ${now.uid}, euid ${now.euid}`);
  }
  if (gid !== undefined && (now.gid !== gid || now.egid !== gid)) {
    throw new ConfigError(`group change to "${to.group ?? gid}" did not take: gid ${now.gid}, egid ${now.egid}`);
  }
  return { uid: now.uid, gid: now.gid, groups: process.getgroups!() };
}
