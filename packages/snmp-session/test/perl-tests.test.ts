// Cases from POE::Component::SNMP::Session's own t/ that the other files do not already cover
// (see test/CONFORMANCE.md, "POE::Component::SNMP::Session's tests").
import { ARG0, ARG1, KERNEL, Kernel, Session } from '@poets/kernel';
import { SNMPSession, type SNMPRequestInfo, type SNMPResponse, type VarList } from '@poets/snmp-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, within, type TestAgent } from './helpers.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.close();
});

describe("POE::Component::SNMP::Session's t/", () => {
  it('71_multi_autherror: an invalid community session beside a good one; counts per alias, command preserved', async () => {
    const kernel = new Kernel();
    const log: Record<string, { cmd: string; ok: boolean }[]> = { snmp: [], snmp_2: [] };
    const pending: Record<string, number> = { snmp: 2, snmp_2: 1 };
    let stopped = false;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const common = { DestHost: '127.0.0.1', RemotePort: agent.port, Version: 'snmpv2c', Retries: 0, Timeout: 300_000, kernel };
          SNMPSession.create({ ...common, Alias: 'snmp' });
          SNMPSession.create({ ...common, Alias: 'snmp_2', Community: 'invalid_community_string_123456789' });
          _[KERNEL].post('snmp_2', 'get', 'get_cb', [['.1.3.6.1.2.1.1.5.0']]);
          _[KERNEL].post('snmp', 'get', 'get_cb', [['.1.3.6.1.2.1.1.5.0']]);
          _[KERNEL].post('snmp', 'get', 'get_cb', [['.1.3.6.1.2.1.1.5.0']]);
        },
        get_cb: (_) => {
          const [alias, , , cmd] = _[ARG0] as SNMPRequestInfo;
          const [results] = _[ARG1] as SNMPResponse;
          log[alias]!.push({ cmd, ok: Array.isArray(results) && (results as VarList)[0]![2] === 'agent.test' });
          if (log[alias]!.length === pending[alias]) _[KERNEL].post(alias, 'finish');
        },
        _stop: () => void (stopped = true),
      },
    });
    await within(kernel.run(), 5000, 'kernel.run');
    expect(stopped).toBe(true);
    expect(log.snmp).toEqual([
      { cmd: 'get', ok: true },
      { cmd: 'get', ok: true },
    ]);
    expect(log.snmp_2).toEqual([{ cmd: 'get', ok: false }]);
  });

  it('75_start_stop: create, get, finish, then create the same alias again from the callback', async () => {
    const kernel = new Kernel();
    const results: unknown[] = [];
    let done = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: agent.port, Version: 'snmpv2c', kernel });
          expect(_[KERNEL].alias_resolve('snmp')).toBeDefined();
          _[KERNEL].post('snmp', 'get', 'snmp_handler', [['.1.3.6.1.2.1.1.3.0'], ['.1.3.6.1.2.1.1.5.0']]);
        },
        snmp_handler: (_) => {
          results.push((_[ARG1] as SNMPResponse)[0]);
          _[KERNEL].post('snmp', 'finish');
          if (done++ === 0) _[KERNEL].yield('restart');
        },
        // POE's test yields _start again; here a state of its own does the same
        restart: (_) => {
          // the finish posted just before has been handled: the alias is free
          SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: agent.port, Version: 'snmpv2c', kernel });
          _[KERNEL].post('snmp', 'get', 'snmp_handler', [['.1.3.6.1.2.1.1.3.0'], ['.1.3.6.1.2.1.1.5.0']]);
        },
      },
    });
    await within(kernel.run(), 5000, 'kernel.run');
    expect(results).toHaveLength(2);
    for (const r of results) expect((r as VarList).map((vb) => vb[0])).toEqual(['sysUpTime', 'sysName']);
  });

  it('60_errors: a duplicate alias is fatal and leaves the existing session working; a second finish is harmless', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    let duplicate: unknown;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: agent.port, kernel });
          try {
            SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: agent.port, kernel });
          } catch (error) {
            duplicate = error;
          }
          expect(_[KERNEL].alias_resolve('snmp')).toBeDefined();
          _[KERNEL].post('snmp', 'get', 'snmp_get_cb', ['1.3.6.1.2.1.1']);
          _[KERNEL].post('snmp', 'get', 'snmp_get_cb', 'sysName.0');
        },
        snmp_get_cb: (_) => {
          got.push((_[ARG1] as SNMPResponse)[0]);
          if (got.length === 2) {
            _[KERNEL].post('snmp', 'finish');
            // INTENTIONALLY double-dealloc, as POE's test: harmless
            _[KERNEL].post('snmp', 'finish');
          }
        },
      },
    });
    await within(kernel.run(), 5000, 'kernel.run');
    expect(String(duplicate)).toMatch(/alias 'snmp' is already in use/);
    expect(got).toHaveLength(2);
    // `system` itself has no instance: a NOSUCHOBJECT varbind (v2c) or an error, never an exception
    expect((got[1] as VarList)[0]![2]).toBe('agent.test');
  });
});
