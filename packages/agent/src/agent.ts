// NSClient++'s core on the kernel: modules loaded by name from [/modules] as sessions, the
// registry of queries, aliases and command-line commands, channels, events and metrics.
import { type Kernel, type Logger, type Session, componentLogger, poe_kernel } from '@poets/kernel';
import { Subject } from 'rxjs';
import { AgentCounters } from './agent-counters.js';
import { ModuleError } from './errors.js';
import { HandlerFailure, handlerSession, Plugin, runIn, type ModuleDefinition } from './plugin.js';
import {
  commandKey,
  Registrations,
  type AliasEntry,
  type ExecEntry,
  type QueryEntry,
  type Registrant,
  type SubscriberEntry,
} from './registry.js';
import type { ExecCommand, ExecResult, MaybePromise, QueryCommand, QueryResult, Submission, SubmitResult } from './requests.js';
import { natsClientModule } from './nats-client.js';
import { nscaClientModule } from './modules/nsca-client/index.js';
import { nscaServerModule } from './modules/nsca-server/index.js';
import { checkExternalScriptsModule } from './modules/external-scripts/external-scripts.js';
import { schedulerModule } from './modules/scheduler/scheduler.js';
import { nrpeServerModule } from './modules/nrpe-server/server.js';
import { checkDiskModule, checkSystemModule, checkSystemUnixModule } from './modules/check-system/index.js';
import { checkLogFileModule } from './modules/check-logfile/index.js';
import { checkSnmpModule } from './modules/check-snmp/index.js';
import { webServerModule } from './modules/web-server/web-server.js';
import { consoleModule } from './modules/console/console.js';
import { scriptHostModule } from './script-host.js';
import { SettingsStore } from './settings.js';
import { LogRing } from './modules/status-page/log-ring.js';
import { status, statusName, toStatus } from './status.js';

/** One thing the agent saw happen: a query's result, or a submission on a channel and what the channel made of it. */
export type AgentResult =
  | { kind: 'query'; time: number; request: QueryCommand; result: QueryResult }
  | { kind: 'submission'; time: number; channel: string; payloads: readonly Submission[]; result: SubmitResult };

export interface AgentOptions {
  /** The kernel the agent's sessions live in. Default `poe_kernel`. */
  kernel?: Kernel;
  /** Where the core and its modules log. Default the kernel's logger. */
  logger?: Logger;
  /** The settings: a store, or the path of an ini file to load. Default an empty store in memory. */
  settings?: SettingsStore | string;
  /** Modules that can be loaded by name, beside the built-in script host. */
  modules?: readonly ModuleDefinition[];
  /** Seconds a query (or a subscriber) may take before it answers UNKNOWN. Default `[/settings/default] timeout`, else 30. */
  queryTimeout?: number;
  /** Seconds between metrics collections. Default `[/settings/core] metrics interval`, else 10; 0 disables. */
  metricsInterval?: number;
}

const ENABLED = new Set(['enabled', 'enable', 'true', '1', 'yes', 'on']);
const DISABLED = new Set(['disabled', 'disable', 'false', '0', 'no', 'off', '']);

let current: Agent | undefined;

/** The agent started last in this process: what `Registry.get()` and friends reach outside a script. */
export function currentAgent(): Agent | undefined {
  return current;
}

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** NSClient++'s core. */
export class Agent {
  readonly kernel: Kernel;
  readonly logger: Logger;
  /** The last lines the core and its modules logged (what the status page shows). */
  readonly recentLog: LogRing;
  settings: SettingsStore;
  /** Everything the plugins registered. */
  readonly registry = new Registrations();
  readonly queryTimeout: number;
  private readonly metricsInterval: number;
  private readonly available = new Map<string, ModuleDefinition>();
  private readonly plugins = new Map<string, Plugin>();
  private nextPluginId = 0;
  private coreSession: Session | undefined = undefined;
  private metricsGeneration = 0;
  private readonly channelLists = new Map<string, readonly (readonly [string, string])[]>();
  /** Every query result and every submission, as they happen (time in epoch ms): what the status page and metrics watch. */
  readonly results$ = new Subject<AgentResult>();
  /** The kernel's figures and the network modules' counters (a prom-client Registry), whichever modules are loaded. */
  readonly counters: AgentCounters;

