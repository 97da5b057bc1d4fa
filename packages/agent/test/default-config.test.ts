// The built-in configuration `npm start` runs (config/default.ini): it parses, it names the
// modules of issue item 9 with NSClient++'s keys, everything on the loopback, and its system
// checks are scheduled every 10 s on the `log` channel, which prints each result.
import { fileURLToPath } from 'node:url';
import { type ModuleDefinition, SettingsStore, readSchedules, status } from '@poets/agent';
import { describe, expect, it } from 'vitest';
import { until } from '../../../test/support/index.js';
import { makeAgent } from './helpers.js';

const FILE = fileURLToPath(new URL('../config/default.ini', import.meta.url));

describe('config/default.ini', () => {
  const settings = SettingsStore.load(FILE);

  it('parses, enables the modules, and listens on 127.0.0.1 only', () => {
    expect(settings.get_section('/modules')).toEqual(['CheckSystem', 'CheckExternalScripts', 'NSCAServer', 'NRPEServer', 'Scheduler']);
    for (const m of settings.get_section('/modules')) expect(settings.get_string('/modules', m)).toBe('enabled');
    for (const path of ['/settings/NRPE/server', '/settings/NSCA/server']) {
      expect(settings.get_string(path, 'bind to')).toBe('127.0.0.1');
      expect(settings.get_string(path, 'allowed hosts')).toBe('127.0.0.1,::1');
    }
    expect(settings.get_int('/settings/NRPE/server', 'port')).toBe(5666);
    expect(settings.get_int('/settings/NSCA/server', 'port')).toBe(5667);
  });

  it('schedules check_cpu, check_memory and check_uptime every 10 s on the log channel', () => {
    const errors: string[] = [];
    const schedules = readSchedules(settings, (m) => errors.push(m));
    expect(errors).toEqual([]);
    expect(schedules.map((s) => [s.alias, s.command, s.interval, s.channel])).toEqual([
      ['cpu', 'check_cpu', 10, 'log'],
      ['memory', 'check_memory', 10, 'log'],
      ['uptime', 'check_uptime', 10, 'log'],
    ]);
  });

  it('with the Scheduler loaded from it, the results are printed on the log channel', async () => {
    // Stand-ins for the system checks (their module is another part of the issue); a short interval so the test does not wait 10 s.
    const stand: ModuleDefinition = { name: 'CheckSystem', load: (p) => ['check_cpu', 'check_memory', 'check_uptime'].forEach((n) => p.registry.simple_function(n, () => [status.OK, `${n} fine`, ''], n)) };
    const text = settings.toString().replace('interval = 10s', 'interval = 0.2s');
    const { agent, logger } = makeAgent({ settings: SettingsStore.fromText(text), modules: [stand] });
    try {
      await agent.start();
      await until(() => /Notification 0: cpu: OK: check_cpu fine/.test(logger.text()) && /Notification 0: uptime: OK: check_uptime fine/.test(logger.text()), 5000);
    } finally {
      await agent.stop();
    }
  });
});
