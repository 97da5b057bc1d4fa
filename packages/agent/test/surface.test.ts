// Every call of the seed's API exists under its name, on the object the seed calls it on.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@poets/kernel';
import * as agent from '@poets/agent';

const calls = {
  Registry: ['function', 'simple_function', 'cmdline', 'simple_cmdline', 'subscription', 'simple_subscription', 'event', 'event_pb', 'submit_metrics', 'fetch_metrics', 'query'],
  Core: ['simple_query', 'query', 'simple_exec', 'exec', 'simple_submit', 'submit', 'reload', 'load_module', 'unload_module', 'expand_path'],
  Settings: ['get_section', 'get_string', 'set_string', 'get_bool', 'set_bool', 'get_int', 'set_int', 'save', 'register_path', 'register_key', 'query'],
} as const;

describe('the script API surface', () => {
  it.each(Object.entries(calls))('%s.get and every call of the seed', (name, methods) => {
    const cls = agent[name as keyof typeof calls];
    expect(typeof cls.get).toBe('function');
    for (const method of methods) expect(typeof (cls.prototype as unknown as Record<string, unknown>)[method], `${name}.${method}`).toBe('function');
  });

  it('status and the free functions', () => {
    expect(agent.status).toEqual({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 });
    for (const fn of [agent.log, agent.log_error, agent.log_debug, agent.sleep]) expect(typeof fn).toBe('function');
  });

  it('a script bound API has the same surface', () => {
    const made = new agent.Agent({ metricsInterval: 0 });
    const bound = agent.bindApi({ agent: made, registrant: { plugin: undefined as never, name: 'x', call: () => undefined as never }, logger: silentLogger });
    for (const name of Object.keys(calls) as (keyof typeof calls)[]) {
      expect(bound[name].prototype).toBeInstanceOf(agent[name]);
      expect(typeof bound[name].get).toBe('function');
    }
    expect(bound.status).toBe(agent.status);
  });
});
