// The raw variants: NSClient++'s protobuf messages in and out, reaching the same handlers as the
// simple calls; bytes that are not the message refused with the reason; the seed's raw examples.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Agent,
  Core,
  decodeExecuteResponseMessage,
  decodeQueryResponseMessage,
  decodeRegistryResponseMessage,
  decodeSettingsResponseMessage,
  encodeExecuteRequestMessage,
  encodeQueryRequestMessage,
  encodeQueryResponseMessage,
  encodeRegistryRequestMessage,
  encodeSettingsRequestMessage,
  encodeSubmitRequestMessage,
  ItemType,
  queryResponseFromWire,
  Registry,
  RegistryCommand,
  Result_StatusCodeType,
  Settings,
  SettingsCommand,
  status,
  type ModuleDefinition,
  type Submission,
} from '@poets/agent';
import { makeAgent, withFiles } from './helpers.js';

const EXAMPLES = resolve(fileURLToPath(new URL('../../../examples/agent', import.meta.url)));
const GARBAGE = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

const seen: Submission[] = [];
const CheckSystem: ModuleDefinition = {
  name: 'CheckSystem',
  load(p) {
    p.registry.simple_function('check_cpu', (args) => [status.WARNING, `CPU ${args.join(' ')}`, "'total 5m'=83%;80;90"], 'CPU load');
    p.agent.subscribe(p, 'NSCA', (_c, payloads) => {
      seen.push(...payloads);
      return true;
    });
  },
};

async function agentWith(ini = '', extra: ModuleDefinition[] = []) {
  const dir = withFiles({ 'nsclient.ini': ini });
  const made = makeAgent({ settings: join(dir, 'nsclient.ini'), modules: [CheckSystem, ...extra] });
  agents.push(made.agent);
  await made.agent.start();
  const plugin = await made.agent.load_module('CheckSystem');
  const api = { agent: made.agent, registrant: plugin, logger: plugin.logger };
  return { ...made, plugin, core: new Core(api), registry: new Registry(api), settings: new Settings(api), file: join(dir, 'nsclient.ini') };
}

describe('raw queries', () => {
  it('Core.query reaches a simple_function check: same status, message and perfdata as simple_query', async () => {
    const { core } = await agentWith();
    const [code, bytes] = await core.query('check_cpu', encodeQueryRequestMessage({ payload: [{ command: 'check_cpu', arguments: ['time=5m'] }] }));
    expect(code).toBe(status.WARNING);
    const response = decodeQueryResponseMessage(bytes);
    expect(response.payload[0]!.command).toBe('check_cpu');
    expect(response.payload[0]!.result).toBe(status.WARNING);
    expect(response.payload[0]!.lines[0]!.message).toBe('CPU time=5m');
    const perf = response.payload[0]!.lines[0]!.perf[0]!;
    expect(perf.value.case).toBe('floatValue');
    const f = perf.value.case === 'floatValue' ? perf.value.value : undefined;
    expect([perf.alias, f?.value, f?.unit, f?.warning?.value, f?.critical?.value]).toEqual(['total 5m', 83, '%', 80, 90]);
    expect(await core.simple_query('check_cpu', ['time=5m'])).toEqual([status.WARNING, 'CPU time=5m', "'total 5m'=83%;80;90"]);
  });

  it('several commands in one request run in order; an unknown one is UNKNOWN in the response', async () => {
    const { core } = await agentWith();
    const request = encodeQueryRequestMessage({ payload: [{ command: 'check_cpu' }, { command: 'check_none' }] });
    const [code, bytes] = await core.query('', request);
    expect(code).toBe(status.UNKNOWN);
    expect(queryResponseFromWire(bytes).payload.map((p) => [p.command, p.result, p.lines[0]!.message])).toEqual([
      ['check_cpu', status.WARNING, 'CPU '],
      ['check_none', status.UNKNOWN, 'Unknown command(s): check_none'],
    ]);
  });

  it('Registry.function (raw) is reached by simple_query and by Core.query', async () => {
    const { agent, registry, core } = await agentWith();
    const got: string[] = [];
    registry.function(
      'check_raw',
      (command, request) => {
        got.push(`${command} ${request.length > 0}`);
        return [status.CRITICAL, encodeQueryResponseMessage({ payload: [{ command, result: 2, lines: [{ message: 'raw says no', perf: [{ alias: 'x', value: { case: 'floatValue', value: { value: 1.5, unit: 's' } } }] }] }] })];
      },
      'raw check',
    );
    expect(await agent.simple_query('check_raw', ['a'])).toEqual([status.CRITICAL, 'raw says no', "'x'=1.5s"]);
    const [code, bytes] = await core.query('check_raw', encodeQueryRequestMessage({ payload: [{ command: 'check_raw' }] }));
    expect(code).toBe(status.CRITICAL);
    expect(decodeQueryResponseMessage(bytes).payload[0]!.lines[0]!.message).toBe('raw says no');
    expect(got).toEqual(['check_raw true', 'check_raw true']);
  });

  it('bytes that are not a QueryRequestMessage: UNKNOWN with the reason, logged; the next call works', async () => {
    const { core, logger } = await agentWith();
    const [code, bytes] = await core.query('check_cpu', GARBAGE);
    expect(code).toBe(status.UNKNOWN);
    expect(queryResponseFromWire(bytes).payload[0]!.lines[0]!.message).toMatch(/^Invalid request: not a valid PB.Commands.QueryRequestMessage/);
    expect(logger.text()).toMatch(/CheckSystem: Core.query\(check_cpu\) refused: not a valid/);
    expect((await core.query('check_cpu', encodeQueryRequestMessage({ payload: [{ command: 'check_cpu' }] })))[0]).toBe(status.WARNING);
  });

  it('a raw check that answers bytes that are not a QueryResponseMessage is UNKNOWN, logged', async () => {
    const { agent, registry, logger } = await agentWith();
    registry.function('check_liar', () => [0, GARBAGE]);
    const [code, message] = await agent.simple_query('check_liar', []);
    expect(code).toBe(status.UNKNOWN);
    expect(message).toMatch(/not a valid PB.Commands.QueryResponseMessage/);
    expect(logger.text()).toMatch(/check_liar threw: not a valid/);
  });
});

