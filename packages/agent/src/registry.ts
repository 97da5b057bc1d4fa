// The core's tables: what each plugin registered (queries, aliases, command-line commands,
// channel subscriptions, event handlers, metrics providers and consumers), keyed so that unloading
// a plugin (or one script of it) removes exactly what it registered.
import type {
  EventHandler,
  ExecHandler,
  MetricsFetcher,
  MetricsSubmitter,
  QueryHandler,
  SubmissionHandler,
} from './requests.js';
import type { HandlerFailure, Plugin } from './plugin.js';

/** Who registered something: a plugin, and within a script host the script (named in log lines). */
export interface Registrant {
  readonly plugin: Plugin;
  /** The name log lines use: `alias` for a module, `alias/script` for a script. */
  readonly name: string;
  /** Runs one of its handlers in its session: the value, or a HandlerFailure when it threw. */
  call<A, B, R>(fn: (a: A, b: B) => R, a?: A, b?: B): R | HandlerFailure;
}

export interface QueryEntry {
  name: string;
  description: string;
  owner: Registrant;
  handler: QueryHandler;
}

export interface AliasEntry {
  name: string;
  command: string;
  arguments: string[];
  description: string;
  owner: Registrant;
}

export interface ExecEntry {
  name: string;
  description: string;
  owner: Registrant;
  handler: ExecHandler;
}

export interface SubscriberEntry {
  channel: string;
  owner: Registrant;
  handler: SubmissionHandler;
}

export interface EventEntry {
  event: string;
  owner: Registrant;
  handler: EventHandler;
}

export interface FetcherEntry {
  owner: Registrant;
  handler: MetricsFetcher;
}

export interface SubmitterEntry {
  owner: Registrant;
  handler: MetricsSubmitter;
}

/** Command names are case-insensitive, as NSClient++'s (it lower-cases them). */
export function commandKey(name: string): string {
  return name.toLowerCase();
}

/** All of the core's registrations. */
export class Registrations {
  readonly queries = new Map<string, QueryEntry>();
  readonly aliases = new Map<string, AliasEntry>();
  readonly commands = new Map<string, ExecEntry>();
  readonly channels = new Map<string, SubscriberEntry[]>();
  readonly events = new Map<string, EventEntry[]>();
  readonly fetchers: FetcherEntry[] = [];
  readonly submitters: SubmitterEntry[] = [];

  addQuery(entry: QueryEntry): void {
    this.queries.set(commandKey(entry.name), entry);
  }

  addAlias(entry: AliasEntry): void {
    this.aliases.set(commandKey(entry.name), entry);
  }

  addCommand(entry: ExecEntry): void {
    this.commands.set(commandKey(entry.name), entry);
  }

  addSubscriber(entry: SubscriberEntry): void {
    const list = this.channels.get(entry.channel);
    if (list === undefined) this.channels.set(entry.channel, [entry]);
    else list.push(entry);
  }

  addEvent(entry: EventEntry): void {
    const list = this.events.get(entry.event);
    if (list === undefined) this.events.set(entry.event, [entry]);
    else list.push(entry);
  }

  /** Removes everything `match` says is its own (a plugin's, or one script's). */
  remove(match: (owner: Registrant) => boolean): void {
    for (const table of [this.queries, this.aliases, this.commands] as Map<string, { owner: Registrant }>[]) {
      for (const [key, entry] of table) if (match(entry.owner)) table.delete(key);
    }
    for (const table of [this.channels, this.events] as Map<string, { owner: Registrant }[]>[]) {
      for (const [key, list] of table) {
        const kept = list.filter((e) => !match(e.owner));
        if (kept.length === 0) table.delete(key);
        else table.set(key, kept);
      }
    }
    for (const list of [this.fetchers, this.submitters] as { owner: Registrant }[][]) {
      for (let i = list.length - 1; i >= 0; i--) if (match(list[i]!.owner)) list.splice(i, 1);
    }
  }
}
