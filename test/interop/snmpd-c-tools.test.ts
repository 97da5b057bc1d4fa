// SNMPSession side by side with the Net-SNMP C tools (snmpget, snmpset, snmpbulkwalk) against
// the real snmpd: set forms, walks from one arc, ErrorInd, transport addresses, OIDs the C tools
// refuse, and Perl SNMP::Session's pass-through parameters.
import { ARG0, ARG1, KERNEL, Kernel, Session } from '@poets/kernel';
import { SNMPSession, mibIndex, varbindOid, type SNMPRequestInfo, type SNMPResponse, type SNMPSessionOptions, type Varbind } from '@poets/snmp-session';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { describeWithPrograms, missingPrograms } from './helpers/peers.js';
import { NPM_MIBS, SNMPBULKWALK, SNMPD_PROGRAMS, SNMPGET, SNMPSET, parseOutput, snmpCommand, snmpCommandResult, startSnmpd, type Snmpd } from './helpers/snmpd.js';

let snmpd: Snmpd | undefined;
beforeAll(async () => {
  if (missingPrograms(SNMPD_PROGRAMS).length === 0) {
    snmpd = await startSnmpd({
      ipv6: true,
      dump: true,
      // 'viewed' sees the system and snmp groups only: a whole-tree walk stays small and stable
      config: ['view small included .1.3.6.1.2.1.1', 'view small included .1.3.6.1.2.1.11', 'rocommunity viewed 127.0.0.1 -V small'],
    });
  }
}, 15_000);
afterAll(async () => {
  await snmpd?.stop();
});

const target = () => `127.0.0.1:${snmpd!.port}`;
const SYS_CONTACT = '.1.3.6.1.2.1.1.4.0';

function component(options: SNMPSessionOptions): SNMPSession {
  return SNMPSession.create({ Alias: `snmp-${Math.random()}`, DestHost: '127.0.0.1', RemotePort: snmpd!.port, Timeout: 1_000_000, Retries: 1, kernel: new Kernel(), ...options });
}

/** What snmpget prints for sysContact.0, unquoted. */
async function sysContact(): Promise<string> {
  return parseOutput(await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-On', '-OQ', target(), SYS_CONTACT])).get(SYS_CONTACT.slice(1))!;
}

/** Posts one request POE-style from a session and resolves with its callback's ARG0/ARG1. */
async function posted(options: SNMPSessionOptions, command: string, ...args: unknown[]): Promise<{ info: SNMPRequestInfo; result: SNMPResponse[0] }> {
  const kernel = new Kernel();
  let answer: { info: SNMPRequestInfo; result: SNMPResponse[0] } | undefined;
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: snmpd!.port, Timeout: 1_000_000, Retries: 1, ...options, kernel });
        _[KERNEL].post('snmp', command, 'snmp_response', ...args);
      },
      snmp_response: (_) => {
        answer = { info: _[ARG0] as SNMPRequestInfo, result: (_[ARG1] as SNMPResponse)[0] };
        _[KERNEL].post('snmp', 'finish');
      },
    },
  });
  await kernel.run();
  return answer!;
}

