// The CheckExternalScripts module: every script of `[/settings/external scripts/scripts]` (and
// its wrapped scripts and aliases) becomes a query; a query runs the script in a child process
// (Wheel::Run), its exit code is the status and its output is split as Nagios splits it.
import { accessSync, constants as fsConstants, readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { ModuleError } from '../../errors.js';
import type { ModuleDefinition, ModuleInstance, Plugin } from '../../plugin.js';
import type { QueryCommand, QueryResult } from '../../requests.js';
import type { SettingsStore } from '../../settings.js';
import { status } from '../../status.js';
import { isTrue, objectKey, settingsObjects, type SettingsObject } from '../settings-objects.js';
import { nastyCharacter, resolveProgram, splitCommandLine, substituteArguments, wrapCommand } from './command-line.js';
import { parsePluginOutput } from './plugin-output.js';
import { ScriptRunner, type RunOutcome } from './script-runner.js';

/** `[/settings/external scripts]`, as read at load. */
export interface ExternalScriptsSettings {
  /** Seconds a script may run before its process group is killed (answered UNKNOWN). */
  timeout: number;
  allowArguments: boolean;
  allowNastyCharacters: boolean;
  /** Where relative script paths are found (`${scripts}` expanded). */
  scriptRoot: string;
  /** A folder whose files all become commands (named by their file name without extension); '' for none. */
  scriptPath: string;
  /** Bytes of a script's standard output kept (poets: bounds a plugin that floods). */
  maxOutput: number;
}

/** One configured command: a script (or a wrapped one). */
export interface ScriptCommand {
  name: string;
  /** The command line, `$ARGn$` macros still in it. */
  command: string;
  ignorePerfdata: boolean;
}

/** One configured alias: a query run with arguments (`$ARGn$` replaced by the caller's). */
export interface ScriptAlias {
  name: string;
  command: string;
  arguments: string[];
}

/** What a loaded instance counts; also its metrics (`<alias>.runs`, ...). */
export interface ExternalScriptsStats {
  runs: number;
  timeouts: number;
  refused: number;
  failed: number;
}

const ROOT = '/settings/external scripts';
/** Linux counterparts of NSClient++'s default wrappings (bat, ps1, vbs are Windows's). */
const DEFAULT_WRAPPINGS: Record<string, string> = {
  sh: '/bin/sh %SCRIPT% %ARGS%',
  py: 'python3 %SCRIPT% %ARGS%',
  pl: 'perl %SCRIPT% %ARGS%',
};
/** Keys of a long-form script section that only mean something on Windows: accepted, ignored, logged. */
const WINDOWS_KEYS = ['user', 'password', 'domain', 'session', 'display', 'encoding'];
const SCRIPT_KEYS = new Set(['command', 'alias', 'parent', 'is template', 'ignore perfdata', 'capture output', ...WINDOWS_KEYS]);

function positiveNumber(settings: SettingsStore, path: string, key: string, fallback: number): number {
  const raw = settings.get(path, key);
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim().replace(/s$/i, ''));
  if (!Number.isFinite(value) || value <= 0) throw new ModuleError(`${path}: ${key}: ${raw} is not a positive number`);
  return value;
}

/** Reads `[/settings/external scripts]`; throws ModuleError naming the key for a bad value. */
export function readExternalScriptsSettings(settings: SettingsStore, root = ROOT): ExternalScriptsSettings {
  return {
    timeout: positiveNumber(settings, root, 'timeout', 60),
    allowArguments: settings.get_bool(root, 'allow arguments', false),
    allowNastyCharacters: settings.get_bool(root, 'allow nasty characters', false),
    scriptRoot: settings.expand_path(settings.get_string(root, 'script root', '${scripts}')),
    scriptPath: settings.expand_path(settings.get_string(root, 'script path', '')).trim(),
    maxOutput: Math.floor(positiveNumber(settings, root, 'max output', 65536)),
  };
}

/** The objects of one section; one without a command is reported and left out. */
function objectsOf(settings: SettingsStore, base: string, onWarning: (message: string) => void): SettingsObject[] {
  return settingsObjects(settings, base, 'command', SCRIPT_KEYS, onWarning).filter((o) => {
    if (o.value.trim() !== '') return true;
    onWarning(`${base}/${o.name}: no command, ignored`);
    return false;
  });
}

