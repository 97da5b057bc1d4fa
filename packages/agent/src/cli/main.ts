// poets-agent: NSClient++'s command line. `service` runs the agent in the foreground, `test` runs
// it with a prompt, `client` runs one query, command or submission, `settings` reads, writes,
// validates and generates the settings file, `script` adds, executes, lists and deletes scripts.
// Where a query runs, the exit code is its Nagios status.
import { existsSync } from 'node:fs';
import { CONSOLE_HELP, runConsoleLine } from '../modules/console/commands.js';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Kernel, lineLogger, LOG_LEVELS, type LogLevel, type Logger } from '@poets/kernel';
import { Agent } from '../agent.js';
import { scriptHostModule, type ScriptHost } from '../script-host.js';
import { SettingsStore } from '../settings.js';
import { status, statusName } from '../status.js';
import { lastValue, parseArgs } from './words.js';

export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Where `service` waits for its stop signal; default the process's SIGINT and SIGTERM. */
  onStop?: (stop: () => void) => void;
}

const USAGE = `Usage: poets-agent [--settings FILE] [--log-level LEVEL] VERB ...
  service [--run]                       run the agent in the foreground
  test                                  run the agent with a prompt: type a query, 'exit' to end
  client --query NAME [-a key=value]... run one query (exit code: its Nagios status)
  client --exec NAME [-a ARG]...        run one command-line command
  client --submit --channel C --command NAME --result N --message TEXT [--perf P]
  settings --path P --key K (--set V | --show) | --list [--path P] | --validate | --generate [--add-defaults]
  script add --script FILE [--alias A] [--no-config]
  script execute --script FILE [ARGS...]
  script list
  script delete (--script FILE | --alias A)
`;

const SCRIPT_MODULE = 'TypeScript';
const SCRIPT_FOLDER = 'typescript';

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const out = (line: string) => void io.stdout.write(`${line}\n`);
  const err = (line: string) => void io.stderr.write(`${line}\n`);
  let settingsFile: string | undefined;
  let level: LogLevel | undefined;
  const args = [...argv];
  while (args[0]?.startsWith('--')) {
    const option = args.shift()!;
    if (option === '--help') {
      out(USAGE);
      return 0;
    }
    const value = args.shift();
    if (value === undefined) return usage(err, `${option} needs a value`);
    if (option === '--settings') settingsFile = value;
    else if (option === '--log-level' && value in LOG_LEVELS) level = value as LogLevel;
    else return usage(err, `unknown option ${option}${option === '--log-level' ? ` ${value}` : ''}`);
  }
  const verb = args.shift();
  // Test mode shows the agent's debug lines, as NSClient++'s `nscp test` does; the rest log from info.
  const logger = lineLogger((line) => void io.stderr.write(`${line}\n`), level ?? (verb === 'test' ? 'debug' : 'info'));
  let settings: SettingsStore;
  try {
    settings = SettingsStore.load(settingsFileFor(verb, settingsFile, logger));
  } catch (error) {
    err(`poets-agent: ${error instanceof Error ? error.message : String(error)}`);
    return verb === 'client' || verb === 'test' ? status.UNKNOWN : 1;
  }
  try {
    switch (verb) {
      case 'service':
        return await service(settings, logger, io);
      case 'test':
        return await testMode(settings, logger, io, out);
      case 'client':
        return await client(args, settings, logger, out, err);
      case 'settings':
        return await settingsVerb(args, settings, logger, out, err);
      case 'script':
        return await scriptVerb(args, settings, logger, out, err);
      case undefined:
      case 'help':
        out(USAGE);
        return verb === undefined ? 1 : 0;
      default:
        return usage(err, `unknown verb: ${verb}`);
    }
  } catch (error) {
    err(`poets-agent: ${error instanceof Error ? error.message : String(error)}`);
    return verb === 'client' ? status.UNKNOWN : 1;
  }
}

function usage(err: (line: string) => void, reason: string): number {
  err(`poets-agent: ${reason}`);
  err(USAGE);
  return 1;
}

