// Scheduler: schedules in the short form, one section each and through the default template;
// every run's result submitted on its channel under the schedule's alias; report filters; cron;
// run on startup; a run that outlasts its interval never overlaps the next (skipped, counted,
// logged); bad schedules refused with the reason while the others run; unload stops every alarm.
import { Agent, type ModuleDefinition, SettingsStore, type Submission, parseInterval, parseRandomness, parseReport, readSchedules, Scheduler, status, type StatusCode } from '@poets/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithPrograms, until } from '../../../test/support/index.js';
import { makeAgent } from './helpers.js';

/** A module with queries to schedule and a channel that records what it gets. */
function probe() {
  const got: { channel: string; payload: Submission }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let slowRuns = 0;
  let flip = 0;
  const module: ModuleDefinition = {
    name: 'Probe',
    load(plugin) {
      plugin.registry.simple_function('check_ok', () => [status.OK, 'fine', 'x=1'], 'always OK');
      plugin.registry.simple_function('check_flip', () => {
        flip++;
        return [(flip % 2 === 0 ? status.CRITICAL : status.OK) as StatusCode, `flip ${flip}`, ''];
      }, 'OK, CRITICAL, OK...');
      plugin.registry.simple_function('check_slow', async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 700));
        inFlight--;
        slowRuns++;
        return [status.WARNING, 'slow', ''];
      }, 'takes 0.7 s');
      plugin.agent.subscribe(plugin, 'TEST', (channel, payloads) => {
        for (const payload of payloads) got.push({ channel, payload });
        return true;
      });
    },
  };
  return { module, got, stats: () => ({ maxInFlight, slowRuns }) };
}

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

function start(text: string, p = probe()) {
  const made = makeAgent({ settings: SettingsStore.fromText(`[/modules]\nProbe = enabled\nScheduler = enabled\n${text}`), modules: [p.module] });
  agents.push(made.agent);
  return { ...made, ...p, started: made.agent.start() };
}

const schedulerOf = (agent: Agent) => agent.findPlugin('Scheduler')!.instance as Scheduler;

describe('schedule settings', () => {
  it('defaults as NSClient++: channel NSCA, interval 5m, report all; short form and sections alike', () => {
    const s = SettingsStore.fromText('[/settings/scheduler/schedules]\ncpu = check_cpu time=5m "x y"\n[/settings/scheduler/schedules/disk]\ncommand = check_drivesize\ninterval = 30s\nreport = warning,critical\ntarget = central\nsource = web-01\n');
    const list = readSchedules(s, (m) => {
      throw new Error(m);
    });
    expect(list).toEqual([
      { alias: 'cpu', command: 'check_cpu', arguments: ['time=5m', 'x y'], channel: 'NSCA', interval: 300, cron: undefined, report: new Set([0, 1, 2, 3]), randomness: 0, runOnStartup: false, target: '', source: '' },
      { alias: 'disk', command: 'check_drivesize', arguments: [], channel: 'NSCA', interval: 30, cron: undefined, report: new Set([1, 2]), randomness: 0, runOnStartup: false, target: 'central', source: 'web-01' },
    ]);
    expect(parseInterval('1h')).toBe(3600);
    expect(parseInterval('250ms')).toBe(0.25);
    expect(() => parseInterval('0')).toThrow(/above 0/);
    expect(() => parseInterval('soon')).toThrow(/not a duration/);
    expect(parseReport('all')).toEqual(new Set([0, 1, 2, 3]));
    expect(() => parseReport('warning,bad')).toThrow(/bad is not one of/);
    expect(parseRandomness('10%')).toBe(0.1);
    expect(() => parseRandomness('300%')).toThrow(/share/);
  });

  it("NSClient++'s own sample: names with spaces, both forms identical", () => {
    const short = SettingsStore.fromText('[/settings/scheduler/schedules/default]\ninterval = 5s\nchannel = log\n[/settings/scheduler/schedules]\neventlog=check_eventlog log=application\nCPU Load=check_cpu\n');
    const long = SettingsStore.fromText('[/settings/scheduler/schedules/default]\ninterval = 5s\nchannel = log\n[/settings/scheduler/schedules/eventlog]\ncommand=check_eventlog log=application\n[/settings/scheduler/schedules/CPU Load]\ncommand=check_cpu\n');
    const fail = (m: string) => {
      throw new Error(m);
    };
    expect(readSchedules(short, fail)).toEqual(readSchedules(long, fail));
    expect(readSchedules(short, fail).map((x) => [x.alias, x.command, x.arguments, x.interval, x.channel])).toEqual([
      ['eventlog', 'check_eventlog', ['log=application'], 5, 'log'],
      ['CPU Load', 'check_cpu', [], 5, 'log'],
    ]);
  });

  it('templates: schedules inherit schedules/default, or the parent they name', () => {
    const s = SettingsStore.fromText(
      '[/settings/scheduler/schedules/default]\nchannel = log\ninterval = 10s\n[/settings/scheduler/schedules/quick]\nis template = true\ninterval = 1s\nchannel = TEST\n[/settings/scheduler/schedules]\na = check_ok\n[/settings/scheduler/schedules/b]\nparent = quick\ncommand = check_ok\n',
    );
    const [a, b] = readSchedules(s, (m) => {
      throw new Error(m);
    });
    expect([a!.alias, a!.channel, a!.interval]).toEqual(['a', 'log', 10]);
    expect([b!.alias, b!.channel, b!.interval]).toEqual(['b', 'TEST', 1]);
  });
});

