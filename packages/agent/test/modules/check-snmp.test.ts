// CheckSNMP against the real snmpd on loopback (the snmp-session interop harness).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Agent } from '@poets/agent';
import { describeWithPrograms } from '../../../../test/interop/helpers/peers.js';
import { SNMPD_PROGRAMS, SNMPGET, haveSnmpd, snmpCommand, startSnmpd, type Snmpd } from '../../../../test/interop/helpers/snmpd.js';
import { makeAgent, type RecordingLogger } from '../helpers.js';

let snmpd: Snmpd | undefined;
let agent: Agent;
let logger: RecordingLogger;
beforeAll(async () => {
  if (haveSnmpd) snmpd = await startSnmpd();
  ({ agent, logger } = makeAgent());
  await agent.start();
  await agent.load_module('CheckSNMP', 'CheckSNMP');
});
afterAll(async () => {
  await agent.stop();
  await snmpd?.stop();
});
const q = (name: string, ...args: string[]) => agent.simple_query(name, [`port=${snmpd!.port}`, 'timeout=1', ...args]);

describeWithPrograms(SNMPD_PROGRAMS, 'CheckSNMP against snmpd', () => {
  it('check_snmp_get: a MIB name and a numeric OID, the values snmpget prints, warn/crit on them', async () => {
    const printed = (await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-Oqv', `127.0.0.1:${snmpd!.port}`, '.1.3.6.1.2.1.2.1.0'])).trim();
    const [code, message, perf] = await q('check_snmp_get', 'oid=ifNumber.0', 'warn=value > 1000', 'crit=value < 1');
    expect([code, message]).toEqual([0, `OK: ifNumber.0 = ${printed}`]);
    expect(perf).toBe(`'ifNumber.0'=${printed};1000;1`);
    const [c2] = await q('check_snmp_get', 'oid=1.3.6.1.2.1.2.1.0', `crit=value = ${printed}`);
    expect(c2).toBe(2);
    const [, text] = await q('check_snmp_get', 'oid=sysName.0', 'detail-syntax=${text}');
    expect(text.length).toBeGreaterThan(4);
  });

  it('check_snmp_interface: ifTable walked, lo up, rates between runs', async () => {
    const [code, message] = await q('check_snmp_interface', 'interface=lo');
    expect([code, message]).toEqual([0, 'OK: All 1 interface(s) are ok']);
    await new Promise((r) => setTimeout(r, 1100));
    const [, second, perf] = await q('check_snmp_interface', 'interface=lo', 'show-all', 'top-syntax=${list}', 'warn=in_rate > 1000000000');
    expect(second).toMatch(/^lo: up \(in \d+ B\/s, out \d+ B\/s\)$/);
    expect(perf).toMatch(/^'lo in_rate'=\d+B\/s;1000000000;$/);
    expect(await q('check_snmp_interface', 'interface=nope0')).toEqual([3, "interface: 'nope0' is not in 127.0.0.1:" + snmpd!.port + "'s ifTable", '']);
  });

  it('bad input: no oid, an unknown name, a bad port, nobody answering — UNKNOWN with the reason, logged', async () => {
    expect((await q('check_snmp_get'))[1]).toMatch(/no oid given/);
    expect((await q('check_snmp_get', 'oid=noSuchThing.0'))[0]).toBe(3);
    expect((await agent.simple_query('check_snmp_get', ['port=99999', 'oid=sysName.0']))[1]).toMatch(/port: '99999' is not a port/);
    expect((await agent.simple_query('check_snmp_get', ['port=9', 'timeout=0.2', 'retries=0', 'oid=sysName.0']))[0]).toBe(3);
    expect((await q('check_snmp_get', 'oid=sysName.0', 'version=3'))[1]).toMatch(/SNMPv3 is not offered/);
    expect(logger.text()).toMatch(/check_snmp_get refused: /);
    expect((await q('check_snmp_get', 'oid=sysUpTime.0'))[0]).toBe(0);
  });
});
