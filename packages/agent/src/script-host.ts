// The script host: NSClient++'s PythonScript for TypeScript and JavaScript. A module that loads
// every script of `[/settings/<alias>/scripts]` (`script_alias = file`), each as its own module
// instance in its own kernel session, and calls its init, shutdown and __main__.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Session } from '@poets/kernel';
import type { Agent } from './agent.js';
import { bindApi } from './api.js';
import * as agentPackage from './index.js';
import { ScriptError } from './errors.js';
import { HandlerFailure, handlerSession, releaseSession, runIn, type ModuleDefinition, type ModuleInstance, type Plugin } from './plugin.js';
import type { MaybePromise } from './requests.js';
import type { Registrant } from './registry.js';
import { loadScript, SCRIPT_EXTENSIONS, type ScriptExports } from './script-loader.js';

/** One loaded script. */
export interface LoadedScript {
  /** Its key in `[/settings/<alias>/scripts]`. */
  readonly alias: string;
  readonly file: string;
  readonly session: Session;
  readonly registrant: Registrant;
  readonly exports: ScriptExports;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A running script host (the instance behind a plugin of the TypeScript module). */
export class ScriptHost implements ModuleInstance {
  private readonly loaded = new Map<string, LoadedScript>();

  constructor(
    readonly plugin: Plugin,
    readonly agent: Agent,
    /** The alias whose folder below `${scripts}` scripts are looked for in (`typescript`, `python`). */
    private readonly folder: string,
  ) {}

  /** Where the script names come from: `/settings/<alias>/scripts`. */
  get scriptsPath(): string {
    return `/settings/${this.plugin.alias}/scripts`;
  }

  /** The loaded scripts, in load order. */
  scripts(): LoadedScript[] {
    return [...this.loaded.values()];
  }

  /**
   * Finds a script the way NSClient++ does: as given (absolute, or relative to the settings file's
   * folder), then below `${scripts}/<folder>` and `${scripts}`; a name without an extension also
   * tries each script extension.
   */
  findScript(name: string): string | undefined {
    const expanded = this.agent.expand_path(name);
    const roots = isAbsolute(expanded)
      ? ['']
      : [this.agent.expand_path('${base-path}'), this.agent.expand_path(`\${scripts}/${this.folder}`), this.agent.expand_path('${scripts}'), process.cwd()];
    for (const root of roots) {
      const base = root === '' ? expanded : resolve(root, expanded);
      for (const candidate of [base, ...SCRIPT_EXTENSIONS.map((ext) => base + ext)]) if (existsSync(candidate)) return candidate;
    }
    return undefined;
  }

  /** Loads `file` as `alias` and runs its init. Throws ScriptError when the file is missing or does not compile. */
  async addScript(alias: string, file: string): Promise<LoadedScript> {
    if (this.loaded.has(alias)) throw new ScriptError(file, `Script alias already in use: ${alias}`);
    const found = this.findScript(file);
    if (found === undefined) throw new ScriptError(file, `Script not found: ${file}`);
    const name = `${this.plugin.alias}/${alias}`;
    const logger = this.plugin.logger;
    this.plugin.logger.log('debug', `Loading script: ${alias} (${found})`);
    const session = handlerSession(this.agent.kernel, name);
    this.agent.kernel.refcount_increment(session.ID(), 'agent script');
    const kernel = this.agent.kernel;
    const registrant: Registrant = {
      plugin: this.plugin,
      name,
      call: (fn, a, b) => runIn(kernel, session, fn, a, b),
    };
    const scriptLogger = { log: (level: Parameters<typeof logger.log>[0], message: string, context?: Parameters<typeof logger.log>[2]) => logger.log(level, message, { ...context, component: context?.component ?? name }) };
    let exports: ScriptExports;
    try {
      // The whole package, with the script API bound to this script in place of the process-wide one.
      exports = loadScript(found, { ...agentPackage, ...bindApi({ agent: this.agent, registrant, logger: scriptLogger }) });
    } catch (error) {
      this.agent.registry.remove((owner) => owner === registrant);
      releaseSession(kernel, session, name, 'agent script');
      throw error;
    }
    const script: LoadedScript = { alias, file: found, session, registrant, exports };
    this.loaded.set(alias, script);
    await this.callScript(script, 'init', () => exports.init?.(this.plugin.id, this.plugin.alias, alias));
    return script;
  }

  /** Runs the script's shutdown, removes what it registered and releases its session. */
  async removeScript(alias: string): Promise<boolean> {
    const script = this.loaded.get(alias);
    if (script === undefined) return false;
    this.loaded.delete(alias);
    await this.callScript(script, 'shutdown', () => script.exports.shutdown?.());
    this.agent.registry.remove((owner) => owner === script.registrant);
    releaseSession(this.agent.kernel, script.session, script.registrant.name, 'agent script');
    return true;
  }

