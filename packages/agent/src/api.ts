// NSClient++'s script API, call for call: Registry, Core and Settings (each obtained with
// `.get(plugin_id)`), the `status` enum, and log/log_error/log_debug/sleep. Modules written in
// TypeScript use the same three classes through their Plugin.
import { lineLogger, type Logger } from '@poets/kernel';
import { AgentError } from './errors.js';
import { currentAgent, type Agent } from './agent.js';
import type { Registrant } from './registry.js';
import {
  rawEventHandler,
  rawExec,
  rawExecHandler,
  rawQuery,
  rawQueryHandler,
  rawSubmissionHandler,
  rawSubmit,
  type RawCmdlineFunction,
  type RawEventFunction,
  type RawQueryFunction,
  type RawSubscriptionFunction,
} from './raw.js';
import { rawRegistry } from './raw-registry.js';
import { rawSettings } from './raw-settings.js';
import type { MaybePromise, QueryResult, Submission } from './requests.js';
import { status, toStatus } from './status.js';

/** Who an API object acts for: the agent, and the plugin or script that registers through it. */
export interface ApiOwner {
  readonly agent: Agent;
  readonly registrant: Registrant;
  /** Where its log lines go (the component names the plugin, or the plugin and the script). */
  readonly logger: Logger;
}

/** A simple check's answer: `[status, message, perf]` (message and perf may be left out). */
export type SimpleQueryReturn = readonly [code: number, message?: string | Uint8Array, perf?: string];
/** `simple_function`'s callback: the arguments, as strings. */
export type SimpleQueryFunction = (args: string[]) => MaybePromise<SimpleQueryReturn>;
/** `simple_cmdline`'s callback: the arguments; returns `[exit_code, message]`. */
export type SimpleCmdlineFunction = (args: string[]) => MaybePromise<readonly [code: number, message?: string]>;
/** `simple_subscription`'s callback, once per submitted result; true when it took it. */
export type SimpleSubscriptionFunction = (
  channel: string,
  source: string,
  command: string,
  code: number,
  message: string,
  perf: string,
) => MaybePromise<boolean>;
/** `event`'s callback: the event name and its data. */
export type EventFunction = (event: string, data: Readonly<Record<string, string>>) => unknown;
/** `submit_metrics`'s callback: the flat map of metrics, and an unused string, as NSClient++ passes it. */
export type SubmitMetricsFunction = (metrics: Record<string, string>, unused: string) => unknown;
/** `fetch_metrics`'s callback: returns a flat map of dotted names to values. */
export type FetchMetricsFunction = () => MaybePromise<Record<string, string | number | boolean>>;

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