describe('raw command-line commands, submissions and events', () => {
  it('Core.exec and Registry.cmdline', async () => {
    const { core, registry, agent } = await agentWith();
    registry.simple_cmdline('do_simple', (args) => [0, `simple ${args.join(',')}`]);
    registry.cmdline('do_raw', () => [1, new Uint8Array()]);
    const [code, bytes] = await core.exec('', encodeExecuteRequestMessage({ payload: [{ command: 'do_simple', arguments: ['a'] }, { command: 'do_raw' }] }));
    expect(code).toBe(1);
    expect(decodeExecuteResponseMessage(bytes).payload.map((p) => [p.command, p.result, p.message])).toEqual([
      ['do_simple', 0, 'simple a'],
      ['do_raw', 1, ''],
    ]);
    expect(await agent.simple_exec('', 'do_raw', [])).toEqual([1, ['']]);
    const [bad, badBytes] = await core.exec('', GARBAGE);
    expect(bad).toBe(status.UNKNOWN);
    expect(decodeExecuteResponseMessage(badBytes).payload[0]!.message).toMatch(/Invalid request/);
  });

  it('Core.submit reaches simple subscribers; Registry.subscription gets the SubmitRequestMessage', async () => {
    const { core, registry, agent } = await agentWith();
    seen.length = 0;
    const raw: Uint8Array[] = [];
    registry.subscription('NSCA', (_channel, message) => {
      raw.push(message);
      return [true, new Uint8Array()];
    });
    const request = encodeSubmitRequestMessage({ channel: 'NSCA', payload: [{ command: 'check_x', result: 2, source: 'web1', lines: [{ message: 'down', perf: [] }] }] });
    expect(await core.submit('', request)).toEqual([true, '']);
    expect(seen).toEqual([{ command: 'check_x', result: 2, message: 'down', perf: '', source: 'web1' }]);
    expect(raw).toHaveLength(1);
    expect(await agent.simple_submit('NSCA', 'check_y', 0, 'up', '')).toEqual([true, '']);
    expect(raw).toHaveLength(2);
    expect(await core.submit('NSCA', GARBAGE)).toEqual([false, expect.stringMatching(/^Invalid request: not a valid PB.Commands.SubmitRequestMessage/)]);
  });
});

describe('Registry.query', () => {
  it('inventory lists queries, commands and modules', async () => {
    const { registry } = await agentWith();
    registry.simple_cmdline('do_it', () => [0, '']);
    const [code, bytes] = await registry.query(encodeRegistryRequestMessage({ payload: [{ inventory: { type: [ItemType.QUERY, ItemType.COMMAND, ItemType.MODULE], fetchAll: true } }] }));
    expect(code).toBe(status.OK);
    const inv = decodeRegistryResponseMessage(bytes).payload[0]!.inventory.map((i) => [i.type, i.name, i.plugin.join(',')]);
    expect(inv).toEqual([
      [ItemType.QUERY, 'check_cpu', 'CheckSystem'],
      [ItemType.COMMAND, 'do_it', 'CheckSystem'],
      [ItemType.MODULE, 'CheckSystem', 'CheckSystem'],
      [ItemType.MODULE, 'TypeScript', 'TypeScript'],
      [ItemType.MODULE, 'PythonScript', 'PythonScript'],
      [ItemType.MODULE, 'NATSClient', 'NATSClient'],
      [ItemType.MODULE, 'WEBServer', 'WEBServer'],
      [ItemType.MODULE, 'Console', 'Console'],
    ]);
  });

  it('control loads and unloads modules; bad bytes are refused', async () => {
    const { registry, agent } = await agentWith();
    const [code, bytes] = await registry.query(encodeRegistryRequestMessage({ payload: [{ control: { command: RegistryCommand.LOAD, name: 'TypeScript', alias: 'ts2' } }, { control: { command: RegistryCommand.UNLOAD, name: 'nothing' } }] }));
    expect(code).toBe(status.UNKNOWN);
    expect(decodeRegistryResponseMessage(bytes).payload.map((p) => p.result?.code)).toEqual([Result_StatusCodeType.STATUS_OK, Result_StatusCodeType.STATUS_ERROR]);
    expect(agent.findPlugin('ts2')?.module.name).toBe('TypeScript');
    const [bad, badBytes] = await registry.query(GARBAGE);
    expect(bad).toBe(status.UNKNOWN);
    expect(decodeRegistryResponseMessage(badBytes).payload[0]!.result?.message).toMatch(/Invalid request/);
  });
});