/**
 * The settings file a verb reads: the one given, else ./nsclient.ini; with neither, `service` and
 * `test` run on the built-in configuration (config/default.ini: loopback NRPE and NSCA, system
 * checks every 10 s on the log channel), so a first run needs no file. Verbs that write settings
 * never write the built-in file.
 */
function settingsFileFor(verb: string | undefined, given: string | undefined, logger: Logger): string {
  if (given !== undefined) return given;
  if (existsSync('nsclient.ini') || (verb !== 'service' && verb !== 'test')) return 'nsclient.ini';
  const builtIn = fileURLToPath(new URL('../../config/default.ini', import.meta.url));
  logger.log('info', `no nsclient.ini here: running on the built-in configuration ${builtIn}`);
  return builtIn;
}

function newAgent(settings: SettingsStore, logger: Logger, loadConfiguredScripts = true): Agent {
  const agent = new Agent({ kernel: new Kernel({ logger }), logger, settings });
  if (!loadConfiguredScripts) agent.addModule(scriptHostModule(SCRIPT_MODULE, SCRIPT_FOLDER, { loadConfigured: false }));
  return agent;
}

async function service(settings: SettingsStore, logger: Logger, io: CliIO): Promise<number> {
  const agent = newAgent(settings, logger);
  await agent.start();
  logger.log('notice', `poets-agent: service started with ${agent.loadedPlugins().length} module(s)`, { component: 'service' });
  // The kernel's sessions hold no Node handle while they wait: keep the process up until stopped.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    if (io.onStop !== undefined) return io.onStop(resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await agent.stop();
  logger.log('notice', 'poets-agent: service stopped', { component: 'service' });
  return 0;
}

function printQuery(out: (line: string) => void, [code, message, perf]: [number, string, string]): void {
  out(`${statusName(code)}: ${message}`);
  if (perf !== '') out(`Performance data: ${perf}`);
}

async function testMode(settings: SettingsStore, logger: Logger, io: CliIO, out: (line: string) => void): Promise<number> {
  const agent = newAgent(settings, logger);
  await agent.start();
  out(CONSOLE_HELP);
  const prompt = createInterface({ input: io.stdin, output: io.stdout, terminal: false });
  try {
    for await (const line of prompt) if ((await runConsoleLine(agent, line, out)) === 'exit') break;
  } finally {
    prompt.close();
    await agent.stop();
  }
  return 0;
}

async function client(args: string[], settings: SettingsStore, logger: Logger, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const parsed = parseArgs(args, ['query', 'exec', 'argument', 'module', 'channel', 'command', 'result', 'message', 'perf', 'target'], { a: 'argument', q: 'query', c: 'command' });
  const agent = newAgent(settings, logger);
  await agent.start();
  try {
    for (const module of parsed.values.get('module') ?? []) if (agent.findPlugin(module) === undefined) await agent.load_module(module);
    const argList = [...(parsed.values.get('argument') ?? []), ...parsed.rest];
    const query = lastValue(parsed, 'query');
    const exec = lastValue(parsed, 'exec');
    if (query !== undefined) {
      const result = await agent.simple_query(query, argList);
      printQuery(out, result);
      return result[0];
    }
    if (exec !== undefined) {
      const [code, lines] = await agent.simple_exec(lastValue(parsed, 'target') ?? '', exec, argList);
      for (const line of lines) out(line);
      return code;
    }
    if (parsed.flags.has('submit')) {
      const channel = lastValue(parsed, 'channel');
      const command = lastValue(parsed, 'command');
      if (channel === undefined || command === undefined) return usage(err, 'client --submit needs --channel and --command');
      const code = Number(lastValue(parsed, 'result') ?? '0');
      const [ok, message] = await agent.simple_submit(channel, command, code, lastValue(parsed, 'message') ?? '', lastValue(parsed, 'perf') ?? '');
      out(ok ? `Submitted ${command} to ${channel}` : `Failed to submit ${command} to ${channel}: ${message}`);
      return ok ? 0 : 1;
    }
    return usage(err, 'client needs --query, --exec or --submit');
  } finally {
    await agent.stop();
  }
}

