// Perl SNMP::Session's parameters and request forms, against the in-process net-snmp agent and
// as pure functions (the same cases against the real snmpd and the C tools are in
// test/interop/snmpd-c-tools.test.ts).
import { ARG0, KERNEL, Kernel, Session, type LogContext, type LogLevel, type Logger } from '@poets/kernel';
import {
  BadOidError,
  SNMPSession,
  SNMPTrapReceiver,
  mibIndex,
  netSnmp,
  sprintValue,
  tagOf,
  varbindOid,
  wireOid,
  type ResponseFormat,
  type SNMPRequestInfo,
} from '@poets/snmp-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEngineVarbind } from '../src/varbind.js';
import { IF_ROWS, startAgent, within, type TestAgent } from './helpers.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.close();
});

const T = netSnmp.ObjectType;
const PLAIN: ResponseFormat = { UseLongNames: false, UseNumeric: false, UseEnums: false, UseSprintValue: false };

function collecting(): Logger & { lines: { level: LogLevel; message: string; context?: LogContext }[] } {
  const lines: { level: LogLevel; message: string; context?: LogContext }[] = [];
  return { lines, log: (level, message, context) => void lines.push({ level, message, ...(context ? { context } : {}) }) };
}

describe('DestHost as Net-SNMP reads it', () => {
  const kernel = new Kernel();
  const made = (DestHost: string, extra = {}) => {
    const c = SNMPSession.create({ Alias: `d-${Math.random()}`, DestHost, kernel, ...extra });
    c.finish();
    return [c.DestHost, c.RemotePort];
  };
  it('transport prefixes, brackets, bare IPv6, RemotePort only when DestHost has no port', () => {
    expect(made('udp:127.0.0.1:1234')).toEqual(['127.0.0.1', 1234]);
    expect(made('udp:localhost')).toEqual(['localhost', 161]);
    expect(made('udp6:[::1]:1161')).toEqual(['::1', 1161]);
    expect(made('udpv6:[::1]')).toEqual(['::1', 161]);
    expect(made('[::1]:99')).toEqual(['::1', 99]);
    expect(made('::1', { RemotePort: 1162 })).toEqual(['::1', 1162]);
    expect(made('127.0.0.1:200', { RemotePort: 1162 })).toEqual(['127.0.0.1', 200]);
  });
  it('transports the engine cannot speak, and nonsense, are refused', () => {
    for (const bad of ['tcp:127.0.0.1:161', 'tls:host', 'unix:/var/agentx', 'dtlsudp:host:10161']) expect(() => made(bad)).toThrow(/is not supported/);
    expect(() => made('udp:')).toThrow(/bad DestHost/);
    expect(() => made('udp:127.0.0.1:1234', { transport: 'udp6' })).toThrow(/contradicts/);
  });
});

