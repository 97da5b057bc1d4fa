// The Console module with the real nc as the operator: a query with arguments, modules,
// load/unload, settings, exec; and a client outside the allowed hosts refused with a logged reason.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SettingsStore, status, type Agent, type ModuleDefinition } from '@poets/agent';
import { describeWithPrograms, freePort } from '../../../test/support/index.js';
import { makeAgent, type RecordingLogger } from './helpers.js';

const checks: ModuleDefinition = {
  name: 'ConsoleChecks',
  load(plugin) {
    plugin.agent.registerQuery(plugin, 'check_cpu', (r) => ({ command: r.command, result: status.WARNING, message: `cpu ${r.arguments.join(' ')}`, perf: "'load'=85%" }));
    plugin.agent.registerCommand(plugin, 'hello', (r) => ({ command: r.command, result: 0, message: `hi ${r.arguments.join(' ')}` }));
  },
};

let agent: Agent;
let logger: RecordingLogger;
let port: number;

/** nc with `input` on stdin; resolves with what it printed once the console closed (bounded: -w 5). */
function nc(host: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nc', ['-w', '5', host, String(port)]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => {}); // a refused client may be closed before nc has written
    child.on('close', () => resolve(out));
    child.stdin.end(input);
  });
}

describeWithPrograms(['/usr/bin/nc'], 'Console', () => {
  beforeAll(async () => {
    port = await freePort();
    const settings = SettingsStore.fromText(`[/modules]\nConsoleChecks = enabled\nConsole = enabled\n[/settings/console]\nport = ${port}\nbind to = ::\nallowed hosts = 127.0.0.1/32\n[/custom]\nanswer = 42\n`);
    ({ agent, logger } = makeAgent({ settings, modules: [checks] }));
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
  });

  it('runs what poets-agent test runs, typed through nc', async () => {
    const out = await nc('127.0.0.1', 'check_cpu warn=load>80\nmodules\nsettings /custom\nexec hello there\nunload ConsoleChecks\ncheck_cpu\nload ConsoleChecks\nexit\n');
    expect(out).toContain('WARNING: cpu warn=load>80');
    expect(out).toContain("Performance data: 'load'=85%");
    expect(out).toContain('ConsoleChecks (loaded as ConsoleChecks)');
    expect(out).toContain('answer = 42');
    expect(out).toContain('hi there');
    expect(out).toContain('unloaded ConsoleChecks');
    expect(out).toContain('UNKNOWN: Unknown command(s): check_cpu');
    expect(out).toContain('loaded ConsoleChecks as ConsoleChecks');
  }, 15000);

  it('refuses a client outside the allowed hosts, saying why in the log', async () => {
    const out = await nc('::1', 'check_cpu\n');
    expect(out).not.toContain('WARNING');
    expect(logger.text()).toMatch(/::1/);
  }, 15000);
});
