// Every code block of the seed, ported under examples/agent/, run in an agent. The modules the
// seed's examples talk to (CheckSystem's check_cpu, CheckEventLog, NSCAClient) are stood in for
// by small test modules that record what reaches them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, scriptHostOf, status, type ModuleDefinition, type Submission } from '@poets/agent';
import { makeAgent, providersPart, withFiles } from './helpers.js';

const EXAMPLES = resolve(fileURLToPath(new URL('../../../examples/agent', import.meta.url)));
const example = (name: string) => join(EXAMPLES, name);

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

const nsca: Submission[] = [];
const fixtures: ModuleDefinition[] = [
  { name: 'CheckSystem', load: (p) => p.registry.simple_function('check_cpu', () => [status.OK, 'CPU Load ok', "'total 5m'=3%;80;90"], 'CPU load') },
  { name: 'CheckEventLog', load: () => {} },
  {
    name: 'NSCAClient',
    load: (p) =>
      p.agent.subscribe(p, 'NSCA', (_channel, payloads) => {
        nsca.push(...payloads);
        return true;
      }),
  },
];

/** Starts an agent whose settings file holds `ini` plus the scripts, each by its absolute path. */
async function run(scripts: Record<string, string>, ini = '[/modules]\nTypeScript = enabled\n') {
  const lines = Object.entries(scripts).map(([alias, file]) => `${alias} = ${example(file)}`);
  const dir = withFiles({ 'nsclient.ini': `${ini}\n[/settings/typescript/scripts]\n${lines.join('\n')}\n` });
  const made = makeAgent({ settings: join(dir, 'nsclient.ini'), modules: fixtures });
  agents.push(made.agent);
  await made.agent.start();
  return { ...made, dir, file: join(dir, 'nsclient.ini') };
}