describe('OIDs', () => {
  it('one arc and the root resolve to themselves; the wire gets two arcs', () => {
    const index = mibIndex();
    expect([index.resolve('1'), index.resolve('.1'), index.resolve('.')]).toEqual(['1', '1', '']);
    expect([wireOid('1'), wireOid(''), wireOid('1.3.6')]).toEqual(['1.0', '0.0', '1.3.6']);
    expect(varbindOid(['sysContact', 0])).toBe('1.3.6.1.2.1.1.4.0');
    expect(varbindOid(['.1.3.6.1.2.1.1', '4.0'])).toBe('1.3.6.1.2.1.1.4.0');
  });
  it('what no BER encoder can build is refused with the C tools\' text', () => {
    const index = mibIndex();
    for (const bad of ['99999999999.1', '3.1', '1.40.1', '0.45', '1.3.6.4294967296', 'sysName.4294967296']) {
      expect(() => index.resolve(bad), bad).toThrow(BadOidError);
      expect(() => index.resolve(bad), bad).toThrow(/^Error building ASN\.1 representation \(Can't build OID for variable\)/);
    }
    expect(index.resolve('2.999.1')).toBe('2.999.1');
    expect(index.resolve('1.3.4294967295')).toBe('1.3.4294967295');
  });
  it('a module that is not loaded, or that does not define the name, is an error', () => {
    const index = mibIndex();
    expect(() => index.resolve('FOO-MIB::sysName.0')).toThrow(/Cannot find module \(FOO-MIB\)/);
    expect(() => index.resolve('IF-MIB::sysName.0')).toThrow(/Unknown OID: IF-MIB::sysName\.0/);
    expect(index.resolve('RFC1213-MIB::sysName.0')).toBe('1.3.6.1.2.1.1.5.0');
  });
});

describe('response formats', () => {
  const index = mibIndex();
  it('tags: default, UseLongNames, UseNumeric', () => {
    expect(tagOf('1.3.6.1.2.1.2.2.1.2.3', index, PLAIN)).toEqual(['ifDescr', '3']);
    expect(tagOf('1.3.6.1.2.1.2.2.1.2.3', index, { ...PLAIN, UseLongNames: true })).toEqual(['.iso.org.dod.internet.mgmt.mib-2.interfaces.ifTable.ifEntry.ifDescr', '3']);
    expect(tagOf('1.3.6.1.2.1.2.2.1.2.3', index, { ...PLAIN, UseNumeric: true, UseLongNames: true })).toEqual(['.1.3.6.1.2.1.2.2.1.2', '3']);
  });
  it('UseSprintValue: what snmpget -Oqv prints', () => {
    const sprint = (oid: string, type: number, value: unknown, converted?: unknown) =>
      sprintValue({ oid, type, value }, converted as never, index, { ...PLAIN, UseSprintValue: true });
    expect(sprint('1.3.6.1.2.1.1.3.0', T.TimeTicks!, 9_000_304)).toBe('1:1:00:03.04');
    expect(sprint('1.3.6.1.2.1.2.2.1.7.1', T.Integer!, 2)).toBe('down');
    expect(sprint('1.3.6.1.2.1.2.2.1.3.1', T.Integer!, 24)).toBe('softwareLoopback');
    expect(sprint('1.3.6.1.2.1.2.2.1.1.1', T.Integer!, 7)).toBe('7');
    expect(sprint('1.3.6.1.2.1.2.2.1.6.2', T.OctetString!, Buffer.from([0x86, 0xb7, 0xb2, 0x26, 0x6f, 0x0b]))).toBe('86:b7:b2:26:6f:b');
    expect(sprint('1.3.6.1.2.1.1.5.0', T.OctetString!, Buffer.from('vm'))).toBe('vm');
    expect(sprint('1.3.6.1.4.1.99.1', T.OctetString!, Buffer.from([0, 1, 0xfe]))).toBe('00 01 FE ');
    expect(sprint('1.3.6.1.2.1.1.2.0', T.OID!, '1.3.6.1.4.1.8072.3.2.10')).toBe('enterprises.8072.3.2.10');
    expect(sprint('1.3.6.1.4.1.99.2', T.Counter64!, Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]), 2n ** 56n + 1n)).toBe('72057594037927937');
    expect(sprint('1.3.6.1.2.1.1.5.9', T.NoSuchInstance!, null)).toBe('No Such Instance currently exists at this OID');
  });
});