async function settingsVerb(args: string[], settings: SettingsStore, logger: Logger, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const parsed = parseArgs(args, ['path', 'key', 'set']);
  const path = lastValue(parsed, 'path');
  const key = lastValue(parsed, 'key');
  if (parsed.flags.has('validate')) {
    // Loading already parsed the file and its includes; reaching here means it is valid.
    out(`${settings.file}: OK`);
    return 0;
  }
  if (parsed.flags.has('list')) {
    const sections = path === undefined ? settings.sections() : [path, ...settings.sections().filter((s) => s.startsWith(`${path}/`))];
    for (const section of sections) for (const k of settings.get_section(section)) out(`${section}.${k}=${settings.get_string(section, k)}`);
    return 0;
  }
  if (parsed.flags.has('generate')) {
    // Load the modules so that they (and their scripts) register their keys, then write the documented file.
    const agent = newAgent(settings, logger);
    await agent.start();
    await agent.stop();
    settings.generate({ addDefaults: parsed.flags.has('add-defaults') || !parsed.flags.has('no-defaults') });
    settings.save();
    out(`Generated ${settings.file}`);
    return 0;
  }
  if (path !== undefined && key !== undefined) {
    const value = lastValue(parsed, 'set');
    if (value !== undefined) {
      settings.set_string(path, key, value);
      settings.save();
      return 0;
    }
    const current = settings.get(path, key);
    if (current === undefined) {
      err(`${path}.${key} is not set`);
      return 1;
    }
    out(current);
    return 0;
  }
  return usage(err, 'settings needs --path and --key with --set or --show, or --list, --validate or --generate');
}

function scriptsPath(): string {
  return `/settings/${SCRIPT_FOLDER}/scripts`;
}

async function withHost<T>(settings: SettingsStore, logger: Logger, run: (host: ScriptHost, agent: Agent) => Promise<T>): Promise<T> {
  const agent = newAgent(settings, logger, false);
  const plugin = await agent.load_module(SCRIPT_MODULE);
  try {
    return await run(plugin.instance as ScriptHost, agent);
  } finally {
    await agent.stop();
  }
}

async function scriptVerb(args: string[], settings: SettingsStore, logger: Logger, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const sub = args.shift();
  if (sub === 'execute' || sub === 'exec') {
    const parsed = parseArgs(args, ['script', 'file'], {}, []);
    const script = lastValue(parsed, 'script') ?? lastValue(parsed, 'file');
    if (script === undefined) return usage(err, 'script execute needs --script FILE');
    return withHost(settings, logger, (host) => host.execute(script, parsed.rest));
  }
  if (sub === 'add') {
    const parsed = parseArgs(args, ['script', 'alias']);
    const script = lastValue(parsed, 'script');
    if (script === undefined) return usage(err, 'script add needs --script FILE');
    const alias = lastValue(parsed, 'alias') ?? basename(script, extname(script));
    // Load it once, so a missing file or a syntax error is refused before anything is written.
    const loaded = await withHost(settings, logger, async (host) => {
      if (host.findScript(script) === undefined) {
        err(`Script not found: ${script}`);
        return false;
      }
      await host.addScript(alias, script);
      return true;
    });
    if (!loaded) return 1;
    if (!parsed.flags.has('no-config')) {
      settings.set_string('/modules', SCRIPT_MODULE, 'enabled');
      settings.set_string(scriptsPath(), alias, script);
      settings.save();
    }
    out(`Added ${alias} as ${script}`);
    return 0;
  }
  if (sub === 'list') {
    for (const alias of settings.get_section(scriptsPath())) out(`${alias} = ${settings.get_string(scriptsPath(), alias)}`);
    return 0;
  }
  if (sub === 'delete') {
    const parsed = parseArgs(args, ['script', 'alias']);
    const byAlias = lastValue(parsed, 'alias');
    const byScript = lastValue(parsed, 'script');
    const alias = byAlias ?? settings.get_section(scriptsPath()).find((a) => settings.get_string(scriptsPath(), a) === byScript);
    if (alias === undefined || !settings.remove(scriptsPath(), alias)) {
      err(`No such script: ${byAlias ?? byScript ?? '(none given)'}`);
      return 1;
    }
    settings.save();
    out(`Deleted ${alias}`);
    return 0;
  }
  return usage(err, `unknown script command: ${sub ?? '(none)'}`);
}