describeWithPrograms(SNMPD_PROGRAMS, 'SNMPSession beside the Net-SNMP C tools, against snmpd', () => {
  it("set with the seed's [tag, iid] => value forms writes the value (read back with snmpget)", async () => {
    const stamp = `poe-${process.pid}`;
    // POE: post('snmp', 'set', 'cb', ['sysContact', 0], value)
    const poe = await posted({ Version: 2, Community: 'private' }, 'set', ['sysContact', 0], `${stamp}-a`);
    expect(poe.info[2].ErrorStr).toBe('');
    expect(poe.result).toEqual([['sysContact', '0', `${stamp}-a`, 'OCTETSTR']]);
    expect(await sysContact()).toBe(`${stamp}-a`);
    const c = component({ Version: 2, Community: 'private' });
    try {
      await c.request('set', ['sysContact', 0], `${stamp}-b`);
      expect(await sysContact()).toBe(`${stamp}-b`);
      await c.request('set', ['sysContact', '0'], `${stamp}-c`, 'OCTETSTR');
      expect(await sysContact()).toBe(`${stamp}-c`);
      await c.set('sysContact.0', `${stamp}-d`);
      expect(await sysContact()).toBe(`${stamp}-d`);
      // and what snmpset writes, we read
      await snmpCommand(SNMPSET, ['-v2c', '-c', 'private', '-On', target(), SYS_CONTACT, 's', `${stamp}-e`]);
      expect((await c.get('sysContact.0'))[0]![2]).toBe(`${stamp}-e`);
    } finally {
      c.finish();
    }
  });

  it('walks from a one-arc OID (.1, 1) and from the root return the whole tree, as snmpbulkwalk does', async () => {
    const expected = parseOutput(await snmpCommand(SNMPBULKWALK, ['-v2c', '-c', 'viewed', '-On', target(), '.1']));
    // the restricted view: the system and snmp groups
    expect(expected.size).toBeGreaterThan(20);
    expect(expected.size).toBeLessThan(500);
    const c = component({ Version: 2, Community: 'viewed' });
    try {
      for (const start of ['.1', '1', '.']) {
        const [list] = await c.bulkWalk(0, 10, [[start]]);
        expect(list!.map((vb) => varbindOid(vb)), `bulkwalk from ${start}`).toEqual([...expected.keys()]);
        const [walked] = await c.walk([[start]]);
        expect(walked!.map((vb) => varbindOid(vb)), `walk from ${start}`).toEqual([...expected.keys()]);
      }
    } finally {
      c.finish();
    }
  });

  it('ErrorInd names the failing varbind: v1 get of a missing object second, a set failing on the second', async () => {
    const missing = '.1.3.6.1.2.1.1.5.99';
    const cGet = await snmpCommandResult(SNMPGET, ['-v1', '-c', 'public', '-On', '-Cf', target(), '.1.3.6.1.2.1.1.5.0', missing]);
    expect(cGet.stderr).toContain(`Failed object: ${missing}`);
    const v1 = component({ Version: 1 });
    const v1w = component({ Version: 1, Community: 'private' });
    const v2w = component({ Version: 2, Community: 'private' });
    try {
      await expect(v1.get([['.1.3.6.1.2.1.1.5.0'], [missing]])).rejects.toMatchObject({ ErrorNum: 2, ErrorInd: 2 });
      const poe = await posted({ Version: 1 }, 'get', [['sysName', 0], ['sysName', 99]]);
      expect([poe.result, poe.info[2].ErrorNum, poe.info[2].ErrorInd]).toEqual([undefined, 2, 2]);

      // v2c set: the second has the wrong type (snmpset says wrongType, Failed object the second)
      const cSet = await snmpCommandResult(SNMPSET, ['-v2c', '-c', 'private', '-On', target(), SYS_CONTACT, 's', 'x', '.1.3.6.1.2.1.1.5.0', 'i', '5']);
      expect(cSet.stderr).toMatch(/wrongType[\s\S]*Failed object: \.1\.3\.6\.1\.2\.1\.1\.5\.0/);
      await expect(v2w.set([['sysContact', 0, 'x', 'OCTETSTR'], ['sysName', 0, 5, 'INTEGER']])).rejects.toMatchObject({ ErrorNum: 7, ErrorInd: 2 });
      // v1 set: the second is read-only (noSuchName in v1)
      const cSet1 = await snmpCommandResult(SNMPSET, ['-v1', '-c', 'private', '-On', target(), SYS_CONTACT, 's', 'x', '.1.3.6.1.2.1.1.1.0', 's', 'y']);
      expect(cSet1.stderr).toMatch(/noSuchName[\s\S]*Failed object: \.1\.3\.6\.1\.2\.1\.1\.1\.0/);
      await expect(v1w.set([['sysContact', 0, 'x', 'OCTETSTR'], ['sysDescr', 0, 'y', 'OCTETSTR']])).rejects.toMatchObject({ ErrorNum: 2, ErrorInd: 2 });
    } finally {
      v1.finish();
      v1w.finish();
      v2w.finish();
    }
  });

  it('Net-SNMP transport addresses as DestHost: udp:127.0.0.1:PORT, udp6:[::1]:PORT; other transports refused', async () => {
    for (const address of [`udp:127.0.0.1:${snmpd!.port}`, `udp6:[::1]:${snmpd!.port}`]) {
      const expected = parseOutput(await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-On', '-OQ', address, '.1.3.6.1.2.1.1.5.0']));
      const c = SNMPSession.create({ Alias: 'transport', DestHost: address, Version: 2, Timeout: 1_000_000, Retries: 1, kernel: new Kernel() });
      try {
        expect((await c.get('.1.3.6.1.2.1.1.5.0'))[0]![2], address).toBe(expected.get('1.3.6.1.2.1.1.5.0'));
        expect(c.RemotePort).toBe(snmpd!.port);
      } finally {
        c.finish();
      }
    }
    expect(() => SNMPSession.create({ DestHost: `tcp:127.0.0.1:${snmpd!.port}`, kernel: new Kernel() })).toThrow(/transport 'tcp' is not supported/);
  });

  it('OIDs the C tools refuse to build are refused at once with their error; an unknown MIB module is an error', async () => {
    const c = component({ Version: 2, Timeout: 5_000_000, Retries: 2 });
    try {
      for (const oid of ['99999999999.1', '3.1', '.1.3.4294967296']) {
        const started = Date.now();
        const error = await c.get(oid).then(
          () => undefined,
          (e: unknown) => e as { message: string; ErrorNum: number },
        );
        expect(error, oid).toBeDefined();
        expect(error!.message, oid).toMatch(/^Error building ASN\.1 representation \(Can't build OID for variable\)/);
        expect(error!.ErrorNum).toBe(-1);
        // Not a Timeout after 3 x 5 s: refused before anything is sent. A generous bound, still
        // well short of the 15 s a timeout would take.
        expect(Date.now() - started).toBeLessThan(12_000);
      }
      for (const oid of ['99999999999.1', '3.1']) {
        const cTool = await snmpCommandResult(SNMPGET, ['-v2c', '-c', 'public', '-On', target(), oid]);
        expect(cTool.code, oid).not.toBe(0);
        expect(cTool.stderr, oid).toContain("Error building ASN.1 representation (Can't build OID for variable)");
      }
      const cModule = await snmpCommandResult(SNMPGET, ['-v2c', '-c', 'public', ...NPM_MIBS, target(), 'FOO-MIB::sysName.0']);
      expect(cModule.stderr).toContain('Cannot find module (FOO-MIB)');
      await expect(c.get('FOO-MIB::sysName.0')).rejects.toThrow(/Unknown OID: FOO-MIB::sysName\.0 \(Cannot find module \(FOO-MIB\)\)/);
      // a loaded module that does not define the name
      await expect(c.get('IF-MIB::sysName.0')).rejects.toThrow(/Unknown OID/);
      expect((await c.get('SNMPv2-MIB::sysName.0'))[0]![0]).toBe('sysName');
    } finally {
      c.finish();
    }
  });

  it('UseNumeric and UseLongNames: tags as snmpget -On and -Of print them', async () => {
    const oids = ['.1.3.6.1.2.1.1.1.0', '.1.3.6.1.2.1.2.2.1.2.1', '.1.3.6.1.2.1.1.9.1.2.1'];
    const numeric = component({ Version: 2, UseNumeric: 1 });
    const long = component({ Version: 2, UseLongNames: 1 });
    try {
      const n = await numeric.get(oids.map((oid) => [oid] as Varbind));
      expect(n.map((vb) => vb.slice(0, 2))).toEqual([
        ['.1.3.6.1.2.1.1.1', '0'],
        ['.1.3.6.1.2.1.2.2.1.2', '1'],
        ['.1.3.6.1.2.1.1.9.1.2', '1'],
      ]);
      expect(numeric.UseLongNames).toBe(true);
      const printedN = [...parseOutput(await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-On', target(), ...oids])).keys()];
      expect(n.map((vb) => `${vb[0]}.${vb[1]}`.slice(1))).toEqual(printedN);
      const l = await long.get(oids.map((oid) => [oid] as Varbind));
      const printedF = (await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-Of', ...NPM_MIBS, target(), ...oids])).split('\n').filter(Boolean).map((line) => line.split(' = ')[0]);
      expect(l.map((vb) => `${vb[0]}.${vb[1]}`)).toEqual(printedF);
      expect(l[0]!.slice(0, 2)).toEqual(['.iso.org.dod.internet.mgmt.mib-2.system.sysDescr', '0']);
      // a walk answers in the same form
      const [walked] = await long.bulkWalk(0, 10, [['ifDescr']]);
      expect(walked![0]![0]).toBe('.iso.org.dod.internet.mgmt.mib-2.interfaces.ifTable.ifEntry.ifDescr');
    } finally {
      numeric.finish();
      long.finish();
    }
  });

  it('UseSprintValue and UseEnums: values as snmpget -Oqv prints them', async () => {
    const sprint = component({ Version: 2, UseSprintValue: 1 });
    const enums = component({ Version: 2, UseEnums: 1 });
    try {
      for (const base of ['.1.3.6.1.2.1.1', '.1.3.6.1.2.1.2.2.1.3', '.1.3.6.1.2.1.2.2.1.6', '.1.3.6.1.2.1.2.2.1.7', '.1.3.6.1.2.1.2.2.1.9', '.1.3.6.1.2.1.2.1']) {
        const text = await snmpCommand(SNMPBULKWALK, ['-v2c', '-c', 'public', '-Oqs', ...NPM_MIBS, target(), base]);
        const cLines = text.split('\n').filter(Boolean);
        const [list] = await sprint.bulkWalk(0, 10, [[base]]);
        expect(list!.length, base).toBe(cLines.length);
        list!.forEach((vb, i) => {
          const line = cLines[i]!;
          const cValue = line.slice(line.indexOf(' ') + 1);
          if (vb[0] === 'sysUpTime') expect(vb[2]).toMatch(/^\d+:\d+:\d\d:\d\d\.\d\d$/);
          else expect(vb[2], `${vb[0]}.${String(vb[1])}`).toBe(cValue);
        });
      }
      const [admin] = await enums.bulkWalk(0, 10, [['ifAdminStatus']]);
      const cAdmin = (await snmpCommand(SNMPBULKWALK, ['-v2c', '-c', 'public', '-Oqv', ...NPM_MIBS, target(), 'IF-MIB::ifAdminStatus'])).split('\n').filter(Boolean);
      expect(admin!.map((vb) => vb[2])).toEqual(cAdmin);
      expect(admin!.map((vb) => vb[3])).toEqual(cAdmin.map(() => 'INTEGER'));
      // without a label the number stays (ifIndex has no enumeration)
      expect((await enums.get('ifIndex.1'))[0]![2]).toBe(1);
    } finally {
      sprint.finish();
      enums.finish();
    }
  });

  it('RetryNoSuch (v1): the missing variable is dropped and the rest asked again, as snmpget does by default', async () => {
    const missing = '.1.3.6.1.2.1.1.5.99';
    const cTool = await snmpCommandResult(SNMPGET, ['-v1', '-c', 'public', '-On', '-OQ', target(), '.1.3.6.1.2.1.1.5.0', missing, '.1.3.6.1.2.1.1.6.0']);
    const printed = parseOutput(cTool.stdout);
    expect(cTool.stderr).toContain(`Failed object: ${missing}`);
    const c = component({ Version: 1, RetryNoSuch: 1 });
    try {
      const list = await c.get([['.1.3.6.1.2.1.1.5.0'], [missing], ['.1.3.6.1.2.1.1.6.0']]);
      expect(list.map((vb) => vb[2])).toEqual([printed.get('1.3.6.1.2.1.1.5.0'), undefined, printed.get('1.3.6.1.2.1.1.6.0')]);
      expect(list[1]!.slice(0, 2)).toEqual(['sysName', '99']);
      // all missing: every value undefined, no error
      expect((await c.get([[missing]])).map((vb) => vb[2])).toEqual([undefined]);
    } finally {
      c.finish();
    }
  });

  it('LocalPort: requests leave from that port (snmpd -d logs the source)', async () => {
    const local = await new Promise<number>((resolve) => {
      const socket = createSocket('udp4');
      socket.bind(0, () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
    });
    const c = component({ Version: 2, LocalPort: local });
    try {
      expect(c.LocalPort).toBe(local);
      expect((await c.get('sysName.0'))[0]![0]).toBe('sysName');
      expect(snmpd!.log()).toContain(`from UDP: [127.0.0.1]:${local}->`);
    } finally {
      c.finish();
    }
  });

  it('unknown parameters are refused naming the accepted ones; Perl parameters the engine cannot honour are refused by name', () => {
    const kernel = new Kernel();
    expect(() => SNMPSession.create({ DestHost: '127.0.0.1', UseSprintValues: 1, kernel } as SNMPSessionOptions)).toThrow(
      /unknown parameter UseSprintValues; accepted: Alias, DestHost, .*UseSprintValue.*/,
    );
    expect(() => SNMPSession.create({ DestHost: '127.0.0.1', VarFormats: {}, kernel } as SNMPSessionOptions)).toThrow(/parameter VarFormats is not supported/);
    expect(() => SNMPSession.create({ DestHost: '127.0.0.1', BestGuess: 1, kernel })).toThrow(/BestGuess 1 is not supported/);
    expect(mibIndex().longName('1.3.6.1.2.1.1.1')).toBe('.iso.org.dod.internet.mgmt.mib-2.system.sysDescr');
  });
});