describe('Scheduler', () => {
  it('runs each schedule on its interval and submits the result on its channel under the alias', async () => {
    const { agent, got, started } = start('[/settings/scheduler/schedules/default]\ninterval = 0.2s\nchannel = TEST\n[/settings/scheduler/schedules]\nfast = check_ok\n');
    await started;
    await until(() => got.length >= 3, 5000);
    expect(got[0]).toEqual({ channel: 'TEST', payload: { command: 'fast', result: status.OK, message: 'fine', perf: 'x=1', source: '' } });
    const sch = schedulerOf(agent);
    expect(sch.stats.submitted).toBeGreaterThanOrEqual(3);
    expect(sch.stats.skipped).toBe(0);
  });

  it('report filters by status; target and source travel with the result', async () => {
    const { got, started } = start('[/settings/scheduler/schedules/crit]\ncommand = check_flip\ninterval = 0.1s\nchannel = TEST\nreport = critical\ntarget = central\nsource = web-01\n');
    await started;
    await until(() => got.length >= 3, 5000);
    for (const g of got) expect(g.payload).toMatchObject({ command: 'crit', result: status.CRITICAL, target: 'central', source: 'web-01' });
  });

  it('a cron schedule (6 fields, seconds first) fires on its times; run on startup runs at once', async () => {
    const { got, started } = start(
      '[/settings/scheduler/schedules/cron]\ncommand = check_ok\nschedule = * * * * * *\nchannel = TEST\n[/settings/scheduler/schedules/boot]\ncommand = check_ok\ninterval = 1h\nrun on startup = true\nchannel = TEST\n',
    );
    await started;
    await until(() => got.some((g) => g.payload.command === 'boot') && got.filter((g) => g.payload.command === 'cron').length >= 2, 6000);
    expect(got.filter((g) => g.payload.command === 'boot')).toHaveLength(1);
  });

  it('a check slower than its interval: runs never overlap, the skips are counted and logged', async () => {
    const { agent, got, started, logger, stats } = start('[/settings/scheduler/schedules/slow]\ncommand = check_slow\ninterval = 0.2s\nchannel = TEST\n');
    await started;
    await until(() => got.length >= 3, 8000);
    expect(stats().maxInFlight).toBe(1);
    const sch = schedulerOf(agent);
    expect(sch.stats.skipped).toBeGreaterThan(0);
    expect(sch.states[0]!.skipped).toBe(sch.stats.skipped);
    expect(logger.text()).toMatch(/warning .*slow: the previous run of check_slow is still going; this run is skipped \(\d+ skipped so far\)/);
  });

  it('bad schedules are refused with the reason; the good one runs', async () => {
    const { agent, got, started, logger } = start(
      [
        '[/settings/scheduler/schedules]',
        'good = check_ok',
        'empty =',
        '[/settings/scheduler/schedules/default]',
        'interval = 0.2s',
        'channel = TEST',
        '[/settings/scheduler/schedules/zero]',
        'command = check_ok',
        'interval = 0',
        '[/settings/scheduler/schedules/badcron]',
        'command = check_ok',
        'schedule = 61 * * * *',
        '[/settings/scheduler/schedules/both]',
        'command = check_ok',
        'interval = 1s',
        'schedule = * * * * *',
        '[/settings/scheduler/schedules/badreport]',
        'command = check_ok',
        'report = sometimes',
        '[/settings/scheduler/schedules/typo]',
        'command = check_ok',
        'intervall = 1s',
      ].join('\n') + '\n',
    );
    await started;
    await until(() => got.length >= 2, 5000);
    const text = logger.text();
    expect(text).toMatch(/error .*schedules\/empty: no command; schedule not added/);
    expect(text).toMatch(/error .*schedules\/zero: interval: 0: a schedule needs an interval above 0/);
    expect(text).toMatch(/error .*schedules\/badcron: .*schedule not added/);
    expect(text).toMatch(/error .*schedules\/both: both interval and schedule are set/);
    expect(text).toMatch(/error .*schedules\/badreport: report: sometimes is not one of/);
    expect(text).toMatch(/warning .*schedules\/typo: intervall: unknown key, ignored/);
    expect(new Set(got.map((g) => g.payload.command))).toEqual(new Set(['good', 'typo']));
    expect(schedulerOf(agent).states.map((s) => s.schedule.alias).sort()).toEqual(['good', 'typo']);
  });

  it('an unknown command is submitted as UNKNOWN; a channel nobody listens on is counted as an error', async () => {
    const { agent, got, started, logger } = start('[/settings/scheduler/schedules/default]\ninterval = 0.2s\n[/settings/scheduler/schedules/nope]\ncommand = check_nothing\nchannel = TEST\n[/settings/scheduler/schedules/lost]\ncommand = check_ok\nchannel = NOWHERE\n');
    await started;
    await until(() => got.length >= 1 && schedulerOf(agent).stats.errors >= 1, 5000);
    expect(got[0]!.payload).toMatchObject({ command: 'nope', result: status.UNKNOWN });
    expect(got[0]!.payload.message).toMatch(/Unknown command/);
    expect(logger.text()).toMatch(/error .*lost: submission to NOWHERE failed: No handler for channel: NOWHERE/);
  });

  it('the log channel prints each result', async () => {
    const { logger, started } = start('[/settings/scheduler/schedules/printed]\ncommand = check_ok\ninterval = 0.2s\nchannel = log\n');
    await started;
    await until(() => /Notification 0: printed: OK: fine\|x=1/.test(logger.text()), 5000);
  });

  it('unloading removes every alarm: nothing more is submitted', async () => {
    const { agent, got, started } = start('[/settings/scheduler/schedules/default]\ninterval = 0.1s\nchannel = TEST\n[/settings/scheduler/schedules]\na = check_ok\nb = check_ok\n');
    await started;
    await until(() => got.length >= 4, 5000);
    expect(await agent.unload_module('Scheduler')).toBe(true);
    const count = got.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(got.length).toBe(count);
  });
});

describeWithPrograms(['/usr/lib/nagios/plugins/check_dummy'], 'Scheduler with CheckExternalScripts', () => {
  it('a real check_dummy scheduled: its result on the channel', async () => {
    const { got, started } = start('[/modules]\nCheckExternalScripts = enabled\n[/settings/external scripts/scripts]\ndummy = /usr/lib/nagios/plugins/check_dummy 1 "from cron"\n[/settings/scheduler/schedules/dummy_check]\ncommand = dummy\ninterval = 0.2s\nchannel = TEST\n');
    await started;
    await until(() => got.length >= 1, 5000);
    expect(got[0]!.payload).toMatchObject({ command: 'dummy_check', result: status.WARNING, message: 'WARNING: from cron' });
  });
});
