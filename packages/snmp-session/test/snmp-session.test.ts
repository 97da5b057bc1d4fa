import { ARG0, ARG1, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { SNMPSession, mibIndex, type SNMPRequestInfo, type SNMPResponse, type SNMPSessionOptions, type VarList } from '@poets/snmp-session';
import { toArray, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_COUNTER64, IF_ROWS, freeUdpPort, startAgent, within, type TestAgent } from './helpers.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.close();
});

interface Answer {
  request: SNMPRequestInfo;
  response: SNMPResponse;
  tag?: unknown;
}

/**
 * Runs one client session in a fresh kernel: it creates the component, posts `requests`
 * (each `[command, ...args]`), collects the answers, finishes the component after the last.
 */
async function run(options: SNMPSessionOptions, requests: unknown[][], ms = 5000, concurrent = false): Promise<{ answers: Answer[]; component: SNMPSession }> {
  const kernel = new Kernel();
  let component: SNMPSession | undefined;
  const answers: Answer[] = [];
  const send = (k: Kernel, i: number) => {
    const [command, ...args] = requests[i]!;
    k.post(component!.Alias, command as string, 'answer', ...args);
  };
  Session.create({
    kernel,
    heap: { left: requests.length },
    inline_states: {
      _start: (_: EventArgs<{ left: number }>) => {
        component = SNMPSession.create({ RemotePort: agent.port, DestHost: '127.0.0.1', Version: '2c', Timeout: 500_000, Retries: 1, ...options, kernel });
        if (requests.length === 0) _[KERNEL].post(component.Alias, 'finish');
        else if (concurrent) for (let i = 0; i < requests.length; i++) send(_[KERNEL], i);
        else send(_[KERNEL], 0);
      },
      answer: (_: EventArgs<{ left: number }>) => {
        answers.push({ request: _[ARG0] as SNMPRequestInfo, response: _[ARG1] as SNMPResponse });
        if (--_[HEAP].left === 0) _[KERNEL].post(component!.Alias, 'finish');
        else if (!concurrent) send(_[KERNEL], answers.length);
      },
    },
  });
  await within(kernel.run(), ms, 'kernel.run');
  return { answers, component: component! };
}

const value = (answer: Answer, i = 0) => (answer.response[0] as VarList)[i]?.[2];

describe('MIB index and variable formats', () => {
  it('resolves every documented format to the same OID and back', () => {
    const index = mibIndex();
    expect(index.size).toBeGreaterThan(300);
    for (const tag of ['sysUpTime.0', '.1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.1.3.0', 'SNMPv2-MIB::sysUpTime.0']) expect(index.resolve(tag)).toBe('1.3.6.1.2.1.1.3.0');
    expect(index.resolve('sysUpTime')).toBe('1.3.6.1.2.1.1.3');
    expect(index.resolve('IF-MIB::ifDescr.1')).toBe('1.3.6.1.2.1.2.2.1.2.1');
    expect(index.resolve('ifDescr.1')).toBe('1.3.6.1.2.1.2.2.1.2.1');
    expect(index.split('1.3.6.1.2.1.2.2.1.2.7')).toEqual(['ifDescr', '7']);
    expect(index.split('1.3.6.1.4.1.8072.3.2.10')).toEqual(['enterprises', '8072.3.2.10']);
    expect(() => index.resolve('noSuchThing.0')).toThrow(/Unknown OID/);
    expect(index.syntaxOf('1.3.6.1.2.1.1.4.0')).toMatch(/OCTET STRING/);
  });
});

