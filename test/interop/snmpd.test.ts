import { Kernel } from '@poets/kernel';
import { SNMPSession, mibIndex, varbindOid, type SNMPSessionOptions, type Varbind, type VarList } from '@poets/snmp-session';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrograms } from './helpers/peers.js';
import { SNMPBULKWALK, SNMPD_PROGRAMS, SNMPGET, V3, haveSnmpd, parseOutput, snmpCommand, startSnmpd, type Snmpd } from './helpers/snmpd.js';

let snmpd: Snmpd | undefined;
beforeAll(async () => {
  if (haveSnmpd) snmpd = await startSnmpd();
}, 15_000);
afterAll(async () => {
  await snmpd?.stop();
});

const target = () => `127.0.0.1:${snmpd!.port}`;

function component(options: SNMPSessionOptions): SNMPSession {
  return SNMPSession.create({ Alias: `snmp-${Math.random()}`, DestHost: '127.0.0.1', RemotePort: snmpd!.port, Timeout: 1_000_000, Retries: 1, kernel: new Kernel(), ...options });
}

/** A Varbind value as snmpget -Oe -Ot -OQ prints it. */
function printed(vb: Varbind): string {
  const value = vb[2];
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return String(value);
}

function comparable(text: string): string {
  // Hex-STRING lines: "00 11 22" → "001122"
  return /^([0-9A-F]{2} )*[0-9A-F]{2} ?$/.test(text) ? text.replace(/ /g, '').toLowerCase() : text;
}

const OIDS = ['.1.3.6.1.2.1.1.1.0', '.1.3.6.1.2.1.1.2.0', '.1.3.6.1.2.1.1.5.0', '.1.3.6.1.2.1.2.1.0', '.1.3.6.1.2.1.2.2.1.2.1', '.1.3.6.1.2.1.2.2.1.5.1'];

describeWithPrograms(SNMPD_PROGRAMS, 'SNMPSession against the real snmpd', () => {
  it('get (v1, v2c, v3 authPriv SHA/AES): the same values snmpget prints', async () => {
    const expected = parseOutput(await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-On', '-Oe', '-Ot', '-OQ', target(), ...OIDS]));
    expect(expected.size).toBe(OIDS.length);
    const v3 = { Version: 3, SecName: V3.SecName, SecLevel: 'authPriv', AuthProto: 'SHA', AuthPass: V3.AuthPass, PrivProto: 'AES', PrivPass: V3.PrivPass };
    for (const options of [{ Version: 1 }, { Version: '2c' }, v3] as SNMPSessionOptions[]) {
      const c = component(options);
      try {
        const list = await c.get(OIDS.map((oid) => [oid] as Varbind));
        const got = new Map(list.map((vb) => [varbindOid(vb), comparable(printed(vb))]));
        for (const [oid, value] of expected) expect(got.get(oid), `${oid} (Version ${String(options.Version)})`).toBe(comparable(value));
        // symbolic names come back
        expect(list[0]!.slice(0, 2)).toEqual(['sysDescr', '0']);
        expect(list[4]!.slice(0, 2)).toEqual(['ifDescr', '1']);
      } finally {
        c.finish();
      }
    }
  });

  it('bulkwalk of system and ifTable columns: the same as snmpbulkwalk', async () => {
    const c = component({ Version: 2 });
    try {
      for (const base of ['.1.3.6.1.2.1.1', '.1.3.6.1.2.1.2.2.1.2', '.1.3.6.1.2.1.2.2.1.10']) {
        const expected = parseOutput(await snmpCommand(SNMPBULKWALK, ['-v2c', '-c', 'public', '-On', '-Oe', '-Ot', '-OQ', target(), base]));
        const [list] = await c.bulkWalk(0, 10, [[base]]);
        const got = list!.map((vb) => [varbindOid(vb), comparable(printed(vb))]);
        expect(got.map(([oid]) => oid)).toEqual([...expected.keys()]);
        for (const [oid, value] of got) {
          if (oid === '1.3.6.1.2.1.1.3.0') continue; // sysUpTime moves
          expect(value, oid).toBe(comparable(expected.get(oid!)!));
        }
      }
    } finally {
      c.finish();
    }
  });

  it('walk (v1 getnext) equals bulkwalk; getbulk with non-repeaters in PDU order', async () => {
    const v1 = component({ Version: 1 });
    const v2 = component({ Version: 2 });
    try {
      const [walked] = await v1.walk([['ifDescr']]);
      const [bulk] = await v2.bulkWalk(0, 3, [['ifDescr']]);
      expect(walked).toEqual(bulk);
      expect(walked!.length).toBeGreaterThan(0);
      const list = await v2.getBulk(1, 2, [['sysName'], ['ifIndex'], ['ifDescr']]);
      expect(list.map((vb) => `${vb[0]}.${vb[1]}`)).toEqual(['sysName.0', 'ifIndex.1', 'ifDescr.1', `ifIndex.${String(bulk![1]?.[1] ?? '')}`, `ifDescr.${String(bulk![1]?.[1] ?? '')}`].slice(0, list.length));
      expect(list).toHaveLength(bulk!.length > 1 ? 5 : 3);
    } finally {
      v1.finish();
      v2.finish();
    }
  });

  it('set sysContact through the rw community, read back with snmpget; v1 noSuchName is an error', async () => {
    const c = component({ Version: 2, Community: 'private' });
    const v1 = component({ Version: 1 });
    try {
      const stamp = `poets-${process.pid}`;
      expect(await c.set('sysContact.0', stamp)).toEqual([['sysContact', '0', stamp, 'OCTETSTR']]);
      const read = parseOutput(await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-On', '-OQ', target(), '.1.3.6.1.2.1.1.4.0']));
      expect(read.get('1.3.6.1.2.1.1.4.0')).toBe(stamp);
      await expect(v1.get('sysORID.999')).rejects.toMatchObject({ ErrorNum: 2 });
      // read-only community: the agent refuses
      const ro = component({ Version: 2 });
      await expect(ro.set(['sysContact', 0, 'x', 'OCTETSTR'])).rejects.toThrow(/NoAccess|NotWritable|authorization/i);
      ro.finish();
    } finally {
      c.finish();
      v1.finish();
    }
  });

  it('SNMPv3 wrong password and unknown user are error callbacks', async () => {
    const bad = component({ Version: 3, SecName: V3.SecName, SecLevel: 'authPriv', AuthProto: 'SHA', AuthPass: 'wrongpassword', PrivProto: 'AES', PrivPass: V3.PrivPass, Timeout: 300_000, Retries: 0 });
    const unknown = component({ Version: 3, SecName: 'nobody', SecLevel: 'noAuthNoPriv', Timeout: 300_000, Retries: 0 });
    try {
      await expect(bad.get('sysName.0')).rejects.toThrow();
      await expect(unknown.get('sysName.0')).rejects.toThrow();
    } finally {
      bad.finish();
      unknown.finish();
    }
  });

  it('the MIB index names what snmpd serves in the system group', () => {
    expect(mibIndex().split('1.3.6.1.2.1.1.9.1.2.1')).toEqual(['sysORID', '1']);
  });

  it('500 concurrent gets against snmpd all answer', async () => {
    const c = component({ Version: 2, maxOutstanding: 50 });
    try {
      const answers = await Promise.all(Array.from({ length: 500 }, () => c.get('sysName.0')));
      expect(new Set(answers.map((a: VarList) => a[0]![2])).size).toBe(1);
    } finally {
      c.finish();
    }
  });
});