describe('the seed, ported', () => {
  it('__main__ receives the command-line arguments (script execute ... install --root /tmp)', async () => {
    const { agent, logger } = await run({});
    const code = await scriptHostOf(agent)!.execute(example('main_args.ts'), ['install', '--root', '/tmp']);
    expect(code).toBe(0);
    expect(logger.lines).toContainEqual({ level: 'info', line: "typescript/__main__0: My arguments are: ['install', '--root', '/tmp']" });
  });

  it('init gets plugin_id, plugin_alias and script_alias', async () => {
    const { agent, logger } = await run({ my_script: 'init_aliases.ts' });
    const id = agent.findPlugin('typescript')!.id;
    expect(logger.lines).toContainEqual({ level: 'info', line: `typescript/my_script: *** plugin_id: ${id}, plugin_alias: typescript, script_alias: my_script` });
  });

  it('plugin_alias versus script_alias: one script loaded four times, each its own instance', async () => {
    const file = example('init_aliases.ts');
    const dir = withFiles({
      'nsclient.ini': `[/modules]\nps1 = TypeScript\nps2 = TypeScript\n\n[/settings/ps1/scripts]\nms1 = ${file}\nms2 = ${file}\n\n[/settings/ps2/scripts]\nms1 = ${file}\nms2 = ${file}\n`,
    });
    const { agent, logger } = makeAgent({ settings: join(dir, 'nsclient.ini') });
    agents.push(agent);
    await agent.start();
    const [ps1, ps2] = [agent.findPlugin('ps1')!.id, agent.findPlugin('ps2')!.id];
    expect(ps1).not.toBe(ps2);
    const triples = logger.lines.filter((l) => l.line.includes('***')).map((l) => l.line.replace(/^[^:]+: /, ''));
    expect(triples).toEqual([
      `*** plugin_id: ${ps1}, plugin_alias: ps1, script_alias: ms1`,
      `*** plugin_id: ${ps1}, plugin_alias: ps1, script_alias: ms2`,
      `*** plugin_id: ${ps2}, plugin_alias: ps2, script_alias: ms1`,
      `*** plugin_id: ${ps2}, plugin_alias: ps2, script_alias: ms2`,
    ]);
    expect(scriptHostOf(agent, 'ps1')!.scripts().map((s) => s.exports)).not.toContain(scriptHostOf(agent, 'ps2')!.scripts()[0]!.exports);
  });

  it('shutdown runs when the script host unloads', async () => {
    const { agent, logger } = await run({ bye: 'shutdown.ts' });
    await agent.unload_module('typescript');
    expect(logger.lines).toContainEqual({ level: 'info', line: 'typescript/bye: Good bye' });
  });

  it('log, log_error and log_debug log at info, error and debug', async () => {
    const { logger } = await run({ logging: 'logging.ts' });
    expect(logger.lines.filter((l) => l.line.startsWith('typescript/logging:'))).toEqual([
      { level: 'info', line: 'typescript/logging: Informational message' },
      { level: 'error', line: 'typescript/logging: Something went wrong' },
      { level: 'debug', line: 'typescript/logging: Internal state: {"calls":0}' },
    ]);
  });

  it('sleep lets another script run while it waits', async () => {
    const dir = withFiles({
      'quick.ts': "import { Registry, status } from '@poets/agent';\nexport function init(id: number) { Registry.get(id).simple_function('check_quick', () => [status.OK, 'quick']); }\n",
    });
    const lines = [`sleeper = ${example('sleep.ts')}`, `quick = ${join(dir, 'quick.ts')}`];
    const ini = join(dir, 'nsclient.ini');
    writeFileSync(ini, `[/modules]\nTypeScript = enabled\n[/settings/typescript/scripts]\n${lines.join('\n')}\n`);
    const { agent, logger } = makeAgent({ settings: ini });
    agents.push(agent);
    const starting = agent.start();
    await new Promise((r) => setTimeout(r, 20));
    // The sleeper's init is still waiting; the core answers queries meanwhile.
    expect(logger.text()).toMatch(/Waiting for 1 second/);
    expect(logger.text()).not.toMatch(/one second later/);
    expect(await agent.simple_query('check_quick', [])).toEqual([status.UNKNOWN, 'Unknown command(s): check_quick', '']);
    await starting;
    expect(logger.text()).toMatch(/It is now one second later/);
    expect(await agent.simple_query('check_quick', [])).toEqual([status.OK, 'quick', '']);
  });

  it('Registry.simple_function registers a check', async () => {
    const { agent, logger } = await run({ test: 'simple_function.ts' });
    expect(await agent.simple_query('check_py_test', ['a=1'])).toEqual([status.OK, 'This is the message', "'count'=123;200;600"]);
    expect(logger.text()).toMatch(/typescript\/test: Got arguments: \["a=1"\]/);
    expect(agent.listQueries()).toContainEqual({ name: 'check_py_test', description: 'This is a sample python function', plugin: 'typescript' });
  });

  it('Registry.simple_cmdline registers a command-line command', async () => {
    const { agent } = await run({ cmd: 'simple_cmdline.ts' });
    expect(await agent.simple_exec('', 'do_something', ['x'])).toEqual([1, ['Everything is awesome']]);
  });

  it('filter_nsca: a subscription that passes on only new messages, with a submit', async () => {
    nsca.length = 0;
    const ini = readFileSync(example('filter_nsca.ini'), 'utf8').replace(/\[\/settings\/typescript\/scripts\]\nfilter_nsca = filter_nsca.ts\n/, '');
    const { agent, logger } = await run({ filter_nsca: 'filter_nsca.ts' }, ini);
    expect(await agent.simple_submit('filter_nsca', 'login', status.OK, '4624', '')).toEqual([true, '']);
    expect(await agent.simple_submit('filter_nsca', 'login', status.OK, '4624', '')).toEqual([true, '']);
    expect(await agent.simple_submit('filter_nsca', 'login', status.OK, '4625', '')).toEqual([true, '']);
    expect(nsca.map((s) => [s.command, s.result, s.message])).toEqual([
      ['login', status.CRITICAL, '4624'],
      ['login', status.CRITICAL, '4625'],
    ]);
    expect(logger.text()).toMatch(/Sending: 4624[\s\S]*Suppressing duplicate message[\s\S]*Sending: 4625/);
  });

  it('Registry.event receives the event data', async () => {
    const { agent, logger } = await run({ ev: 'on_event.ts' });
    agent.emit_event('eventlog:login', { key: 'alice' });
    expect(logger.text()).toMatch(/typescript\/ev: Got event: eventlog:login with key=alice/);
  });

  it('fetch_metrics and submit_metrics: one snapshot, flat dotted names, values as strings', async () => {
    const { agent, logger } = await run({ fm: 'fetch_metrics.ts', sm: 'on_metrics.ts' });
    expect(providersPart(await agent.pushMetrics())).toEqual({ 'my_script.requests': '42', 'my_script.latency_ms': '17.3', 'my_script.status': 'ok' });
    expect(logger.text()).toMatch(/typescript\/sm: metric my_script.requests = 42\n.*metric my_script.latency_ms = 17.3\n.*metric my_script.status = ok/);
  });

  it('Core.simple_query runs check_cpu from init', async () => {
    const { logger } = await run({ q: 'simple_query.ts' }, '[/modules]\nCheckSystem = enabled\nTypeScript = enabled\n');
    expect(logger.lines).toContainEqual({ level: 'info', line: 'typescript/q: CPU Load ok' });
  });

  it('Core.simple_submit submits on NSCA', async () => {
    nsca.length = 0;
    await run({ s: 'simple_submit.ts' }, '[/modules]\nNSCAClient = enabled\nTypeScript = enabled\n');
    expect(nsca).toEqual([{ command: 'check_py', result: status.OK, message: 'All good', perf: '', source: '' }]);
  });

  it('Core.load_module and Core.unload_module', async () => {
    const { agent } = await run({ load: 'load_module.ts' });
    expect(agent.findPlugin('CheckEventLog')).toBeDefined();
    const host = scriptHostOf(agent)!;
    await host.addScript('unload', example('unload_module.ts'));
    expect(agent.findPlugin('CheckEventLog')).toBeUndefined();
  });

  it('Core.expand_path', async () => {
    const { logger, dir } = await run({ e: 'expand_path.ts' });
    expect(logger.lines).toContainEqual({ level: 'info', line: `typescript/e: The script path is: ${dir}/scripts/python/myscript.py` });
  });

  it('Settings.get, get_section and get_string', async () => {
    const { logger } = await run({ g: 'settings_get.ts', s: 'settings_section.ts', m: 'settings_modules.ts' }, '[/modules]\nTypeScript = enabled\nCheckSystem = enabled\n');
    const text = logger.text();
    expect(text).toMatch(/typescript\/g: PythonScript is disabled/);
    expect(text).toMatch(/typescript\/s: Module: TypeScript\n.*typescript\/s: Module: CheckSystem/);
    expect(text).toMatch(/typescript\/m: The module TypeScript is enabled\n.*typescript\/m: The module CheckSystem is enabled/);
  });

  it('Settings.set_string, set_bool and save write the file', async () => {
    const { file } = await run({ a: 'settings_set_string.ts' });
    expect(readFileSync(file, 'utf8')).toMatch(/\[\/modules\]\nTypeScript = enabled\nPythonScript = enabled\n/);
    const second = await run({ b: 'settings_set_bool.ts' });
    expect(readFileSync(second.file, 'utf8')).toMatch(/\[\/modules\]\nTypeScript = enabled\nPythonScript = true\n/);
  });

  it('Settings.get_int and set_int', async () => {
    const { logger, file } = await run({ i: 'settings_int.ts' }, '[/modules]\nTypeScript = enabled\n[/settings/NRPE/server]\n; the port\nport = 5666\n');
    expect(logger.lines).toContainEqual({ level: 'info', line: 'typescript/i: NRPE port is: 5666' });
    expect(readFileSync(file, 'utf8')).toMatch(/\[\/settings\/NRPE\/server\]\n; the port\nport = 1234\n/);
  });
});