describe('SNMPSession against an in-process net-snmp agent', () => {
  it('get: every variable format; callback args as documented', async () => {
    const { answers, component } = await run({}, [
      ['get', 'sysUpTime.0'],
      ['get', '.1.3.6.1.2.1.1.3.0'],
      ['get', ['sysUpTime', 0]],
      ['get', ['SNMPv2-MIB::sysDescr.0']],
      ['get', [['sysName', '0'], ['sysContact', 0]]],
    ]);
    expect(answers).toHaveLength(5);
    const [alias, host, session, command, ...args] = answers[0]!.request;
    expect([alias, host, command, args]).toEqual(['snmp', '127.0.0.1', 'get', ['sysUpTime.0']]);
    expect(session.ErrorStr).toBe('');
    expect(session.component).toBe(component);
    for (const answer of answers.slice(0, 3)) expect(answer.response[0]).toEqual([['sysUpTime', '0', 12345, 'TICKS']]);
    expect(answers[3]!.response[0]).toEqual([['sysDescr', '0', 'poets test agent', 'OCTETSTR']]);
    expect(answers[4]!.response[0]).toEqual([
      ['sysName', '0', 'agent.test', 'OCTETSTR'],
      ['sysContact', '0', 'nobody', 'OCTETSTR'],
    ]);
  });

  it('get: Counter64 arrives as a bigint', async () => {
    const { answers } = await run({}, [['get', `${ENTERPRISE_COUNTER64}.0`]]);
    expect(answers[0]!.response[0]).toEqual([['enterprises', '99999.1.0', 2n ** 56n + 1n, 'COUNTER64']]);
  });

  it('nosuch: v2c gives NOSUCHOBJECT/NOSUCHINSTANCE varbinds', async () => {
    const v2 = await run({}, [['get', [['sysLocation', 0], ['sysUpTime', 5], ['sysUpTime']]]]);
    const list = v2.answers[0]!.response[0] as VarList;
    expect(list.map((vb) => vb[3])).toEqual(['NOSUCHOBJECT', 'NOSUCHINSTANCE', 'NOSUCHINSTANCE']);
    // (v1's noSuchName error is checked against snmpd in test/interop: net-snmp's own agent
    // answers v1 with exception varbinds)
  });

  it('getnext: from a name without instance, and past the end', async () => {
    const { answers } = await run({}, [['getnext', ['sysUpTime']], ['getnext', 'ifDescr.5'], ['getnext', ['.']]]);
    expect(answers[0]!.response[0]).toEqual([['sysUpTime', '0', 12345, 'TICKS']]);
    expect(answers[1]!.response[0]).toEqual([['enterprises', '99999.1.0', 2n ** 56n + 1n, 'COUNTER64']]);
    expect((answers[2]!.response[0] as VarList)[0]![0]).toBe('sysDescr');
  });

  it('walk: getnext to the end of each subtree, one VarList per variable', async () => {
    const { answers } = await run({ Version: 1 }, [['walk', [['ifDescr'], ['system']]], ['walk', ['bigCounter-nonexistent'.length ? `${ENTERPRISE_COUNTER64}` : '']]]);
    const [descr, system] = answers[0]!.response[0] as VarList[];
    expect(descr).toEqual(Array.from({ length: IF_ROWS }, (_, i) => ['ifDescr', String(i + 1), `eth${i}`, 'OCTETSTR']));
    expect(system!.map((vb) => vb[0])).toEqual(['sysDescr', 'sysUpTime', 'sysContact', 'sysName']);
    // v1 end of MIB (noSuchName) ends a walk without an error
    expect(answers[1]!.response[0]).toEqual([[['enterprises', '99999.1.0', 2n ** 56n + 1n, 'COUNTER64']]]);
  });

  it('getbulk: non-repeaters then rows in PDU order', async () => {
    const { answers } = await run({}, [['getbulk', 0, 3, [['ifIndex'], ['ifDescr']]], ['getbulk', 1, 3, [['sysUpTime'], ['ifIndex']]]]);
    const list = answers[0]!.response[0] as VarList;
    // net-snmp's agent caps a whole answer at max-repetitions varbinds (snmpd does not: see
    // test/interop); the rows still come in PDU order
    expect(list.map((vb) => `${vb[0]}.${vb[1]}`)).toEqual(['ifIndex.1', 'ifDescr.1', 'ifIndex.2']);
    expect((answers[1]!.response[0] as VarList).map((vb) => `${vb[0]}.${vb[1]}`)).toEqual(['sysUpTime.0', 'ifIndex.1', 'ifIndex.2']);
  });

  it('bulkwalk: walks each subtree to its end across several PDUs; v1 refused', async () => {
    const { answers } = await run({}, [['bulkwalk', 1, 2, [['sysUpTime'], ['ifDescr'], ['ifIndex']]]]);
    const [up, descr, idx] = answers[0]!.response[0] as VarList[];
    expect(up).toEqual([['sysUpTime', '0', 12345, 'TICKS']]);
    expect(descr!.map((vb) => vb[2])).toEqual(['eth0', 'eth1', 'eth2', 'eth3', 'eth4']);
    expect(idx!.map((vb) => vb[2])).toEqual([1, 2, 3, 4, 5]);
    const v1 = await run({ Version: 1 }, [['bulkwalk', 0, 5, ['ifDescr']]]);
    expect(v1.answers[0]!.response[0]).toBeUndefined();
    expect(v1.answers[0]!.request[2].ErrorStr).toMatch(/SNMPv1/);
  });

  it('set: a writable object (type from the MIB, and given), then read back; a read-only one fails', async () => {
    const { answers } = await run({}, [['set', 'sysContact.0', 'ops@example.org'], ['get', 'sysContact.0']]);
    expect(answers[0]!.response[0]).toEqual([['sysContact', '0', 'ops@example.org', 'OCTETSTR']]);
    expect(value(answers[1]!)).toBe('ops@example.org');
    const again = await run({}, [['set', ['sysContact', 0, 'root', 'OCTETSTR']], ['set', ['sysName', 0, 'x', 'OCTETSTR']]]);
    expect(value(again.answers[0]!)).toBe('root');
    expect(again.answers[1]!.response[0]).toBeUndefined();
    expect(again.answers[1]!.request[2].ErrorStr).toMatch(/NotWritable|NoAccess|ReadOnly/i);
  });

  it('errors: an unknown name and a bad type are callbacks, not exceptions', async () => {
    const { answers } = await run({}, [['get', 'noSuchMibName.0'], ['set', ['sysContact', 0, 'x', 'NOTATYPE']]]);
    expect(answers.map((a) => a.response[0])).toEqual([undefined, undefined]);
    expect(answers[0]!.request[2].ErrorStr).toMatch(/Unknown OID/);
    expect(answers[1]!.request[2].ErrorStr).toMatch(/unknown SNMP type/);
  });

  it('timeouts: a port with no agent answers Timeout after Timeout x (Retries + 1)', async () => {
    const port = await freeUdpPort();
    const started = Date.now();
    const { answers, component } = await run({ RemotePort: port, Timeout: 100_000, Retries: 1 }, [['get', 'sysUpTime.0'], ['walk', ['system']]]);
    // Two tries of 0.1 s each at least (timers never fire early); no upper bound: timing is for benchmarks.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(answers.map((a) => a.response[0])).toEqual([undefined, undefined]);
    expect(answers[0]!.request[2].ErrorStr).toBe('Timeout');
    expect(answers[0]!.request[2].ErrorNum).toBe(-24);
    expect(component.ErrorStr).toBe('Timeout');
  });

  it('SNMPv3 authPriv SHA/AES works; a wrong password is an error callback; DES is refused at create', async () => {
    const v3 = { Version: 3, SecName: 'tester', SecLevel: 'authPriv', AuthProto: 'SHA', AuthPass: 'testerauthpass', PrivProto: 'AES', PrivPass: 'testerprivpass' };
    const good = await run(v3, [['get', 'sysName.0']]);
    expect(value(good.answers[0]!)).toBe('agent.test');
    const bad = await run({ ...v3, AuthPass: 'wrongwrongwrong' }, [['get', 'sysName.0']]);
    expect(bad.answers[0]!.response[0]).toBeUndefined();
    expect(bad.answers[0]!.request[2].ErrorStr).not.toBe('');
    expect(() => SNMPSession.create({ ...v3, PrivProto: 'DES', kernel: new Kernel() })).toThrow(/legacy provider/);
    expect(() => SNMPSession.create({ Version: 3, kernel: new Kernel() })).toThrow(/SecName/);
    expect(() => SNMPSession.create({ Version: 7, kernel: new Kernel() })).toThrow(/Version/);
  });

  it('multiple sessions: two components with their own aliases; a duplicate alias is an error', async () => {
    const kernel = new Kernel();
    const got: string[] = [];
    let duplicate: unknown;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          SNMPSession.create({ Alias: 'a', DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel });
          SNMPSession.create({ Alias: 'b', DestHost: `127.0.0.1:${agent.port}`, Version: 'snmpv2c', kernel });
          try {
            SNMPSession.create({ Alias: 'a', DestHost: '127.0.0.1', RemotePort: agent.port, kernel });
          } catch (error) {
            duplicate = error;
          }
          _[KERNEL].post('a', 'get', 'answer', 'sysName.0');
          _[KERNEL].post('b', 'get', 'answer', 'sysDescr.0');
        },
        answer: (_) => {
          const [alias] = _[ARG0] as SNMPRequestInfo;
          got.push(`${alias}=${String(((_[ARG1] as SNMPResponse)[0] as VarList)[0]![2])}`);
          if (got.length === 2) {
            _[KERNEL].post('a', 'finish');
            _[KERNEL].post('b', 'finish');
          }
        },
      },
    });
    await within(kernel.run(), 5000, 'run');
    expect(got.sort()).toEqual(['a=agent.test', 'b=poets test agent']);
    expect(String(duplicate)).toMatch(/alias 'a' is already in use/);
  });

  it('start/stop: a component nobody uses lets the kernel end; finish refuses later requests', async () => {
    const kernel = new Kernel();
    let component!: SNMPSession;
    Session.create({ kernel, inline_states: { _start: () => void (component = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, kernel })) } });
    await within(kernel.run(), 3000, 'idle kernel');
    component.finish();
    await expect(component.get('sysName.0')).rejects.toThrow(/finished/);
    // the alias is free again
    const again = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, kernel });
    again.finish();
  });

  it('1,000 outstanding requests all answer (bounded in flight, the rest queued)', async () => {
    const requests = Array.from({ length: 1000 }, (_, i) => ['get', i % 2 ? 'sysName.0' : ['ifDescr', (i % IF_ROWS) + 1]]);
    const { answers } = await run({ maxOutstanding: 50 }, requests, 15_000, true);
    expect(answers).toHaveLength(1000);
    expect(answers.filter((a) => a.response[0] === undefined)).toHaveLength(0);
  });

  it('finish with requests in flight: they still answer; requests after finish are refused', async () => {
    const kernel = new Kernel();
    const answers: unknown[] = [];
    let component!: SNMPSession;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          component = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel, maxOutstanding: 2 });
          for (let i = 0; i < 5; i++) _[KERNEL].post('snmp', 'get', 'answer', 'sysName.0');
          _[KERNEL].post('snmp', 'finish');
          // posted by alias after finish: the alias is gone, the post fails as POE's does
          _[KERNEL].yield('late');
        },
        late: (_) => {
          expect(_[KERNEL].post('snmp', 'get', 'answer', 'sysName.0')).toBe(false);
          // by the session itself: refused too
          _[KERNEL].post(component.session_id(), 'get', 'answer', 'sysName.0');
        },
        answer: (_) => void answers.push((_[ARG1] as SNMPResponse)[0]),
      },
    });
    await within(kernel.run(), 5000, 'run');
    expect(answers).toHaveLength(5);
    for (const answer of answers) expect(answer).toEqual([['sysName', '0', 'agent.test', 'OCTETSTR']]);
  });

  it('a kernel stopped with requests in flight still answers them (closed), none lost', async () => {
    const port = await freeUdpPort();
    const kernel = new Kernel();
    const errors: string[] = [];
    let component!: SNMPSession;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          component = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: port, Version: 2, Timeout: 5_000_000, kernel });
          _[KERNEL].post('snmp', 'get', 'answer', 'sysName.0');
          _[KERNEL].delay('stop', 0.05);
        },
        stop: (_) => _[KERNEL].stop(),
        answer: (_) => void errors.push((_[ARG0] as SNMPRequestInfo)[2].ErrorStr),
      },
    });
    await within(kernel.run(), 3000, 'run');
    expect(component.pending()).toBe(0);
  });

  it('Promise and rxjs helpers', async () => {
    const kernel = new Kernel();
    const component = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel });
    try {
      expect(await within(component.get('sysName.0'), 3000, 'get')).toEqual([['sysName', '0', 'agent.test', 'OCTETSTR']]);
      const walked = await within(firstValueFrom(component.walk$(['ifDescr'], 2).pipe(toArray())), 3000, 'walk$');
      expect(walked.map((vb) => vb[2])).toEqual(['eth0', 'eth1', 'eth2', 'eth3', 'eth4']);
      const [col] = await within(component.bulkWalk(0, 10, ['ifIndex']), 3000, 'bulkWalk');
      expect(col).toHaveLength(IF_ROWS);
      await expect(component.get('nothingKnown.0')).rejects.toThrow(/Unknown OID/);
    } finally {
      component.finish();
    }
  });
});