  /**
   * `script execute`: loads `file` as a throw-away instance (no init, as NSClient++), runs
   * `__main__(args)` and unloads it. Resolves to the exit code: what __main__ returned when it is a
   * number, else 0; 1 when the script has no __main__ or it threw.
   */
  async execute(file: string, args: readonly string[]): Promise<number> {
    const alias = `__main__${this.loaded.size}`;
    const found = this.findScript(file);
    if (found === undefined) throw new ScriptError(file, `Script not found: ${file}`);
    const script = await this.addScriptWithoutInit(alias, found);
    try {
      if (typeof script.exports.__main__ !== 'function') {
        this.plugin.logger.log('error', `${found}: Failed to execute __main__: the script defines none`);
        return 1;
      }
      const out = await this.callScript(script, '__main__', () => script.exports.__main__!([...args]));
      if (out instanceof HandlerFailure) return 1;
      return typeof out === 'number' ? out : 0;
    } finally {
      this.loaded.delete(alias);
      this.agent.registry.remove((owner) => owner === script.registrant);
      releaseSession(this.agent.kernel, script.session, script.registrant.name, 'agent script');
    }
  }

  /** ModuleInstance: shuts every script down, the last loaded first. */
  async unload(): Promise<void> {
    for (const alias of [...this.loaded.keys()].reverse()) await this.removeScript(alias);
  }

  private async addScriptWithoutInit(alias: string, file: string): Promise<LoadedScript> {
    const init = this.skipInit;
    this.skipInit = true;
    try {
      return await this.addScript(alias, file);
    } finally {
      this.skipInit = init;
    }
  }

  private skipInit = false;

  /** Calls one lifecycle function in the script's session; a throw (or rejection) is logged with the script and the call. */
  private async callScript(script: LoadedScript, call: string, fn: () => MaybePromise<unknown>): Promise<unknown> {
    if (call === 'init' && this.skipInit) return undefined;
    const out = runIn(this.agent.kernel, script.session, fn);
    const failed = (error: unknown): HandlerFailure => {
      this.plugin.logger.log('error', `${script.registrant.name}: ${call} threw: ${reason(error)}`, { error, component: script.registrant.name });
      return error instanceof HandlerFailure ? error : new HandlerFailure(error);
    };
    if (out instanceof HandlerFailure) return failed(out.error);
    if (!isPromise(out)) return out;
    // init and shutdown that never settle must not hold up the agent's start or stop: they get the
    // query timeout. __main__ (an administrator's install step) may take as long as it takes.
    if (call === '__main__') return out.catch(failed);
    const seconds = this.agent.queryTimeout;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HandlerFailure>((resolve) => {
      timer = setTimeout(() => {
        const error = new Error(`${call} did not finish within ${seconds}s; going on without waiting`);
        this.plugin.logger.log('error', `${script.registrant.name}: ${error.message}`, { error, component: script.registrant.name });
        resolve(new HandlerFailure(error));
      }, seconds * 1000);
    });
    try {
      return await Promise.race([out.catch(failed), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The script host as a module named `name`, whose instances look for scripts below `${scripts}/<folder>`.
 * With `loadConfigured: false` it starts without the configured scripts (the CLI's script verbs).
 */
export function scriptHostModule(name: string, folder: string, options: { loadConfigured?: boolean } = {}): ModuleDefinition {
  return {
    name,
    description: `Loads TypeScript and JavaScript scripts (NSClient++'s PythonScript API) from [/settings/<alias>/scripts]`,
    defaultAlias: folder,
    async load(plugin) {
      const host = new ScriptHost(plugin, plugin.agent, folder);
      const settings = plugin.agent.settings;
      settings.register_path(host.scriptsPath, 'Scripts', 'Scripts this module loads, as script_alias = file');
      if (options.loadConfigured === false) return host;
      for (const alias of settings.get_section(host.scriptsPath)) {
        const file = settings.get_string(host.scriptsPath, alias, '');
        try {
          await host.addScript(alias, file);
        } catch (error) {
          plugin.logger.log('error', `${plugin.alias}/${alias}: ${reason(error)}`, { error });
        }
      }
      return host;
    },
  };
}

/** The script host of `agent` loaded under `alias` (default: the first loaded), if any. */
export function scriptHostOf(agent: Agent, alias?: string): ScriptHost | undefined {
  const plugins = alias === undefined ? agent.loadedPlugins() : [agent.findPlugin(alias)];
  for (const p of plugins) if (p?.instance instanceof ScriptHost) return p.instance;
  return undefined;
}
