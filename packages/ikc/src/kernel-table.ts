import type { PresenceEnvelope } from './envelope.js';

/** A kernel of the cluster as its announcements describe it. */
export interface RemoteKernel {
  name: string;
  /** Instance ID: a kernel restarted under the same name has a new one. */
  iid: string;
  /** Its heartbeat interval, seconds. */
  hb: number;
  /** Date.now() of its last announcement. */
  lastSeen: number;
  /** Published sessions and their states. */
  pub: Map<string, Set<string>>;
}

/** What an announcement changed. */
export interface Upsert {
  remote: RemoteKernel;
  /** It was not known (or was a previous instance, now `replaced`). */
  joined: boolean;
  replaced: RemoteKernel | undefined;
  /** Sessions it published before and no longer does. */
  withdrawn: string[];
}

/** The other kernels, from their hello, beat, publish and retract announcements. */
export class KernelTable {
  private readonly remotes = new Map<string, RemoteKernel>();

  get(name: string): RemoteKernel | undefined {
    return this.remotes.get(name);
  }

  has(name: string): boolean {
    return this.remotes.has(name);
  }

  names(): string[] {
    return [...this.remotes.keys()];
  }

  values(): RemoteKernel[] {
    return [...this.remotes.values()];
  }

  /** Records an announcement (not a goodbye). */
  upsert(envelope: PresenceEnvelope, now: number): Upsert {
    let replaced: RemoteKernel | undefined;
    let remote = this.remotes.get(envelope.from);
    if (remote !== undefined && remote.iid !== envelope.iid) {
      replaced = remote; // it restarted: the old instance is gone
      this.remotes.delete(envelope.from);
      remote = undefined;
    }
    const joined = remote === undefined;
    remote ??= { name: envelope.from, iid: envelope.iid, hb: envelope.hb, lastSeen: 0, pub: new Map() };
    const before = remote.pub;
    remote.lastSeen = now;
    remote.hb = envelope.hb;
    remote.pub = new Map(Object.entries(envelope.pub).map(([session, states]) => [session, new Set(states)]));
    this.remotes.set(envelope.from, remote);
    const withdrawn = [...before.keys()].filter((session) => !remote.pub.has(session));
    return { remote, joined, replaced, withdrawn };
  }

  /** Removes a kernel; returns it if it was known. */
  remove(name: string): RemoteKernel | undefined {
    const remote = this.remotes.get(name);
    this.remotes.delete(name);
    return remote;
  }

  /** Kernels silent for more than three of their heartbeats. */
  silent(now: number): RemoteKernel[] {
    return this.values().filter((remote) => now - remote.lastSeen > remote.hb * 3000);
  }
}
