// SNMPSession's traps and informs received by the real snmptrapd, beside snmptrap's own: SNMPv3
// traps need the sender's engine ID in snmptrapd's `createUser -e`, which SecEngineId sets.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { SNMPSession, type SNMPRequestInfo, type SNMPSessionOptions } from '@poets/snmp-session';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrograms, missingPrograms } from './helpers/peers.js';
import { SNMPTRAP, SNMPTRAPD, freeUdpPort, snmpCommand } from './helpers/snmpd.js';
import { startSnmptrapd, type Snmptrapd } from './helpers/snmptrapd.js';

const ENGINE = '8000000001020304';
/** The engine ID snmptrap -e uses beside ours (a receiver keeps one notion of boots/time per engine ID). */
const C_ENGINE = '8000000001020305';
/** snmptrapd's own engine ID (`engineID poetstrapd`: Net-SNMP's text format, 0x80001f8804 then the text). */
const TRAPD_ENGINE = `80001f8804${Buffer.from('poetstrapd').toString('hex')}`;
const USER = { SecName: 'trapuser', SecLevel: 'authPriv', AuthProto: 'SHA', AuthPass: 'trapauthpass', PrivProto: 'AES', PrivPass: 'trapprivpass' };
const PROGRAMS = [SNMPTRAPD, SNMPTRAP];

let trapd: Snmptrapd | undefined;
beforeAll(async () => {
  if (missingPrograms(PROGRAMS).length > 0) return;
  trapd = await startSnmptrapd(await freeUdpPort(), [
    'engineID poetstrapd',
    // traps: the user localized to the sender's engine ID; informs: to snmptrapd's own
    `createUser -e 0x${ENGINE} ${USER.SecName} SHA ${USER.AuthPass} AES ${USER.PrivPass}`,
    `createUser -e 0x${C_ENGINE} ${USER.SecName} SHA ${USER.AuthPass} AES ${USER.PrivPass}`,
    `createUser ${USER.SecName} SHA ${USER.AuthPass} AES ${USER.PrivPass}`,
    `authUser log ${USER.SecName}`,
    'authCommunity log public',
  ]);
}, 15_000);
afterAll(async () => {
  await trapd?.stop();
});

function sender(options: SNMPSessionOptions): SNMPSession {
  return SNMPSession.create({ Alias: `trap-${Math.random()}`, DestHost: '127.0.0.1', RemotePort: trapd!.port, Timeout: 1_000_000, Retries: 2, kernel: new Kernel(), ...options });
}

const v3Args = ['-v3', '-u', USER.SecName, '-l', 'authPriv', '-a', 'SHA', '-A', USER.AuthPass, '-x', 'AES', '-X', USER.PrivPass];
const logged = (text: string) => `STRING: "${text}"`;

