import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, ScriptError, scriptHostOf, status, transpileScript } from '@poets/agent';
import { makeAgent, withFiles } from './helpers.js';

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

const GOOD = `import { Registry, status } from '@poets/agent';
let calls = 0;
export function init(plugin_id: number, plugin_alias: string, script_alias: string) {
  Registry.get(plugin_id).simple_function('check_' + script_alias, () => [status.OK, \`\${plugin_alias}/\${script_alias} \${++calls}\`]);
}
`;

async function hostWith(files: Record<string, string>, scripts: Record<string, string>) {
  const ini = `[/modules]\nTypeScript = enabled\n[/settings/typescript/scripts]\n${Object.entries(scripts)
    .map(([a, f]) => `${a} = ${f}`)
    .join('\n')}\n`;
  const dir = withFiles({ ...files, 'nsclient.ini': ini });
  const made = makeAgent({ settings: join(dir, 'nsclient.ini') });
  agents.push(made.agent);
  await made.agent.start();
  return { ...made, dir };
}

describe('script host', () => {
  it('loads .ts, .js, .mjs and .cjs scripts, each keeping its own state between calls', async () => {
    const js = GOOD.replace(/: number|: string/g, '');
    const cjs = "const { Registry, status } = require('@poets/agent');\nexports.init = (id, p, s) => Registry.get(id).simple_function('check_' + s, () => [status.OK, 'cjs']);\n";
    const { agent } = await hostWith({ 'a.ts': GOOD, 'b.js': js, 'c.mjs': js, 'd.cjs': cjs }, { a: 'a.ts', b: 'b.js', c: 'c.mjs', d: 'd.cjs', a2: 'a' });
    expect(await agent.simple_query('check_a', [])).toEqual([status.OK, 'typescript/a 1', '']);
    expect(await agent.simple_query('check_a', [])).toEqual([status.OK, 'typescript/a 2', '']);
    expect(await agent.simple_query('check_a2', [])).toEqual([status.OK, 'typescript/a2 1', '']);
    expect(await agent.simple_query('check_b', [])).toEqual([status.OK, 'typescript/b 1', '']);
    expect(await agent.simple_query('check_c', [])).toEqual([status.OK, 'typescript/c 1', '']);
    expect(await agent.simple_query('check_d', [])).toEqual([status.OK, 'cjs', '']);
  });

  it('each script is its own kernel session, and its handlers run in it', async () => {
    const probe = "import { Registry } from '@poets/agent';\nexport function init(id: number) { Registry.get(id).simple_function('check_probe', () => [0, 'x']); }\n";
    const { agent } = await hostWith({ 'p.ts': probe }, { p: 'p.ts' });
    const script = scriptHostOf(agent)!.scripts()[0]!;
    expect(agent.kernel.alias_resolve('typescript/p')).toBe(script.session);
    expect(script.session).not.toBe(agent.findPlugin('typescript')!.session);
  });

  it('relative imports of TypeScript helpers load with the script', async () => {
    const main = "import { Registry } from '@poets/agent';\nimport { answer } from './helper.js';\nexport function init(id: number) { Registry.get(id).simple_function('check_helper', () => [0, answer()]); }\n";
    const { agent } = await hostWith({ 'main.ts': main, 'helper.ts': 'export const answer = (): string => "from helper";\n' }, { m: 'main.ts' });
    expect(await agent.simple_query('check_helper', [])).toEqual([0, 'from helper', '']);
  });

  it('a missing script file is logged and the other scripts load', async () => {
    const { agent, logger } = await hostWith({ 'a.ts': GOOD }, { gone: 'no-such-file.ts', a: 'a.ts' });
    expect(logger.text()).toMatch(/error typescript: typescript\/gone: Script not found: no-such-file.ts/);
    expect((await agent.simple_query('check_a', []))[0]).toBe(status.OK);
  });

  it('a script with a syntax error is logged with file, line and column, and the others load', async () => {
    const { agent, logger } = await hostWith({ 'bad.ts': 'export function init( {\n  let = ;\n}\n', 'a.ts': GOOD }, { bad: 'bad.ts', a: 'a.ts' });
    expect(logger.text()).toMatch(/typescript\/bad: Syntax error in .*bad\.ts:\d+:\d+: /);
    expect((await agent.simple_query('check_a', []))[0]).toBe(status.OK);
    expect(() => transpileScript('x.ts', 'const = 1')).toThrow(ScriptError);
  });

  it('a script that throws at load, in init, in a handler or in shutdown is logged with its alias and the call; the agent and the others go on', async () => {
    const throwsAtLoad = "throw new Error('top level');\n";
    const throwsInInit = "import { Registry } from '@poets/agent';\nexport function init(id: number) { Registry.get(id).simple_function('check_half', () => [0, 'half']); throw new Error('init failed'); }\n";
    const throwsInHandler = "import { Registry } from '@poets/agent';\nexport function init(id: number) { Registry.get(id).simple_function('check_throw', () => { throw new Error('handler failed'); }); }\nexport function shutdown() { throw new Error('shutdown failed'); }\n";
    const rejectsInInit = "export async function init() { await Promise.resolve(); throw new Error('async init failed'); }\n";
    const { agent, logger } = await hostWith(
      { 'load.ts': throwsAtLoad, 'init.ts': throwsInInit, 'handler.ts': throwsInHandler, 'async.ts': rejectsInInit, 'a.ts': GOOD },
      { load: 'load.ts', init: 'init.ts', handler: 'handler.ts', async: 'async.ts', a: 'a.ts' },
    );
    const text = logger.text();
    expect(text).toMatch(/typescript\/load: Failed to load .*load\.ts: top level/);
    expect(text).toMatch(/error typescript\/init: typescript\/init: init threw: init failed/);
    expect(text).toMatch(/typescript\/async: async init threw: async init failed|typescript\/async: init threw: async init failed/);
    // What init registered before it threw stays, as in NSClient++.
    expect(await agent.simple_query('check_half', [])).toEqual([0, 'half', '']);
    const [code, message] = await agent.simple_query('check_throw', []);
    expect([code, message]).toEqual([status.UNKNOWN, 'check_throw failed: handler failed']);
    expect(logger.text()).toMatch(/typescript\/handler: check_throw threw: handler failed/);
    expect(await agent.simple_query('check_a', [])).toEqual([status.OK, 'typescript/a 1', '']);
    await agent.unload_module('typescript');
    expect(logger.text()).toMatch(/typescript\/handler: shutdown threw: shutdown failed/);
    expect(agent.listQueries()).toEqual([]);
  });

  it('an init or shutdown that never settles gets the query timeout: the agent starts and stops, the other scripts load', async () => {
    const hang = "import { Registry } from '@poets/agent';\nexport function init(id: number) { Registry.get(id).simple_function('check_hang_init', () => [0, 'registered']); return new Promise(() => {}); }\nexport function shutdown() { return new Promise(() => {}); }\n";
    const ini = `[/modules]\nTypeScript = enabled\n[/settings/typescript/scripts]\nhang = hang.ts\na = a.ts\n`;
    const dir = withFiles({ 'hang.ts': hang, 'a.ts': GOOD, 'nsclient.ini': ini });
    const made = makeAgent({ settings: join(dir, 'nsclient.ini'), queryTimeout: 0.05 });
    await made.agent.start();
    expect(made.logger.text()).toMatch(/typescript\/hang: init did not finish within 0.05s; going on without waiting/);
    expect(await made.agent.simple_query('check_a', [])).toEqual([status.OK, 'typescript/a 1', '']);
    expect(await made.agent.simple_query('check_hang_init', [])).toEqual([0, 'registered', '']);
    await made.agent.stop();
    expect(made.logger.text()).toMatch(/typescript\/hang: shutdown did not finish within/);
  });

  it('removing one script removes only what it registered and calls its shutdown', async () => {
    const { agent } = await hostWith({ 'a.ts': GOOD }, { a: 'a.ts', b: 'a.ts' });
    const host = scriptHostOf(agent)!;
    expect(await host.removeScript('a')).toBe(true);
    expect(await host.removeScript('a')).toBe(false);
    expect((await agent.simple_query('check_a', []))[0]).toBe(status.UNKNOWN);
    expect((await agent.simple_query('check_b', []))[0]).toBe(status.OK);
    expect(agent.kernel.alias_resolve('typescript/a')).toBeUndefined();
  });

  it('execute runs __main__ only (no init) and answers its exit code', async () => {
    const main = "import { log } from '@poets/agent';\nexport function init() { log('init ran'); }\nexport function __main__(args: string[]) { log('main ' + args.join(' ')); return args.length; }\n";
    const { agent, logger, dir } = await hostWith({ 'm.ts': main, 'none.ts': 'export const x = 1;\n' }, {});
    const host = scriptHostOf(agent)!;
    expect(await host.execute(join(dir, 'm.ts'), ['a', 'b'])).toBe(2);
    expect(logger.text()).toMatch(/main a b/);
    expect(logger.text()).not.toMatch(/init ran/);
    expect(await host.execute(join(dir, 'none.ts'), [])).toBe(1);
    expect(logger.text()).toMatch(/Failed to execute __main__/);
    await expect(host.execute(join(dir, 'missing.ts'), [])).rejects.toThrow(/Script not found/);
  });

  it('Registry.get with a plugin id that does not exist throws', async () => {
    const bad = "import { Registry } from '@poets/agent';\nexport function init() { Registry.get(99); }\n";
    const { logger } = await hostWith({ 'bad.ts': bad }, { bad: 'bad.ts' });
    expect(logger.text()).toMatch(/init threw: Failed to find plugin: 99/);
  });
});