/** A simple check's tuple as the core's result; anything but a tuple is an error the core reports as UNKNOWN. */
function toQueryResult(command: string, out: unknown): QueryResult {
  if (!Array.isArray(out) || typeof out[0] !== 'number') {
    throw new TypeError(`returned ${describe(out)}, not (status, message, perf)`);
  }
  return { command, result: toStatus(out[0]), message: text(out[1]), perf: text(out[2]) };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function ownerFor(plugin_id: number, bound?: ApiOwner): ApiOwner {
  const agent = bound?.agent ?? currentAgent();
  if (agent === undefined) throw new AgentError('No agent is running: Registry/Core/Settings.get() needs a started Agent');
  if (bound !== undefined && bound.registrant.plugin.id === plugin_id) return bound;
  const plugin = agent.pluginById(Number(plugin_id));
  if (plugin === undefined) throw new AgentError(`Failed to find plugin: ${plugin_id}`);
  return { agent, registrant: plugin, logger: plugin.logger };
}

/** NSClient++'s Registry: publishes check commands, command-line commands, subscriptions, event handlers and metrics. */
export class Registry {
  constructor(protected readonly owner: ApiOwner) {}

  /** The Registry of the plugin `plugin_id` (the id `init` received). */
  static get(plugin_id: number): Registry {
    return new Registry(ownerFor(plugin_id));
  }

  /**
   * Registers a check command with a raw callback: `(command, QueryRequestMessage bytes)` returning
   * `[code, QueryResponseMessage bytes]`. Simple and raw queries both reach it.
   */
  function(query_name: string, query_function: RawQueryFunction, description = ''): void {
    this.owner.agent.registerQuery(this.owner.registrant, query_name, rawQueryHandler(query_function), description);
  }

  /** Registers a command-line command with a raw callback: `(command, ExecuteRequestMessage bytes)` returning `[code, ExecuteResponseMessage bytes]`. */
  cmdline(command_name: string, fn: RawCmdlineFunction): void {
    this.owner.agent.registerCommand(this.owner.registrant, command_name, rawExecHandler(fn));
  }

  /** Subscribes to `channel` with a raw handler: `(channel, SubmitRequestMessage bytes)` returning `[success, response bytes]`. */
  subscription(channel: string, fn: RawSubscriptionFunction): void {
    this.owner.agent.subscribe(this.owner.registrant, channel, rawSubmissionHandler(fn));
  }

  /** Registers a handler for the named event that receives it as a serialized EventMessage. */
  event_pb(event_name: string, event_function: RawEventFunction): void {
    this.owner.agent.registry.addEvent({ event: event_name, owner: this.owner.registrant, handler: rawEventHandler(event_function) });
  }

  /** A raw registry query: RegistryRequestMessage bytes in, `[code, RegistryResponseMessage bytes]` out. */
  query(request_bytes: Uint8Array): Promise<[number, Uint8Array]> {
    return rawRegistry(this.owner.agent, this.owner.registrant, request_bytes);
  }

  /** Registers a check command whose callback takes the arguments and returns `[status, message, perf]` (or a Promise of it). */
  simple_function(query_name: string, query_function: SimpleQueryFunction, description = ''): void {
    this.owner.agent.registerQuery(
      this.owner.registrant,
      query_name,
      (request) => {
        const out = query_function([...request.arguments]);
        return isPromise(out) ? out.then((r) => toQueryResult(request.command, r)) : toQueryResult(request.command, out);
      },
      description,
    );
  }

  /** Registers a command-line command whose callback takes the arguments and returns `[exit_code, message]`. */
  simple_cmdline(command_name: string, fn: SimpleCmdlineFunction): void {
    this.owner.agent.registerCommand(this.owner.registrant, command_name, (request) => {
      const convert = (out: unknown) => {
        if (!Array.isArray(out) || typeof out[0] !== 'number') throw new TypeError(`returned ${describe(out)}, not (code, message)`);
        return { command: request.command, result: out[0] as number, message: text(out[1]) };
      };
      const out = fn([...request.arguments]);
      return isPromise(out) ? out.then(convert) : convert(out);
    });
  }

  /** Subscribes to `channel`; the callback runs once per submitted result. */
  simple_subscription(channel: string, fn: SimpleSubscriptionFunction): void {
    this.owner.agent.subscribe(this.owner.registrant, channel, (name, payloads) => deliverEach(fn, name, payloads));
  }

  /** Registers a handler for the named event; it receives the event name and its data. */
  event(event_name: string, event_function: EventFunction): void {
    this.owner.agent.registry.addEvent({ event: event_name, owner: this.owner.registrant, handler: event_function });
  }

  /** Registers a consumer of every metrics snapshot (a flat map of dotted names to strings). */
  submit_metrics(fn: SubmitMetricsFunction): void {
    this.owner.agent.registry.submitters.push({ owner: this.owner.registrant, handler: fn });
  }

  /** Registers a metrics provider: returns a flat map of dotted names to strings or numbers. */
  fetch_metrics(fn: FetchMetricsFunction): void {
    this.owner.agent.registry.fetchers.push({ owner: this.owner.registrant, handler: fn });
  }
}

function deliverEach(fn: SimpleSubscriptionFunction, channel: string, payloads: readonly Submission[]): MaybePromise<boolean> {
  let ok = true;
  let pending: Promise<boolean>[] | undefined;
  for (const p of payloads) {
    const out = fn(channel, p.source, p.command, p.result, p.message, p.perf);
    if (isPromise(out)) (pending ??= []).push(out);
    else if (out === false) ok = false;
  }
  if (pending === undefined) return ok;
  return Promise.all(pending).then((all) => ok && all.every((r) => r !== false));
}

/** NSClient++'s Core: runs queries and command-line commands, submits results, loads and reloads modules. */
export class Core {
  constructor(protected readonly owner: ApiOwner) {}

  static get(plugin_id: number): Core {
    return new Core(ownerFor(plugin_id));
  }

  /** Runs a check command: `[code, message, perf]`. An unknown command is UNKNOWN with a message. */
  simple_query(query: string, args: readonly string[] = []): Promise<[number, string, string]> {
    return this.owner.agent.simple_query(query, args);
  }

  /** Raw simple_query: QueryRequestMessage bytes in, `[code, QueryResponseMessage bytes]` out (code: the worst status). */
  query(command: string, request_bytes: Uint8Array): Promise<[number, Uint8Array]> {
    return rawQuery(this.owner.agent, this.owner.registrant, command, request_bytes);
  }

  /** Raw simple_exec: ExecuteRequestMessage bytes in, `[code, ExecuteResponseMessage bytes]` out. */
  exec(target: string, request_bytes: Uint8Array): Promise<[number, Uint8Array]> {
    return rawExec(this.owner.agent, this.owner.registrant, target, request_bytes);
  }

  /** Raw simple_submit: SubmitRequestMessage bytes in, `[success, error_message]` out. */
  submit(channel: string, request_bytes: Uint8Array): Promise<[boolean, string]> {
    return rawSubmit(this.owner.agent, this.owner.registrant, channel, request_bytes);
  }

  /** Runs a command-line command on `target` (`''` or `local` for this agent): `[code, results]`. */
  simple_exec(target: string, command: string, args: readonly string[] = []): Promise<[number, string[]]> {
    return this.owner.agent.simple_exec(target, command, args);
  }

  /** Submits a passive result on `channel` (a comma-separated list of channels): `[success, message]`. */
  simple_submit(channel: string, command: string, code: number, message: string | Uint8Array, perf = ''): Promise<[boolean, string]> {
    return this.owner.agent.simple_submit(channel, command, code, message, perf);
  }

  /** Reloads the module `module` (by alias or name), or the whole service for `service`. False when it failed (logged). */
  reload(module: string): Promise<boolean> {
    return this.owner.agent.reload(module).catch((error: unknown) => this.failed('reload', error));
  }

  /** Loads `module` under `alias` (`''` for its default). False when it failed (logged). */
  load_module(module: string, alias = ''): Promise<boolean> {
    return this.owner.agent.load_module(module, alias).then(
      () => true,
      (error: unknown) => this.failed('load_module', error),
    );
  }

  /** Unloads the module loaded under that alias or name. False when none was. */
  unload_module(module: string): Promise<boolean> {
    return this.owner.agent.unload_module(module);
  }

  /** Expands `${...}` placeholders (`${scripts}`, `${base-path}`, keys of `[/paths]`). */
  expand_path(path: string): string {
    return this.owner.agent.expand_path(path);
  }

  private failed(call: string, error: unknown): false {
    this.owner.logger.log('error', `${call}: ${error instanceof Error ? error.message : String(error)}`, { error });
    return false;
  }
}

/** NSClient++'s Settings: typed reads and writes, in memory until save(). */
export class Settings {
  constructor(protected readonly owner: ApiOwner) {}

  static get(plugin_id: number): Settings {
    return new Settings(ownerFor(plugin_id));
  }

  private get store() {
    return this.owner.agent.settings;
  }

  /** The keys of the section `path`. */
  get_section(path: string): string[] {
    return this.store.get_section(path);
  }

  get_string(path: string, key: string, default_value = ''): string {
    return this.store.get_string(path, key, default_value);
  }

  set_string(path: string, key: string, value: string): void {
    this.store.set_string(path, key, value);
  }

  get_bool(path: string, key: string, default_value = false): boolean {
    return this.store.get_bool(path, key, default_value);
  }

  set_bool(path: string, key: string, value: boolean): void {
    this.store.set_bool(path, key, value);
  }

  get_int(path: string, key: string, default_value = 0): number {
    return this.store.get_int(path, key, default_value);
  }

  set_int(path: string, key: string, value: number): void {
    this.store.set_int(path, key, value);
  }

  /** Writes the changes to the settings file (atomically). Throws SettingsSaveError when it cannot. */
  save(): void {
    this.store.save();
  }

  /** A raw settings query: SettingsRequestMessage bytes in, `[code, SettingsResponseMessage bytes]` out. */
  query(request_bytes: Uint8Array): [number, Uint8Array] {
    return rawSettings(this.owner.agent, this.owner.registrant, request_bytes);
  }

  /** Documents a section for `settings --generate`. */
  register_path(path: string, title: string, description: string): void {
    this.store.register_path(path, title, description);
  }

  /** Documents a key; `type` is kept, and values are stored as strings whatever it says, as NSClient++ does for scripts. */
  register_key(path: string, key: string, type: string, title: string, description: string, default_value: string | number | boolean): void {
    this.store.register_key(path, key, type, title, description, String(default_value));
  }
}

const fallbackLogger = lineLogger();

function defaultLogger(): Logger {
  return currentAgent()?.logger ?? fallbackLogger;
}

/** Logs at info level. */
export function log(message: unknown): void {
  defaultLogger().log('info', text(message), { component: 'script' });
}

/** Logs at error level. */
export function log_error(message: unknown): void {
  defaultLogger().log('error', text(message), { component: 'script' });
}

/** Logs at debug level. */
export function log_debug(message: unknown): void {
  defaultLogger().log('debug', text(message), { component: 'script' });
}

/** Waits `milliseconds` without blocking: every other script and module runs meanwhile. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(milliseconds) || 0)));
}

/** The module a script imports as `@poets/agent`: the API bound to that script. */
export interface ScriptApi {
  Registry: typeof Registry;
  Core: typeof Core;
  Settings: typeof Settings;
  status: typeof status;
  log: typeof log;
  log_error: typeof log_error;
  log_debug: typeof log_debug;
  sleep: typeof sleep;
}

/** The API bound to one owner: `.get(plugin_id)` with its own plugin's id acts for it, and log lines name it. */
export function bindApi(owner: ApiOwner): ScriptApi {
  const { logger } = owner;
  return {
    Registry: class extends Registry {
      static override get(plugin_id: number): Registry {
        return new Registry(ownerFor(plugin_id, owner));
      }
    },
    Core: class extends Core {
      static override get(plugin_id: number): Core {
        return new Core(ownerFor(plugin_id, owner));
      }
    },
    Settings: class extends Settings {
      static override get(plugin_id: number): Settings {
        return new Settings(ownerFor(plugin_id, owner));
      }
    },
    status,
    log: (message: unknown) => logger.log('info', text(message)),
    log_error: (message: unknown) => logger.log('error', text(message)),
    log_debug: (message: unknown) => logger.log('debug', text(message)),
    sleep,
  };
}