describe('requests against the in-process agent', () => {
  it("set: the seed's [tag, iid] => value form and tag => value, type", async () => {
    const c = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel: new Kernel() });
    try {
      expect(await within(c.request('set', ['sysContact', 0], 'first'), 3000, 'set')).toEqual([['sysContact', '0', 'first', 'OCTETSTR']]);
      expect((await c.get('sysContact.0'))[0]![2]).toBe('first');
      await c.request('set', 'sysContact.0', 'second', 'OCTETSTR');
      expect((await c.get('sysContact.0'))[0]![2]).toBe('second');
      // a value after a VarList of several is ambiguous: refused
      await expect(c.request('set', [['sysContact', 0], ['sysName', 0]], 'x')).rejects.toThrow(/exactly one Varbind/);
    } finally {
      c.finish();
    }
  });

  it('walks from 1 and from the root cover the whole agent', async () => {
    const c = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel: new Kernel() });
    try {
      const [all] = await within(c.bulkWalk(0, 5, [['1']]), 3000, 'bulkwalk 1');
      const [root] = await within(c.bulkWalk(0, 5, [['.']]), 3000, 'bulkwalk .');
      const names = all!.map((vb) => vb[0]);
      expect(names.filter((n) => n === 'ifDescr')).toHaveLength(IF_ROWS);
      expect(names).toContain('sysDescr');
      expect(root).toEqual(all);
    } finally {
      c.finish();
    }
  });

  it('UseEnums: labels out and in', async () => {
    const c = SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, UseEnums: 1, kernel: new Kernel() });
    try {
      // the agent has no enumerated object; the label still turns into its number on the way out
      const varbind = toEngineVarbind(['ifAdminStatus', 1, 'down']);
      expect(varbind.value).toBe(2);
      expect(c.UseEnums).toBe(true);
    } finally {
      c.finish();
    }
  });
});

describe('parameters and logging', () => {
  it('unknown parameters are refused, naming the accepted ones; the trap receiver checks its own', () => {
    const kernel = new Kernel();
    expect(() => SNMPSession.create({ DestHost: '127.0.0.1', Comunity: 'x', kernel } as never)).toThrow(/unknown parameter Comunity; accepted: Alias, DestHost, Community/);
    expect(() => SNMPSession.create({ DestHost: '127.0.0.1', AuthMasterKey: 'x', kernel } as never)).toThrow(/AuthMasterKey is not supported/);
    expect(() => SNMPSession.create({ DestHost: '127.0.0.1', LocalPort: 70000, kernel })).toThrow(/bad LocalPort/);
    expect(() => SNMPTrapReceiver.create({ Port: 0, Adress: '127.0.0.1', kernel } as never)).toThrow(/unknown parameter Adress; accepted: Alias, Address, Port/);
  });

  it("log lines go to the given Logger (else the kernel's), naming the component and the peer", async () => {
    const logger = collecting();
    const kernel = new Kernel({ logger });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel });
          _[KERNEL].post('snmp', 'get', 42 as never, 'sysName.0');
          _[KERNEL].post('snmp', 'get', 'answer', 'sysName.0');
        },
        answer: (_) => {
          expect((_[ARG0] as SNMPRequestInfo)[2].ErrorStr).toBe('');
          _[KERNEL].post('snmp', 'finish');
        },
      },
    });
    await within(kernel.run(), 3000, 'run');
    expect(logger.lines).toEqual([
      { level: 'warning', message: 'get needs a callback state; request ignored', context: { component: 'SNMP::Session', peer: { address: '127.0.0.1', port: agent.port } } },
    ]);

    const own = collecting();
    const other = new Kernel();
    let served = false;
    Session.create({
      kernel: other,
      inline_states: {
        _start: (_) => {
          SNMPSession.create({ DestHost: '127.0.0.1', RemotePort: agent.port, Version: 2, kernel: other, logger: own });
          // a callback that throws is logged as an error; the component keeps serving
          _[KERNEL].post('snmp', 'get', () => {
            throw new Error('callback failure');
          }, 'sysName.0');
          _[KERNEL].post('snmp', 'get', 'answer', 'sysDescr.0');
        },
        answer: (_) => {
          served = true;
          _[KERNEL].post('snmp', 'finish');
        },
      },
    });
    await within(other.run(), 3000, 'run');
    expect(served).toBe(true);
    expect(own.lines.map((l) => [l.level, l.context?.component, l.message])).toEqual([['error', 'SNMP::Session', 'a get callback threw: Error: callback failure']]);
  });
});
