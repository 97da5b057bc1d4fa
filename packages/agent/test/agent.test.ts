import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, Core, ModuleError, Registry, SettingsStore, status, type ModuleDefinition, type Plugin } from '@poets/agent';
import { makeAgent, providersPart, withFiles } from './helpers.js';

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

function started(ini: string, modules: ModuleDefinition[] = [], extra = {}) {
  const made = makeAgent({ settings: SettingsStore.fromText(ini), modules, ...extra });
  agents.push(made.agent);
  return made;
}

/** A module that registers check_echo, a channel subscriber, and records its lifecycle. */
function echoModule(events: string[]): ModuleDefinition {
  return {
    name: 'CheckEcho',
    load(plugin: Plugin) {
      events.push(`load ${plugin.alias} ${plugin.id}`);
      plugin.registry.simple_function('check_echo', (args) => [status.OK, `${plugin.alias}: ${args.join(' ')}`, "'n'=1"], 'echoes');
      plugin.registry.simple_subscription('collect', (channel, _source, command, code, message) => {
        events.push(`${plugin.alias} got ${channel} ${command} ${code} ${message}`);
        return true;
      });
      return { unload: () => void events.push(`unload ${plugin.alias}`) };
    },
  };
}

describe('modules from [/modules]', () => {
  it('loads Name = enabled under its default alias and alias = Name several times', async () => {
    const events: string[] = [];
    const { agent } = started('[/modules]\nCheckEcho = enabled\nsecond = CheckEcho\noff = disabled\n', [echoModule(events)]);
    await agent.start();
    expect(agent.loadedPlugins().map((p) => [p.alias, p.module.name, p.id])).toEqual([
      ['CheckEcho', 'CheckEcho', 0],
      ['second', 'CheckEcho', 1],
    ]);
    expect(events).toEqual(['load CheckEcho 0', 'load second 1']);
  });

  it('logs an unknown module and loads the others', async () => {
    const events: string[] = [];
    const { agent, logger } = started('[/modules]\nNoSuchModule = enabled\nCheckEcho = enabled\n', [echoModule(events)]);
    await agent.start();
    expect(agent.loadedPlugins().map((p) => p.alias)).toEqual(['CheckEcho']);
    expect(logger.text()).toMatch(/error core: Failed to find module: NoSuchModule/);
  });

  it('load_module, unload_module and reload at run time', async () => {
    const events: string[] = [];
    const { agent } = started('', [echoModule(events)]);
    await agent.start();
    await agent.load_module('CheckEcho', 'x');
    await expect(agent.load_module('CheckEcho', 'x')).rejects.toBeInstanceOf(ModuleError);
    expect((await agent.simple_query('check_echo', ['a']))[1]).toBe('x: a');
    expect(await agent.reload('x')).toBe(true);
    expect(await agent.unload_module('x')).toBe(true);
    expect(await agent.unload_module('x')).toBe(false);
    expect(events).toEqual(['load x 0', 'unload x', 'load x 1', 'unload x']);
    expect((await agent.simple_query('check_echo', []))[0]).toBe(status.UNKNOWN);
  });

  it('reload service reads the settings file again', async () => {
    const events: string[] = [];
    const { agent } = started('[/modules]\nCheckEcho = enabled\n', [echoModule(events)]);
    await agent.start();
    expect(await agent.reload('service')).toBe(true);
    expect(events).toEqual(['load CheckEcho 0', 'unload CheckEcho', 'load CheckEcho 1']);
  });

  it('reload service with a settings file that no longer parses keeps the running modules', async () => {
    const events: string[] = [];
    const dir = withFiles({ 'nsclient.ini': '[/modules]\nCheckEcho = enabled\n' });
    const file = join(dir, 'nsclient.ini');
    const made = makeAgent({ settings: file, modules: [echoModule(events)] });
    agents.push(made.agent);
    await made.agent.start();
    writeFileSync(file, '[/modules]\nCheckEcho = enabled\nbroken\n');
    expect(await made.agent.reload('service')).toBe(false);
    expect(made.logger.text()).toMatch(/reload service refused: .*nsclient.ini:3: expected/);
    expect(events).toEqual(['load CheckEcho 0']);
    expect((await made.agent.simple_query('check_echo', ['x']))[0]).toBe(status.OK);
  });

  it('a module whose load throws is refused and leaves nothing registered', async () => {
    const { agent } = started('');
    agent.addModule({
      name: 'Broken',
      load(plugin) {
        plugin.registry.simple_function('check_broken', () => [0, 'x']);
        throw new Error('no config');
      },
    });
    await expect(agent.load_module('Broken')).rejects.toThrow(/Failed to load Broken as Broken: no config/);
    expect(agent.listQueries()).toEqual([]);
    expect(agent.kernel.alias_resolve('Broken')).toBeUndefined();
  });
});