  constructor(options: AgentOptions = {}) {
    this.kernel = options.kernel ?? poe_kernel;
    this.counters = new AgentCounters(this.kernel);
    const base = options.logger ?? this.kernel.logger;
    this.recentLog = base instanceof LogRing ? base : new LogRing(base);
    this.logger = componentLogger(this.recentLog, 'core');
    this.settings = options.settings instanceof SettingsStore ? options.settings : options.settings === undefined ? SettingsStore.fromText('') : SettingsStore.load(options.settings);
    const builtIn = [
      scriptHostModule('TypeScript', 'typescript'),
      scriptHostModule('PythonScript', 'python'),
      natsClientModule,
      nscaClientModule,
      nscaServerModule,
      nrpeServerModule,
      checkExternalScriptsModule,
      schedulerModule,
      checkSystemModule,
      checkSystemUnixModule,
      checkDiskModule,
      checkLogFileModule,
      checkSnmpModule,
      webServerModule,
      consoleModule,
    ];
    for (const module of builtIn) this.addModule(module);
    for (const module of options.modules ?? []) this.addModule(module);
    this.registerCoreSettings();
    this.queryTimeout = options.queryTimeout ?? this.settings.get_int('/settings/default', 'timeout', 30);
    this.metricsInterval = options.metricsInterval ?? this.settings.get_int('/settings/core', 'metrics interval', 10);
  }

  /** The core's own keys, documented for `settings --generate`. */
  private registerCoreSettings(): void {
    const s = this.settings;
    s.register_path('/modules', 'MODULES', 'The modules to load: Name = enabled, or alias = Name to load one module under several aliases');
    s.register_path('/paths', 'PATHS', 'Locations ${...} expands: base-path, scripts, modules, log-path, certificate-path...');
    s.register_path('/settings/default', 'DEFAULT VALUES', 'Values every module falls back on');
    s.register_key('/settings/default', 'timeout', 'int', 'TIMEOUT', 'Seconds a query may take before it answers UNKNOWN', '30');
    s.register_path('/settings/core', 'CORE', 'The core of the agent');
    s.register_key('/settings/core', 'metrics interval', 'int', 'METRICS INTERVAL', 'Seconds between metrics collections (0 disables)', '10');
  }

  /** Swaps in `store` (the file read again), keeping what was documented with register_path/register_key. */
  replaceSettings(store: SettingsStore): void {
    store.adoptDocumentation(this.settings);
    this.settings = store;
    this.registerCoreSettings();
  }

  // ---- Lifecycle ----------------------------------------------------------------------------

  /** Makes `module` loadable by its name (case-insensitive, as NSClient++'s module names on disk). */
  addModule(module: ModuleDefinition): void {
    this.available.set(module.name.toLowerCase(), module);
  }

  /** The modules that can be loaded. */
  availableModules(): ModuleDefinition[] {
    return [...this.available.values()];
  }

  /**
   * Boots the core: loads every module `[/modules]` enables (`Name = enabled`, or `alias = Name`),
   * then starts the metrics interval. A module that fails to load is logged; the others load.
   */
  async start(): Promise<void> {
    current = this;
    if (this.coreSession !== undefined) return;
    this.coreSession = handlerSession(this.kernel, undefined, { metrics: () => this.metricsTick() });
    this.kernel.refcount_increment(this.coreSession.ID(), 'agent core');
    this.kernel.run().catch((error: unknown) => this.logger.log('error', `kernel stopped: ${String(error)}`, { error }));
    await this.loadConfiguredModules();
  }

  private async loadConfiguredModules(): Promise<void> {
    for (const key of this.settings.get_section('/modules')) {
      const value = this.settings.get_string('/modules', key, '').trim();
      const lower = value.toLowerCase();
      try {
        if (ENABLED.has(lower)) await this.load_module(key, '');
        else if (!DISABLED.has(lower)) await this.load_module(value, key);
      } catch (error) {
        this.logger.log('error', error instanceof Error ? error.message : String(error), { error });
      }
    }
    this.startMetrics();
    this.logger.log('debug', `started with ${this.plugins.size} module(s)`);
  }