/** The scripts, wrapped scripts and aliases the settings define. */
export function readScriptDefinitions(
  settings: SettingsStore,
  options: ExternalScriptsSettings,
  onWarning: (message: string) => void = () => {},
  root = ROOT,
): { scripts: ScriptCommand[]; aliases: ScriptAlias[] } {
  const scripts: ScriptCommand[] = [];
  const flag = (base: string, name: string, key: string, section: boolean): boolean => section && isTrue(objectKey(settings, base, name, key));
  const scriptsBase = `${root}/scripts`;
  for (const o of objectsOf(settings, scriptsBase, onWarning)) {
    for (const key of WINDOWS_KEYS) if (o.section && settings.get(`${scriptsBase}/${o.name}`, key) !== undefined) onWarning(`${scriptsBase}/${o.name}: ${key}: only used on Windows, ignored`);
    if (o.section && objectKey(settings, scriptsBase, o.name, 'capture output')?.trim().toLowerCase() === 'false') onWarning(`${scriptsBase}/${o.name}: capture output = false is not supported; the output is captured`);
    scripts.push({ name: o.name, command: o.value, ignorePerfdata: flag(scriptsBase, o.name, 'ignore perfdata', o.section) });
  }
  const wrappings = new Map(Object.entries(DEFAULT_WRAPPINGS));
  for (const key of settings.get_section(`${root}/wrappings`)) wrappings.set(key.toLowerCase(), settings.get_string(`${root}/wrappings`, key, ''));
  const wrappedBase = `${root}/wrapped scripts`;
  for (const o of objectsOf(settings, wrappedBase, onWarning)) {
    const [script = '', ...rest] = splitCommandLine(o.value);
    const located = isAbsolute(script) ? script : resolve(options.scriptRoot, script);
    const command = wrapCommand([quote(located), ...rest.map(quote)].join(' '), wrappings);
    if (command === undefined) {
      onWarning(`${wrappedBase}: ${o.name}: no wrapping for ${extname(script) || 'a script without extension'} in ${root}/wrappings`);
      continue;
    }
    scripts.push({ name: o.name, command, ignorePerfdata: flag(wrappedBase, o.name, 'ignore perfdata', o.section) });
  }
  if (options.scriptPath !== '') {
    let files: string[] = [];
    try {
      files = readdirSync(options.scriptPath);
    } catch (error) {
      onWarning(`${root}: script path: ${options.scriptPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const file of files.sort()) {
      const full = join(options.scriptPath, file);
      if (!isExecutableFile(full)) continue;
      const name = basename(file, extname(file));
      if (!scripts.some((s) => s.name.toLowerCase() === name.toLowerCase())) scripts.push({ name, command: quote(full), ignorePerfdata: false });
    }
  }
  const aliases: ScriptAlias[] = [];
  for (const o of objectsOf(settings, `${root}/alias`, onWarning)) {
    const [command = '', ...args] = splitCommandLine(o.value);
    if (command === '') {
      onWarning(`${root}/alias: ${o.name}: no command, ignored`);
      continue;
    }
    aliases.push({ name: o.name, command, arguments: args });
  }
  return { scripts, aliases: dropAliasLoops(aliases, onWarning) };
}

function quote(word: string): string {
  return /[\s'"\\]/.test(word) ? `'${word.replace(/'/g, `'"'"'`)}'` : word;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An alias that reaches itself through other aliases would run forever: refused at load (NSClient++ warns about it in its docs). */
function dropAliasLoops(aliases: ScriptAlias[], onWarning: (message: string) => void): ScriptAlias[] {
  const byName = new Map(aliases.map((a) => [a.name.toLowerCase(), a]));
  return aliases.filter((alias) => {
    const path = [alias.name];
    let next = byName.get(alias.command.toLowerCase());
    while (next !== undefined && path.length <= byName.size) {
      path.push(next.name);
      if (next === alias) {
        onWarning(`alias ${alias.name}: refused, it loops (${path.join(' -> ')})`);
        return false;
      }
      next = byName.get(next.command.toLowerCase());
    }
    return true;
  });
}

const unknown = (command: string, message: string): QueryResult => ({ command, result: status.UNKNOWN, message, perf: '' });

/** A loaded CheckExternalScripts. */
export class CheckExternalScripts implements ModuleInstance {
  readonly stats: ExternalScriptsStats = { runs: 0, timeouts: 0, refused: 0, failed: 0 };
  private readonly runner: ScriptRunner;

  constructor(
    private readonly plugin: Plugin,
    readonly options: ExternalScriptsSettings,
    readonly scripts: readonly ScriptCommand[],
    readonly aliases: readonly ScriptAlias[],
  ) {
    this.runner = new ScriptRunner(plugin.kernel);
    for (const script of scripts) {
      plugin.agent.registerQuery(plugin, script.name, (request) => this.runScript(script, request), `External script: ${script.command}`);
    }
    for (const alias of aliases) {
      plugin.agent.registerQuery(plugin, alias.name, (request) => this.runAlias(alias, request), `Alias for: ${[alias.command, ...alias.arguments].join(' ')}`);
    }
    plugin.registry.fetch_metrics(() => ({
      [`${plugin.alias}.runs`]: this.stats.runs,
      [`${plugin.alias}.timeouts`]: this.stats.timeouts,
      [`${plugin.alias}.refused`]: this.stats.refused,
      [`${plugin.alias}.failed`]: this.stats.failed,
      [`${plugin.alias}.running`]: this.runner.running,
    }));
  }

  /** Scripts running now. */
  get running(): number {
    return this.runner.running;
  }

  private refuse(request: QueryCommand, message: string, logged = message): QueryResult {
    this.stats.refused++;
    this.plugin.logger.log('error', `${request.command}: ${logged}`);
    return unknown(request.command, message);
  }

  /** The caller's arguments, or the reason they are refused. */
  private checkArguments(request: QueryCommand): QueryResult | undefined {
    if (this.options.allowNastyCharacters) return undefined;
    for (const arg of request.arguments) {
      const ch = nastyCharacter(arg);
      if (ch !== undefined) return this.refuse(request, `Request contained illegal characters (${ch}); set ${ROOT}/allow nasty characters=true to allow them`);
    }
    return undefined;
  }

  async runScript(script: ScriptCommand, request: QueryCommand): Promise<QueryResult> {
    if (!this.options.allowArguments && request.arguments.length > 0) {
      return this.refuse(request, `Arguments are not allowed; set ${ROOT}/allow arguments=true to allow them`);
    }
    const refused = this.checkArguments(request);
    if (refused !== undefined) return refused;
    const words = substituteArguments(splitCommandLine(script.command), this.options.allowArguments ? request.arguments : []);
    if (words.length === 0 || words[0] === '') return this.refuse(request, `The command (${script.name}) has an empty command line`);
    const program = resolveProgram(words[0]!, this.options.scriptRoot, isExecutableFile);
    if (program.includes('/') && !isExecutableFile(program)) {
      this.stats.failed++;
      this.plugin.logger.log('error', `${script.name}: script not found or not executable: ${program}`);
      return unknown(request.command, `Script not found or not executable: ${program}`);
    }
    this.plugin.logger.log('debug', `${script.name}: command line: ${[program, ...words.slice(1)].join(' ')}`);
    this.stats.runs++;
    const outcome = await this.runner.run({ argv: [program, ...words.slice(1)], timeout: this.options.timeout, maxOutput: this.options.maxOutput });
    return this.answer(script, request.command, outcome);
  }

  private answer(script: ScriptCommand, command: string, outcome: RunOutcome): QueryResult {
    const log = this.plugin.logger;
    switch (outcome.kind) {
      case 'failed':
        this.stats.failed++;
        log.log('error', `${script.name}: ${outcome.reason}`);
        return unknown(command, `The command (${script.name}) could not be run: ${outcome.reason}`);
      case 'timeout': {
        this.stats.timeouts++;
        const message = `Command ${script.name} timed out after ${this.options.timeout} seconds (process group ${outcome.pid} killed)`;
        log.log('error', message);
        return unknown(command, message);
      }
      case 'signalled':
        this.stats.failed++;
        log.log('error', `${script.name}: killed by signal ${outcome.signal}`);
        return unknown(command, `The command (${script.name}) was killed by signal ${outcome.signal}`);
      case 'exited': {
        if (outcome.code > 3) {
          this.stats.failed++;
          const why = firstLine(outcome.stderr) || firstLine(outcome.stdout);
          log.log('error', `${script.name}: invalid return code ${outcome.code}${why ? `: ${why}` : ''}`);
          return unknown(command, `The command (${script.name}) returned an invalid return code: ${outcome.code}${why ? ` (${why})` : ''}`);
        }
        let { message, perf } = parsePluginOutput(outcome.stdout, script.ignorePerfdata);
        if (message.trim() === '' && perf === '') {
          const err = firstLine(outcome.stderr);
          message = `No output available from command (${script.name}).${err ? ` stderr: ${err}` : ''}`;
        }
        if (outcome.truncated) {
          log.log('warning', `${script.name}: output longer than ${this.options.maxOutput} bytes, the rest was dropped`);
          message += `\n(output truncated at ${this.options.maxOutput} bytes)`;
        }
        return { command, result: outcome.code as QueryResult['result'], message, perf };
      }
    }
  }

  async runAlias(alias: ScriptAlias, request: QueryCommand): Promise<QueryResult> {
    const refused = this.checkArguments(request);
    if (refused !== undefined) return refused;
    const args = alias.arguments.map((a) => a.replace(/\$ARG(\d+)\$/g, (_m, n: string) => request.arguments[Number(n) - 1] ?? ''));
    const result = await this.plugin.agent.runQuery({ command: alias.command, arguments: args });
    return { ...result, command: request.command };
  }

  unload(): void {
    this.runner.release();
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

/** The CheckExternalScripts module: `[/modules] CheckExternalScripts = enabled`. */
export const checkExternalScriptsModule: ModuleDefinition = {
  name: 'CheckExternalScripts',
  description: 'Runs external scripts and programs (Nagios plugins) as queries',
  load(plugin) {
    const s = plugin.settings;
    s.register_path(ROOT, 'EXTERNAL SCRIPT SECTION', 'General settings for the external scripts module (CheckExternalScripts)');
    s.register_key(ROOT, 'timeout', 'int', 'COMMAND TIMEOUT', 'Seconds a script may run; then its process group is killed and the answer is UNKNOWN', '60');
    s.register_key(ROOT, 'allow arguments', 'bool', 'ALLOW ARGUMENTS', 'Let callers give arguments to scripts ($ARG1$...)', 'false');
    s.register_key(ROOT, 'allow nasty characters', 'bool', 'ALLOW NASTY CHARACTERS', `Let arguments contain ${'|`&><\'"\\[]{}'}`, 'false');
    s.register_key(ROOT, 'script root', 'string', 'SCRIPT ROOT', 'Where relative script paths are found', '${scripts}');
    s.register_key(ROOT, 'script path', 'string', 'SCRIPT PATH', 'A folder whose executable files all become commands', '');
    s.register_key(ROOT, 'kill tree', 'bool', 'KILL TREE', 'Accepted: the whole process group is always killed', 'false');
    s.register_key(ROOT, 'max output', 'int', 'MAX OUTPUT', 'Bytes of a script\'s output kept (poets)', '65536');
    s.register_path(`${ROOT}/scripts`, 'EXTERNAL SCRIPTS', 'name = command line, or one section per script');
    s.register_path(`${ROOT}/alias`, 'COMMAND ALIASES', 'name = command arguments ($ARG1$... from the caller)');
    s.register_path(`${ROOT}/wrapped scripts`, 'WRAPPED SCRIPTS', 'name = script arguments, run through the wrapping of its extension');
    s.register_path(`${ROOT}/wrappings`, 'SCRIPT WRAPPINGS', 'extension = command line with %SCRIPT% and %ARGS%');
    const store = plugin.agent.settings;
    const options = readExternalScriptsSettings(store);
    const { scripts, aliases } = readScriptDefinitions(store, options, (m) => plugin.logger.log('warning', m));
    plugin.logger.log('debug', `${scripts.length} script(s), ${aliases.length} alias(es)`);
    return new CheckExternalScripts(plugin, options, scripts, aliases);
  },
};