describe('the API outside a script', () => {
  it('Registry.get and Core.get resolve plugin ids in the agent started last', async () => {
    const { agent } = started('[/modules]\nCheckEcho = enabled\n', [echoModule([])]);
    await agent.start();
    const id = agent.findPlugin('CheckEcho')!.id;
    Registry.get(id).simple_function('check_outside', () => [status.CRITICAL, 'outside']);
    expect(await Core.get(id).simple_query('check_outside', [])).toEqual([status.CRITICAL, 'outside', '']);
    expect(() => Registry.get(42)).toThrow(/Failed to find plugin: 42/);
  });

  it('start() twice loads the modules once', async () => {
    const events: string[] = [];
    const { agent } = started('[/modules]\nCheckEcho = enabled\n', [echoModule(events)]);
    await agent.start();
    await agent.start();
    expect(events).toEqual(['load CheckEcho 0']);
  });
});

describe('queries', () => {
  it('an unknown query is UNKNOWN with NSClient++\'s message, and logged', async () => {
    const { agent, logger } = started('');
    await agent.start();
    expect(await agent.simple_query('check_nothing', [])).toEqual([status.UNKNOWN, 'Unknown command(s): check_nothing', '']);
    expect(logger.text()).toMatch(/Unknown command\(s\): check_nothing/);
  });

  it('names are case-insensitive and aliases prepend their arguments', async () => {
    const events: string[] = [];
    const { agent } = started('[/modules]\nCheckEcho = enabled\n', [echoModule(events)]);
    await agent.start();
    agent.registerAlias(agent.findPlugin('CheckEcho')!, 'alias_echo', 'check_echo', ['warn=1']);
    expect(await agent.simple_query('CHECK_ECHO', ['a'])).toEqual([0, 'CheckEcho: a', "'n'=1"]);
    expect(await agent.simple_query('alias_echo', ['b'])).toEqual([0, 'CheckEcho: warn=1 b', "'n'=1"]);
  });

  it('a handler that throws gives UNKNOWN and is logged with the plugin and the call; the next query runs', async () => {
    const { agent, logger } = started('');
    agent.addModule({
      name: 'Thrower',
      load(plugin) {
        plugin.registry.simple_function('check_throw', () => {
          throw new Error('boom');
        });
        plugin.registry.simple_function('check_ok', () => [0, 'fine']);
      },
    });
    await agent.start();
    await agent.load_module('Thrower');
    const [code, message] = await agent.simple_query('check_throw', []);
    expect(code).toBe(status.UNKNOWN);
    expect(message).toMatch(/boom/);
    expect(logger.text()).toMatch(/error Thrower: Thrower: check_throw threw: boom/);
    expect(await agent.simple_query('check_ok', [])).toEqual([0, 'fine', '']);
  });

  it('a handler that returns something else than a tuple is UNKNOWN, logged', async () => {
    const { agent, logger } = started('');
    agent.addModule({ name: 'Bad', load: (p) => p.registry.simple_function('check_bad', () => 'ok' as never) });
    await agent.start();
    await agent.load_module('Bad');
    expect((await agent.simple_query('check_bad', []))[0]).toBe(status.UNKNOWN);
    expect(logger.text()).toMatch(/check_bad threw: returned "ok", not \(status, message, perf\)/);
  });

  it('a handler that never returns times out as UNKNOWN and the agent goes on', async () => {
    const { agent, logger } = started('', [], { queryTimeout: 0.05 });
    agent.addModule({
      name: 'Hang',
      load(plugin) {
        plugin.registry.simple_function('check_hang', () => new Promise(() => {}));
        plugin.registry.simple_function('check_ok', () => [0, 'fine']);
      },
    });
    await agent.start();
    await agent.load_module('Hang');
    const [code, message] = await agent.simple_query('check_hang', []);
    expect(code).toBe(status.UNKNOWN);
    expect(message).toBe('check_hang timed out after 0.05s');
    expect(logger.text()).toMatch(/Hang: check_hang timed out/);
    expect(await agent.simple_query('check_ok', [])).toEqual([0, 'fine', '']);
  });

  it('unloading a module while its query runs answers that query UNKNOWN', async () => {
    const { agent } = started('');
    agent.addModule({ name: 'Slow', load: (p) => p.registry.simple_function('check_slow', () => new Promise(() => {})) });
    await agent.start();
    await agent.load_module('Slow');
    const pending = agent.simple_query('check_slow', []);
    await agent.unload_module('Slow');
    const [code, message] = await pending;
    expect(code).toBe(status.UNKNOWN);
    expect(message).toMatch(/module Slow was unloaded while the query ran/);
  });

  it('a finished query leaves nothing waiting on its plugin (no growth with many async queries)', async () => {
    const { agent } = started('');
    agent.addModule({ name: 'Async', load: (p) => p.registry.simple_function('check_async', async () => [0, 'later']) });
    await agent.start();
    const plugin = await agent.load_module('Async');
    for (let i = 0; i < 100; i++) expect(await agent.simple_query('check_async', [])).toEqual([0, 'later', '']);
    expect((plugin as unknown as { unloadWatchers: Set<unknown> }).unloadWatchers.size).toBe(0);
  });

  it('handlers run inside the plugin\'s kernel session', async () => {
    const { agent } = started('');
    let active: unknown;
    agent.addModule({
      name: 'Where',
      load(plugin) {
        plugin.registry.simple_function('check_where', () => {
          active = agent.kernel.get_active_session();
          return [0, ''];
        });
      },
    });
    await agent.start();
    const plugin = await agent.load_module('Where');
    await agent.simple_query('check_where', []);
    expect(active).toBe(plugin.session);
    expect(agent.kernel.alias_resolve('Where')).toBe(plugin.session);
  });
});