describe('Settings.query', () => {
  it('update, query, registration, inventory, status and save', async () => {
    const { settings, file } = await agentWith('; keep me\n[/settings/NRPE/server]\nport = 5666\n');
    const request = encodeSettingsRequestMessage({
      payload: [
        { update: { node: { path: '/settings/NRPE/server', key: 'port', value: '1234' } } },
        { query: { node: { path: '/settings/NRPE/server', key: 'port' } } },
        { query: { node: { path: '/settings/NRPE/server', key: 'missing' }, defaultValue: 'dflt' } },
        { query: { node: { path: '/settings' }, recursive: true } },
        { registration: { node: { path: '/settings/NRPE/server', key: 'port' }, info: { title: 'PORT', description: 'The port', defaultValue: '5666', type: 'int' } } },
        { inventory: { node: { path: '/settings/NRPE/server' }, fetchKeys: true } },
        { status: {} },
        { control: { command: SettingsCommand.SAVE } },
        { diff: {} },
      ],
    });
    const [code, bytes] = settings.query(request);
    expect(code).toBe(status.UNKNOWN); // the diff is refused
    const p = decodeSettingsResponseMessage(bytes).payload;
    expect(p.map((r) => r.result?.code)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, Result_StatusCodeType.STATUS_ERROR]);
    expect(p[1]!.query?.node?.value).toBe('1234');
    expect(p[2]!.query?.node?.value).toBe('dflt');
    expect(p[3]!.query?.nodes.map((n) => n.path)).toEqual(['/settings/NRPE/server']);
    expect(p[5]!.inventory.map((i) => [i.node?.key, i.node?.value, i.info?.title, i.info?.defaultValue])).toEqual([['port', '1234', 'PORT', '5666']]);
    expect(p[6]!.status?.hasChanged).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('; keep me\n[/settings/NRPE/server]\nport = 1234\n');
    const [bad] = settings.query(GARBAGE);
    expect(bad).toBe(status.UNKNOWN);
  });
});

describe('the seed\'s raw examples', () => {
  async function withScripts(scripts: Record<string, string>) {
    const lines = Object.entries(scripts).map(([a, f]) => `${a} = ${join(EXAMPLES, f)}`);
    return agentWith(`[/modules]\nTypeScript = enabled\n[/settings/typescript/scripts]\n${lines.join('\n')}\n`);
  }

  it('Registry.function: the callback parses the request, answers an empty response with status.OK', async () => {
    const { agent, logger } = await withScripts({ f: 'raw_function.ts' });
    expect(await agent.simple_query('check_py_test', [])).toEqual([status.OK, '', '']);
    expect(logger.text()).toMatch(/typescript\/f: Got command: check_py_test/);
  });

  it('Registry.cmdline', async () => {
    const { agent, logger } = await withScripts({ c: 'raw_cmdline.ts' });
    expect(await agent.simple_exec('', 'do_foo', [])).toEqual([0, ['']]);
    expect(logger.text()).toMatch(/typescript\/c: Got command: do_foo/);
  });

  it('Registry.subscription', async () => {
    const { agent, logger } = await withScripts({ s: 'raw_subscription.ts' });
    expect(await agent.simple_submit('raw_channel', 'check_a', 0, 'hello', '')).toEqual([true, '']);
    expect(logger.text()).toMatch(/typescript\/s: raw_channel: check_a=hello/);
  });

  it('Core.query from init (after CheckSystem is loaded)', async () => {
    const { agent, logger } = await agentWith();
    const host = (await agent.load_module('TypeScript')).instance as import('@poets/agent').ScriptHost;
    await host.addScript('q', join(EXAMPLES, 'raw_query.ts'));
    expect(logger.text()).toMatch(/typescript\/q: check_cpu: CPU time=5m/);
  });

  it('Settings.query', async () => {
    const { logger } = await withScripts({ s: 'raw_settings.ts' });
    expect(logger.text()).toMatch(/typescript\/s: TypeScript is enabled/);
  });

  it('Registry.event_pb gets the event as an EventMessage', async () => {
    const { agent, logger } = await withScripts({ e: 'on_event_pb.ts' });
    agent.emit_event('eventlog:login', { key: 'alice', id: '4624' });
    expect(logger.text()).toMatch(/typescript\/e: Got event: eventlog:login with key=alice,id=4624/);
  });
});