describeWithPrograms(PROGRAMS, 'SNMPSession traps and informs to the real snmptrapd', () => {
  it('v3 trap with SecEngineId: snmptrapd (createUser -e) receives it, as it does snmptrap -e; the engine ID is reported', async () => {
    const tag = `p${process.pid}`;
    await snmpCommand(SNMPTRAP, [...v3Args, '-e', `0x${C_ENGINE}`, `127.0.0.1:${trapd!.port}`, '', '.1.3.6.1.6.3.1.1.5.2', '.1.3.6.1.2.1.1.5.0', 's', `${tag}-c-engine`]);
    await trapd!.waitFor(logged(`${tag}-c-engine`));

    const c = sender({ Version: 3, ...USER, SecEngineId: `0x${ENGINE}` });
    try {
      expect(c.SecEngineId).toBe(ENGINE);
      // POE-style: the callback's session reports the engine ID the trap carried
      const kernel = new Kernel();
      let reported = '';
      const posting = SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: trapd!.port, Version: 3, ...USER, SecEngineId: ENGINE, kernel });
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => void _[KERNEL].post('snmp', 'trap', 'sent', '.1.3.6.1.6.3.1.1.5.2', [['sysName', 0, `${tag}-poe`, 'OCTETSTR']]),
          sent: (_) => {
            reported = (_[ARG0] as SNMPRequestInfo)[2].SecEngineId;
            _[KERNEL].post('snmp', 'finish');
          },
        },
      });
      await kernel.run();
      expect(reported).toBe(ENGINE);
      expect(posting.SecEngineId).toBe(ENGINE);
      await c.trap('.1.3.6.1.6.3.1.1.5.2', [['sysName', 0, `${tag}-ours`, 'OCTETSTR']]);
      await trapd!.waitFor(logged(`${tag}-ours`));
      await trapd!.waitFor(logged(`${tag}-poe`));
      expect(trapd!.log()).toMatch(new RegExp(`OID: \\.1\\.3\\.6\\.1\\.6\\.3\\.1\\.1\\.5\\.2\\t\\.1\\.3\\.6\\.1\\.2\\.1\\.1\\.5\\.0 = ${logged(`${tag}-ours`)}`));
    } finally {
      c.finish();
    }
  });

  it('v3 traps carry a real engine time: after snmptrap -e with the same engine ID (boots 1, time 5), ours still arrive', async () => {
    const tag = `t${process.pid}`;
    const engine = '8000000001020306';
    const late = await startSnmptrapd(await freeUdpPort(), [
      `createUser -e 0x${engine} ${USER.SecName} SHA ${USER.AuthPass} AES ${USER.PrivPass}`,
      `authUser log ${USER.SecName}`,
    ]);
    const c = SNMPSession.create({ Alias: 'late', DestHost: '127.0.0.1', RemotePort: late.port, Version: 3, ...USER, SecEngineId: engine, kernel: new Kernel() });
    try {
      await snmpCommand(SNMPTRAP, [...v3Args, '-e', `0x${engine}`, '-Z', '1,5', `127.0.0.1:${late.port}`, '', '.1.3.6.1.6.3.1.1.5.2', '.1.3.6.1.2.1.1.5.0', 's', `${tag}-c`]);
      await late.waitFor(logged(`${tag}-c`));
      // net-snmp alone sends boots 0 / time 0: behind snmptrapd's notion, dropped
      await c.trap('.1.3.6.1.6.3.1.1.5.2', [['sysName', 0, `${tag}-ours`, 'OCTETSTR']]);
      await late.waitFor(logged(`${tag}-ours`));
    } finally {
      c.finish();
      await late.stop();
    }
  });

  it('v3 trap with an engine ID snmptrapd has no user for is dropped, ours as snmptrap -e', async () => {
    const tag = `q${process.pid}`;
    const other = sender({ Version: 3, ...USER, SecEngineId: '80000000010a0b0c0d' });
    const random = sender({ Version: 3, ...USER });
    const good = sender({ Version: 3, ...USER, SecEngineId: ENGINE });
    try {
      expect(random.SecEngineId).toMatch(/^[0-9a-f]{10,64}$/);
      expect(random.SecEngineId).not.toBe(ENGINE);
      await snmpCommand(SNMPTRAP, [...v3Args, '-e', '0x80000000010a0b0c0d', `127.0.0.1:${trapd!.port}`, '', '.1.3.6.1.6.3.1.1.5.2', '.1.3.6.1.2.1.1.5.0', 's', `${tag}-c-other`]);
      await other.trap('.1.3.6.1.6.3.1.1.5.2', [['sysName', 0, `${tag}-other`, 'OCTETSTR']]);
      await random.trap('.1.3.6.1.6.3.1.1.5.2', [['sysName', 0, `${tag}-random`, 'OCTETSTR']]);
      // a good one after them: once it is logged, the others have been handled
      await good.trap('.1.3.6.1.6.3.1.1.5.2', [['sysName', 0, `${tag}-good`, 'OCTETSTR']]);
      await trapd!.waitFor(logged(`${tag}-good`));
      const log = trapd!.log();
      for (const dropped of ['c-other', 'other', 'random']) expect(log, dropped).not.toContain(logged(`${tag}-${dropped}`));
    } finally {
      other.finish();
      random.finish();
      good.finish();
    }
  });

  it('v3 inform: discovers snmptrapd\'s engine, is acknowledged, and reports that engine ID; v2c trap and inform arrive', async () => {
    const tag = `r${process.pid}`;
    const c = sender({ Version: 3, ...USER, SecEngineId: ENGINE });
    const v2 = sender({ Version: '2c' });
    try {
      const kernel = new Kernel();
      let info: SNMPRequestInfo | undefined;
      SNMPSession.create({ Alias: 'snmp', DestHost: '127.0.0.1', RemotePort: trapd!.port, Version: 3, ...USER, kernel, Timeout: 1_000_000, Retries: 2 });
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => void _[KERNEL].post('snmp', 'inform', 'acked', '.1.3.6.1.6.3.1.1.5.3', [['sysName', 0, `${tag}-inform`, 'OCTETSTR']]),
          acked: (_) => {
            info = _[ARG0] as SNMPRequestInfo;
            _[KERNEL].post('snmp', 'finish');
          },
        },
      });
      await kernel.run();
      expect(info![2].ErrorStr).toBe('');
      expect(info![2].SecEngineId).toBe(TRAPD_ENGINE);
      await trapd!.waitFor(logged(`${tag}-inform`));
      // SecEngineId given for traps does not stop an inform from reaching snmptrapd
      await c.inform('.1.3.6.1.6.3.1.1.5.3', [['sysName', 0, `${tag}-inform2`, 'OCTETSTR']]);
      await trapd!.waitFor(logged(`${tag}-inform2`));
      await v2.trap('.1.3.6.1.6.3.1.1.5.1', [['sysName', 0, `${tag}-v2trap`, 'OCTETSTR']]);
      await v2.inform('.1.3.6.1.6.3.1.1.5.1', [['sysName', 0, `${tag}-v2inform`, 'OCTETSTR']]);
      await trapd!.waitFor(logged(`${tag}-v2trap`));
      await trapd!.waitFor(logged(`${tag}-v2inform`));
    } finally {
      c.finish();
      v2.finish();
    }
  });

  it('a bad SecEngineId is refused at create', () => {
    expect(() => SNMPSession.create({ Version: 3, ...USER, SecEngineId: 'xyz', kernel: new Kernel() })).toThrow(/bad SecEngineId xyz/);
    expect(() => SNMPSession.create({ Version: 3, ...USER, SecEngineId: '0102', kernel: new Kernel() })).toThrow(/5 to 32 octets/);
  });
});