describe('channels', () => {
  it('a submission to a comma-separated list reaches every subscriber of each, in order; noop and log are built in', async () => {
    const events: string[] = [];
    const { agent, logger } = started('[/modules]\na = CheckEcho\nb = CheckEcho\n', [echoModule(events)]);
    await agent.start();
    events.length = 0;
    expect(await agent.simple_submit('collect,noop,log', 'check_x', status.WARNING, 'hello', "'v'=1")).toEqual([true, '']);
    expect(events).toEqual(['a got collect check_x 1 hello', 'b got collect check_x 1 hello']);
    expect(logger.text()).toMatch(/info core: Notification 1: check_x: WARNING: hello\|'v'=1/);
  });

  it('a channel nobody listens on is a failure the caller sees, and is logged', async () => {
    const { agent, logger } = started('');
    await agent.start();
    const [ok, message] = await agent.simple_submit('NSCA', 'check_x', 0, 'x', '');
    expect(ok).toBe(false);
    expect(message).toBe('No handler for channel: NSCA');
    expect(logger.text()).toMatch(/No handler for channel: NSCA active channels/);
  });

  it('a subscriber that throws fails the submission, is logged, and the other subscribers still get it', async () => {
    const events: string[] = [];
    const { agent, logger } = started('', [echoModule(events)]);
    agent.addModule({
      name: 'Thrower',
      load: (p) =>
        p.registry.simple_subscription('collect', () => {
          throw new Error('nope');
        }),
    });
    await agent.start();
    await agent.load_module('Thrower');
    await agent.load_module('CheckEcho');
    events.length = 0;
    const [ok] = await agent.simple_submit('collect', 'c', 0, 'm');
    expect(ok).toBe(false);
    expect(events).toEqual(['CheckEcho got collect c 0 m']);
    expect(logger.text()).toMatch(/Thrower: subscription to collect threw: nope/);
  });

  it("a subscriber's Promise that rejects fails the submission with its reason; a plain false keeps the generic answer", async () => {
    const { agent } = started('');
    agent.addModule({
      name: 'Refuser',
      load: (p) => {
        p.agent.subscribe(p, 'refuse', async () => {
          throw new Error('queue full');
        });
        p.agent.subscribe(p, 'decline', async () => false);
      },
    });
    await agent.start();
    await agent.load_module('Refuser');
    expect(await agent.simple_submit('refuse', 'c', 0, 'm')).toEqual([false, 'subscription to refuse failed: queue full']);
    expect(await agent.simple_submit('decline', 'c', 0, 'm')).toEqual([false, 'Submission to decline failed']);
  });
});