  /** Unloads every module (the last loaded first) and lets the kernel's sessions go. */
  async stop(): Promise<void> {
    this.stopMetrics();
    for (const alias of [...this.plugins.keys()].reverse()) await this.unload_module(alias);
    if (this.coreSession !== undefined) {
      this.kernel.refcount_decrement(this.coreSession.ID(), 'agent core');
      this.coreSession = undefined;
    }
    if (current === this) current = undefined;
  }

  /** Loads `module` under `alias` ('' for the module's default alias). Throws ModuleError. */
  async load_module(module: string, alias = ''): Promise<Plugin> {
    const definition = this.available.get(module.toLowerCase());
    if (definition === undefined) throw new ModuleError(`Failed to find module: ${module} (available: ${[...this.available.values()].map((m) => m.name).join(', ') || 'none'})`);
    const name = alias === '' ? (definition.defaultAlias ?? definition.name) : alias;
    if (this.plugins.has(name.toLowerCase())) throw new ModuleError(`Module already loaded under the alias ${name}`);
    if (this.kernel.alias_resolve(name) !== undefined) throw new ModuleError(`Cannot load ${definition.name} as ${name}: a session already holds the alias`);
    const plugin = new Plugin(this.nextPluginId++, definition, name, this, this.logger);
    this.plugins.set(name.toLowerCase(), plugin);
    try {
      const instance = await definition.load(plugin);
      plugin.instance = instance ?? undefined;
    } catch (error) {
      this.plugins.delete(name.toLowerCase());
      this.registry.remove((owner) => owner.plugin === plugin);
      plugin.release();
      throw new ModuleError(`Failed to load ${definition.name} as ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.logger.log('debug', `loaded ${definition.name} as ${name} (plugin_id ${plugin.id})`);
    return plugin;
  }

  /** Unloads the plugin with that alias (or the one instance of that module); false when none is loaded. */
  async unload_module(moduleOrAlias: string): Promise<boolean> {
    const plugin = this.findPlugin(moduleOrAlias);
    if (plugin === undefined) {
      this.logger.log('warning', `unload_module: no module loaded as ${moduleOrAlias}`);
      return false;
    }
    this.plugins.delete(plugin.alias.toLowerCase());
    this.registry.remove((owner) => owner.plugin === plugin);
    try {
      await plugin.instance?.unload?.();
    } catch (error) {
      plugin.logger.log('error', `unload threw: ${error instanceof Error ? error.message : String(error)}`, { error });
    }
    plugin.release();
    this.logger.log('debug', `unloaded ${plugin.module.name} as ${plugin.alias}`);
    return true;
  }

  /**
   * Reloads one module (unload, then load under the same alias) or, for `service`, the whole core:
   * every module is unloaded, the settings file is read again, and [/modules] is loaded anew.
   */
  async reload(module: string): Promise<boolean> {
    if (module.toLowerCase() === 'service') {
      const file = this.settings.file;
      let fresh: SettingsStore | undefined;
      if (file !== undefined) {
        // Read the file first: one that does not parse leaves the running agent as it is.
        try {
          fresh = SettingsStore.load(file);
        } catch (error) {
          this.logger.log('error', `reload service refused: ${error instanceof Error ? error.message : String(error)}`, { error });
          return false;
        }
      }
      this.stopMetrics();
      for (const alias of [...this.plugins.keys()].reverse()) await this.unload_module(alias);
      if (fresh !== undefined) this.replaceSettings(fresh);
      await this.loadConfiguredModules();
      return true;
    }
    const plugin = this.findPlugin(module);
    if (plugin === undefined) return false;
    const { name } = plugin.module;
    const alias = plugin.alias;
    await this.unload_module(alias);
    await this.load_module(name, alias);
    return true;
  }

  /** The plugin loaded under `moduleOrAlias`, or the only instance of the module of that name. */
  findPlugin(moduleOrAlias: string): Plugin | undefined {
    const byAlias = this.plugins.get(moduleOrAlias.toLowerCase());
    if (byAlias !== undefined) return byAlias;
    const lower = moduleOrAlias.toLowerCase();
    return [...this.plugins.values()].find((p) => p.module.name.toLowerCase() === lower);
  }

  /** The plugin with NSClient++'s `plugin_id`. */
  pluginById(id: number): Plugin | undefined {
    for (const plugin of this.plugins.values()) if (plugin.id === id) return plugin;
    return undefined;
  }

  /** The loaded plugins, in load order. */
  loadedPlugins(): Plugin[] {
    return [...this.plugins.values()];
  }

  expand_path(path: string): string {
    return this.settings.expand_path(path);
  }

  // ---- Registration -------------------------------------------------------------------------

  registerQuery(owner: Registrant, name: string, handler: QueryEntry['handler'], description = ''): void {
    this.registry.addQuery({ name, description, owner, handler });
  }

  /** An alias for a query: running `name` runs `command` with `args` before the caller's arguments. */
  registerAlias(owner: Registrant, name: string, command: string, args: readonly string[] = [], description = ''): void {
    this.registry.addAlias({ name, command, arguments: [...args], description: description || `Alias for: ${command}`, owner } satisfies AliasEntry);
  }

  registerCommand(owner: Registrant, name: string, handler: ExecEntry['handler'], description = ''): void {
    this.registry.addCommand({ name, description, owner, handler });
  }

  subscribe(owner: Registrant, channel: string, handler: SubscriberEntry['handler']): void {
    this.registry.addSubscriber({ channel: commandKey(channel.trim()), owner, handler });
  }

  // ---- Queries ------------------------------------------------------------------------------

  /** Runs one check command: its result, UNKNOWN for a command nobody registered, a throw, or a timeout. */
  runQuery(request: QueryCommand): MaybePromise<QueryResult> {
    const out = this.runQueryOnce(request);
    if (!this.results$.observed) return out;
    const tell = (result: QueryResult): QueryResult => {
      this.results$.next({ kind: 'query', time: Date.now(), request, result });
      return result;
    };
    return isPromise(out) ? out.then(tell) : tell(out);
  }

  private runQueryOnce(request: QueryCommand): MaybePromise<QueryResult> {
    let entry = this.registry.queries.get(commandKey(request.command));
    let effective = request;
    if (entry === undefined) {
      const alias = this.registry.aliases.get(commandKey(request.command));
      if (alias !== undefined) {
        entry = this.registry.queries.get(commandKey(alias.command));
        effective = { command: alias.command, arguments: [...alias.arguments, ...request.arguments] };
      }
      if (entry === undefined) return this.unknownCommand(request.command);
    }
    const out = entry.owner.call(entry.handler, effective);
    if (out instanceof HandlerFailure) return this.handlerFailed(entry.owner, request.command, out.error);
    if (isPromise(out)) return this.guard(entry.owner, request.command, out);
    return out;
  }

  /** Runs several check commands, in order. */
  async query(requests: readonly QueryCommand[]): Promise<QueryResult[]> {
    const results: QueryResult[] = [];
    for (const request of requests) results.push(await this.runQuery(request));
    return results;
  }

  /** `Core.simple_query`: `[code, message, perf]`. */
  simple_query(command: string, args: readonly string[] = []): Promise<[number, string, string]> {
    const result = this.runQuery({ command, arguments: [...args] });
    if (isPromise(result)) return result.then((r) => [r.result, r.message, r.perf]);
    return Promise.resolve([result.result, result.message, result.perf]);
  }

  /** The registered queries and aliases (name, description), in registration order. */
  listQueries(): { name: string; description: string; plugin: string }[] {
    return [
      ...[...this.registry.queries.values()].map((q) => ({ name: q.name, description: q.description, plugin: q.owner.plugin.alias })),
      ...[...this.registry.aliases.values()].map((a) => ({ name: a.name, description: a.description, plugin: a.owner.plugin.alias })),
    ];
  }

  private unknownCommand(command: string): QueryResult {
    const known = [...this.registry.queries.values(), ...this.registry.aliases.values()].map((e) => e.name).join(', ');
    this.logger.log('error', `Unknown command(s): ${command} available commands: ${known}`);
    return { command, result: status.UNKNOWN, message: `Unknown command(s): ${command}`, perf: '' };
  }

  private handlerFailed(owner: Registrant, command: string, error: unknown): QueryResult {
    const reason = error instanceof Error ? error.message : String(error);
    owner.plugin.logger.log('error', `${owner.name}: ${command} threw: ${reason}`, { error });
    return { command, result: status.UNKNOWN, message: `${command} failed: ${reason}`, perf: '' };
  }

  /** A pending query: its result, or UNKNOWN when it throws, outlives the timeout, or its plugin is unloaded first. */
  private guard(owner: Registrant, command: string, pending: Promise<QueryResult>): Promise<QueryResult> {
    return new Promise<QueryResult>((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      let unwatch: (() => void) | undefined;
      const finish = (result: QueryResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unwatch?.();
        resolve(result);
      };
      timer = setTimeout(() => {
        owner.plugin.logger.log('error', `${owner.name}: ${command} timed out after ${this.queryTimeout}s`);
        finish({ command, result: status.UNKNOWN, message: `${command} timed out after ${this.queryTimeout}s`, perf: '' });
      }, this.queryTimeout * 1000);
      unwatch = owner.plugin.watchUnload(() => {
        owner.plugin.logger.log('warning', `${owner.name}: unloaded while ${command} ran`);
        finish({ command, result: status.UNKNOWN, message: `${command}: module ${owner.plugin.alias} was unloaded while the query ran`, perf: '' });
      });
      if (done) unwatch();
      pending.then(finish, (error: unknown) => finish(this.handlerFailed(owner, command, error)));
    });
  }

  // ---- Command-line commands ----------------------------------------------------------------

  /** Runs one command-line command locally (`target` '' or `local`); another target is a failure no module here can serve. */
  runExec(target: string, request: ExecCommand): MaybePromise<ExecResult> {
    if (target !== '' && target.toLowerCase() !== 'local') {
      this.logger.log('error', `exec ${request.command}: no module serves target ${target}`);
      return { command: request.command, result: status.UNKNOWN, message: `Unknown target: ${target}` };
    }
    const entry = this.registry.commands.get(commandKey(request.command));
    if (entry === undefined) {
      this.logger.log('error', `Unknown command(s): ${request.command}`);
      return { command: request.command, result: status.UNKNOWN, message: `Unknown command(s): ${request.command}` };
    }
    const fail = (error: unknown): ExecResult => {
      const reason = error instanceof Error ? error.message : String(error);
      entry.owner.plugin.logger.log('error', `${entry.owner.name}: ${request.command} threw: ${reason}`, { error });
      return { command: request.command, result: status.UNKNOWN, message: `${request.command} failed: ${reason}` };
    };
    const out = entry.owner.call(entry.handler, request);
    if (out instanceof HandlerFailure) return fail(out.error);
    if (isPromise(out)) {
      const asQuery = out.then((r) => ({ command: r.command, result: toStatus(r.result), message: r.message, perf: '' }));
      return this.guard(entry.owner, request.command, asQuery).then((q) => ({ command: q.command, result: q.result, message: q.message }));
    }
    return out;
  }

  /** `Core.simple_exec`: `[code, [message]]`. */
  async simple_exec(target: string, command: string, args: readonly string[] = []): Promise<[number, string[]]> {
    const result = await this.runExec(target, { command, arguments: [...args] });
    return [result.result, [result.message]];
  }

  /** The registered command-line commands. */
  listCommands(): { name: string; description: string; plugin: string }[] {
    return [...this.registry.commands.values()].map((c) => ({ name: c.name, description: c.description, plugin: c.owner.plugin.alias }));
  }

  // ---- Channels -----------------------------------------------------------------------------

  /**
   * Submits `payloads` to each channel of the comma-separated `channel`: every subscriber of each,
   * synchronously in order (`noop` takes anything; `log` logs each). A channel nobody listens on
   * is a failure the caller sees. Subscribers that return a Promise are awaited, with the query timeout.
   */
  submit(channel: string, payloads: readonly Submission[]): Promise<SubmitResult> {
    const result = this.runSubmitTold(channel, payloads);
    return isPromise(result) ? result : Promise.resolve(result);
  }

  /** `Core.simple_submit`: `[success, message]`. */
  simple_submit(channel: string, command: string, code: number, message: string | Uint8Array, perf = ''): Promise<[boolean, string]> {
    const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
    const result = this.runSubmitTold(channel, [{ command, result: toStatus(code), message: text, perf, source: '' }]);
    if (isPromise(result)) return result.then((r) => [r.success, r.message]);
    return Promise.resolve([result.success, result.message]);
  }

  /** runSubmit, its outcome told to results$ when someone watches. */
  private runSubmitTold(channel: string, payloads: readonly Submission[]): MaybePromise<SubmitResult> {
    const out = this.runSubmit(channel, payloads);
    if (!this.results$.observed) return out;
    const tell = (result: SubmitResult): SubmitResult => {
      this.results$.next({ kind: 'submission', time: Date.now(), channel, payloads, result });
      return result;
    };
    return isPromise(out) ? out.then(tell) : tell(out);
  }

  /** The submission itself: the answer, or a Promise of it when a subscriber answered with one. */
  private runSubmit(channel: string, payloads: readonly Submission[]): MaybePromise<SubmitResult> {
    let found = false;
    let success = true;
    let pending: Promise<string | undefined>[] | undefined;
    for (const [name, key] of this.channelList(channel)) {
      if (key === 'noop') {
        found = true;
        continue;
      }
      if (key === 'log') {
        found = true;
        for (const p of payloads) this.logger.log('info', `Notification ${p.result}: ${p.command}: ${statusName(p.result)}: ${p.message}${p.perf ? `|${p.perf}` : ''}`);
        continue;
      }
      const subscribers = this.registry.channels.get(key);
      if (subscribers === undefined) continue;
      for (const sub of subscribers) {
        found = true;
        const out = sub.owner.call(sub.handler, name, payloads);
        if (out instanceof HandlerFailure) {
          sub.owner.plugin.logger.log('error', `${sub.owner.name}: subscription to ${name} threw: ${out.message}`, { error: out.error });
          success = false;
        } else if (isPromise(out)) {
          (pending ??= []).push(this.guardSubmission(sub, name, out));
        } else if (out === false) {
          success = false;
        }
      }
    }
    if (!found) {
      const active = [...this.registry.channels.keys()].join(', ');
      this.logger.log('error', `No handler for channel: ${channel} active channels: ${active}`);
      return { channel, success: false, message: `No handler for channel: ${channel}` };
    }
    if (pending === undefined) return { channel, success, message: success ? '' : `Submission to ${channel} failed` };
    return Promise.all(pending).then((failures) => {
      // a subscriber that failed with a reason (rejected, timed out) answers with it
      const reasons = failures.filter((f): f is string => f !== undefined && f !== '');
      const all = success && failures.every((f) => f === undefined);
      return { channel, success: all, message: all ? '' : reasons.length > 0 ? reasons.join('; ') : `Submission to ${channel} failed` };
    });
  }

  /** `a, B` as `[['a', 'a'], ['B', 'b']]` (name as given, table key), remembered for the channel strings seen last. */
  private channelList(channel: string): readonly (readonly [string, string])[] {
    let list = this.channelLists.get(channel);
    if (list === undefined) {
      list = channel
        .split(',')
        .map((raw) => raw.trim())
        .filter((name) => name !== '')
        .map((name) => [name, commandKey(name)] as const);
      if (this.channelLists.size >= 1024) this.channelLists.clear();
      this.channelLists.set(channel, list);
    }
    return list;
  }

  /** The channels someone subscribed to, and the built-in `noop` and `log`. */
  listChannels(): string[] {
    return ['noop', 'log', ...this.registry.channels.keys()];
  }

  /** undefined when the subscriber took the payloads, else why not ('' when it only answered false). */
  private guardSubmission(sub: SubscriberEntry, channel: string, pending: Promise<boolean>): Promise<string | undefined> {
    const asQuery = pending.then((ok) => ({ command: channel, result: ok === false ? status.CRITICAL : status.OK, message: '', perf: '' }) as QueryResult);
    return this.guard(sub.owner, `subscription to ${channel}`, asQuery).then((r) => (r.result === status.OK ? undefined : r.message));
  }

  // ---- Events -------------------------------------------------------------------------------

  /** Raises `event` with `data` for every handler registered for it; a handler that throws is logged. */
  emit_event(event: string, data: Readonly<Record<string, string>> = {}): number {
    const handlers = this.registry.events.get(event) ?? [];
    for (const entry of handlers) {
      const out = entry.owner.call(entry.handler, event, data);
      if (out instanceof HandlerFailure) entry.owner.plugin.logger.log('error', `${entry.owner.name}: event ${event} threw: ${out.message}`, { error: out.error });
      else if (isPromise(out)) out.catch((error: unknown) => entry.owner.plugin.logger.log('error', `${entry.owner.name}: event ${event} failed: ${String(error)}`, { error }));
    }
    return handlers.length;
  }

  // ---- Metrics ------------------------------------------------------------------------------

  /** Every `fetch_metrics` provider's metrics as one flat map of dotted names to strings. */
  async collectMetrics(): Promise<Record<string, string>> {
    const metrics: Record<string, string> = {};
    for (const entry of [...this.registry.fetchers]) {
      const out = entry.owner.call(entry.handler);
      try {
        if (out instanceof HandlerFailure) throw out.error;
        const values = await out;
        if (values === null || typeof values !== 'object') throw new Error(`returned ${typeof values}, not a map of metrics`);
        for (const [key, value] of Object.entries(values)) metrics[key] = String(value);
      } catch (error) {
        entry.owner.plugin.logger.log('error', `${entry.owner.name}: fetch_metrics failed: ${error instanceof Error ? error.message : String(error)}`, { error });
      }
    }
    return metrics;
  }

  /**
   * Collects the metrics and hands them to every `submit_metrics` consumer: the providers' and
   * the agent's own (`kernel.*`, `nrpe.*`, `nsca.server.*`, `nsca.client.*`), which win a clash.
   */
  async pushMetrics(): Promise<Record<string, string>> {
    const metrics = { ...(await this.collectMetrics()), ...(await this.counters.snapshot()) };
    for (const entry of [...this.registry.submitters]) {
      const out = entry.owner.call(entry.handler, { ...metrics }, '');
      if (out instanceof HandlerFailure) entry.owner.plugin.logger.log('error', `${entry.owner.name}: submit_metrics threw: ${out.message}`, { error: out.error });
      else if (isPromise(out)) await out.catch((error: unknown) => entry.owner.plugin.logger.log('error', `${entry.owner.name}: submit_metrics failed: ${String(error)}`, { error }));
    }
    return metrics;
  }

  /** Arms the core session's `metrics` alarm (a kernel timer: it shows in the dispatch stream, and keeps the kernel running). */
  private startMetrics(): void {
    this.stopMetrics();
    if (!(this.metricsInterval > 0) || this.coreSession === undefined) return;
    const session = this.coreSession;
    runIn(this.kernel, session, () => this.kernel.delay_set('metrics', this.metricsInterval));
  }

  /** The core session's `metrics` event: one collection, then the next alarm once it is done. */
  private metricsTick(): void {
    const generation = this.metricsGeneration;
    const rearm = (): void => {
      // Stopped (or restarted by a reload) while collecting: that start armed its own alarm.
      if (generation !== this.metricsGeneration) return;
      if (this.coreSession !== undefined && this.metricsInterval > 0) runIn(this.kernel, this.coreSession, () => this.kernel.delay_set('metrics', this.metricsInterval));
    };
    if (this.registry.submitters.length > 0) void this.pushMetrics().finally(rearm);
    else rearm();
  }

  private stopMetrics(): void {
    this.metricsGeneration++;
    if (this.coreSession !== undefined) runIn(this.kernel, this.coreSession, () => this.kernel.alarm_remove_all());
  }
}