describe('command-line commands, events and metrics', () => {
  it('simple_exec runs a registered command locally and refuses an unknown one', async () => {
    const { agent } = started('');
    agent.addModule({ name: 'Cmd', load: (p) => p.registry.simple_cmdline('do_it', (args) => [1, `did ${args.join(',')}`]) });
    await agent.start();
    await agent.load_module('Cmd');
    expect(await agent.simple_exec('', 'do_it', ['a', 'b'])).toEqual([1, ['did a,b']]);
    expect(await agent.simple_exec('local', 'nothing', [])).toEqual([status.UNKNOWN, ['Unknown command(s): nothing']]);
    expect(await agent.simple_exec('remote1', 'do_it', [])).toEqual([status.UNKNOWN, ['Unknown target: remote1']]);
  });

  it('events reach every handler; a throwing one is logged and the next still runs', async () => {
    const { agent, logger } = started('');
    const seen: string[] = [];
    agent.addModule({
      name: 'Ev',
      load(p) {
        p.registry.event('eventlog:login', () => {
          throw new Error('bad handler');
        });
        p.registry.event('eventlog:login', (event, data) => void seen.push(`${event} ${data.key}`));
      },
    });
    await agent.start();
    await agent.load_module('Ev');
    expect(agent.emit_event('eventlog:login', { key: 'v' })).toBe(2);
    expect(seen).toEqual(['eventlog:login v']);
    expect(logger.text()).toMatch(/event eventlog:login threw: bad handler/);
  });

  it('metrics from every provider reach every consumer as one flat map of strings; a failing provider is logged', async () => {
    const { agent, logger } = started('');
    const got: Record<string, string>[] = [];
    agent.addModule({
      name: 'M',
      load(p) {
        p.registry.fetch_metrics(() => ({ 'a.count': 1, 'a.ratio': 0.5 }));
        p.registry.fetch_metrics(() => {
          throw new Error('no data');
        });
        p.registry.fetch_metrics(async () => ({ 'b.state': 'ok' }));
        p.registry.submit_metrics((m, unused) => void got.push({ ...m, unused }));
      },
    });
    await agent.start();
    await agent.load_module('M');
    await agent.pushMetrics();
    // the providers' keys as they gave them, beside the agent's own (kernel and network counters)
    expect(got.map(providersPart)).toEqual([{ 'a.count': '1', 'a.ratio': '0.5', 'b.state': 'ok', unused: '' }]);
    expect(logger.text()).toMatch(/fetch_metrics failed: no data/);
  });

  it('pushes the agent\'s own figures on the interval when no module provides any', async () => {
    const { agent } = started('', [], { metricsInterval: 0.01 });
    const got = new Promise<Record<string, string>>((resolve) => {
      agent.addModule({ name: 'OnlyConsumer', load: (p) => p.registry.submit_metrics((m) => resolve(m)) });
    });
    await agent.load_module('OnlyConsumer');
    await agent.start();
    expect(providersPart(await got)).toEqual({});
  });

  it('pushes metrics on the interval', async () => {
    const { agent } = started('', [], { metricsInterval: 0.01 });
    const got = new Promise<Record<string, string>>((resolve) => {
      agent.addModule({
        name: 'M',
        load(p) {
          p.registry.fetch_metrics(() => ({ 'x.y': 2 }));
          p.registry.submit_metrics((m) => resolve(m));
        },
      });
    });
    await agent.load_module('M');
    await agent.start();
    const pushed = await got;
    expect(providersPart(pushed)).toEqual({ 'x.y': '2' });
    // the interval's own alarm was dispatched before its round collected
    expect(Number(pushed['kernel.events.dispatched.alarm'])).toBeGreaterThanOrEqual(1);
  });
});
