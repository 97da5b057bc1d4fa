import { execFile } from 'node:child_process';
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { SNMPSession, SNMPTrapReceiver, type SNMPTrap } from '@poets/snmp-session';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { describeWithPrograms } from '../../../test/interop/helpers/peers.js';

const V3USER = { SecName: 'trapuser', SecLevel: 'authPriv', AuthProto: 'SHA', AuthPass: 'trapauthpass', PrivProto: 'AES', PrivPass: 'trapprivpass' };

async function receiver(kernel: Kernel): Promise<[SNMPTrapReceiver, number]> {
  const r = SNMPTrapReceiver.create({ Alias: `traps-${Math.random()}`, Port: 0, Community: 'public', Users: [V3USER], kernel });
  for (let i = 0; i < 100 && r.port() === undefined; i++) await new Promise((ok) => setTimeout(ok, 10));
  return [r, r.port()!];
}

describe('traps and informs', () => {
  it('our sender to our receiver: v1 trap, v2c trap and inform, v3 trap and inform', async () => {
    const kernel = new Kernel();
    const [r, port] = await receiver(kernel);
    const got = firstValueFrom(r.traps$.pipe(take(5), toArray()));
    const common = { DestHost: '127.0.0.1', RemotePort: port, Timeout: 500_000, Retries: 2, kernel };
    const v1 = SNMPSession.create({ ...common, Alias: 'v1', Version: 1 });
    const v2 = SNMPSession.create({ ...common, Alias: 'v2', Version: '2c' });
    const v3 = SNMPSession.create({ ...common, Alias: 'v3', Version: 3, ...V3USER });
    try {
      await v1.trap('.1.3.6.1.4.1.8072.2.3.7', [['sysName', 0, 'one', 'OCTETSTR']], { agentAddr: '127.0.0.1' });
      await v2.trap('coldStart', [['sysName', 0, 'two', 'OCTETSTR']]);
      const answer = await v2.inform('.1.3.6.1.4.1.8072.2.3.0.1', [['sysContact', 0, 'inf', 'OCTETSTR']]);
      expect(answer.find((vb) => vb[0] === 'sysContact')?.[2]).toBe('inf');
      await v3.trap('warmStart', [['sysName', 0, 'three', 'OCTETSTR']]);
      await v3.inform('linkDown', [['ifIndex', 1, 2, 'INTEGER']]);
      const traps = await got;
      expect(traps.map((t) => [t.version, t.type])).toEqual([
        [1, 'trap'],
        [2, 'trapv2'],
        [2, 'inform'],
        [3, 'trapv2'],
        [3, 'inform'],
      ]);
      expect(traps[0]).toMatchObject({ enterprise: '.1.3.6.1.4.1.8072.2.3', genericTrap: 6, specificTrap: 7, trapOid: '.1.3.6.1.4.1.8072.2.3.0.7', community: 'public' });
      expect(traps[0]!.varbinds[0]!.slice(0, 3)).toEqual(['sysName', '0', 'one']);
      expect(traps[1]!.trapOid).toBe('.1.3.6.1.6.3.1.1.5.1');
      expect(traps[3]).toMatchObject({ user: 'trapuser', trapOid: '.1.3.6.1.6.3.1.1.5.2' });
      expect(traps[4]!.varbinds.find((vb) => vb[0] === 'ifIndex')?.[2]).toBe(2);
    } finally {
      v1.finish();
      v2.finish();
      v3.finish();
      r.stop();
    }
  }, 15_000);

  it('posts to registered sessions (POE register/unregister); the kernel ends after shutdown', async () => {
    const kernel = new Kernel();
    const [r, port] = await receiver(kernel);
    const seen: [SNMPTrap, unknown][] = [];
    const sender = SNMPSession.create({ Alias: 'sender', DestHost: '127.0.0.1', RemotePort: port, Version: 2, kernel });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].post(r.Alias, 'register', 'got_trap', 'ctx');
          _[KERNEL].delay('send', 0.05);
        },
        send: () => {
          void sender.trap('coldStart');
        },
        got_trap: (_) => {
          seen.push([_[ARG0] as SNMPTrap, _[ARG0 + 1]]);
          sender.finish();
          _[KERNEL].post(r.Alias, 'unregister');
          _[KERNEL].post(r.Alias, 'shutdown');
        },
      },
    });
    const timer = setTimeout(() => r.stop(), 5000);
    await kernel.run();
    clearTimeout(timer);
    expect(seen.length).toBe(1);
    expect(seen[0]![0].trapOid).toBe('.1.3.6.1.6.3.1.1.5.1');
    expect(seen[0]![1]).toBe('ctx');
  }, 10_000);

});

const SNMPTRAP = '/usr/bin/snmptrap';
describeWithPrograms([SNMPTRAP], 'traps from the real snmptrap', () => {
  it('the real snmptrap (v1, v2c, v3 authPriv) to our receiver', async () => {
    const kernel = new Kernel();
    const [r, port] = await receiver(kernel);
    const got = firstValueFrom(r.traps$.pipe(take(3), toArray()));
    const run = (args: string[]) =>
      new Promise<void>((ok, fail) => execFile(SNMPTRAP, args, { timeout: 10_000, env: { ...process.env, MIBS: '' } }, (e, _o, stderr) => (e ? fail(new Error(`${e.message} ${stderr}`)) : ok())));
    const to = `127.0.0.1:${port}`;
    try {
      await run(['-v1', '-c', 'public', to, '.1.3.6.1.4.1.8072.2.3', '127.0.0.1', '6', '17', '', '.1.3.6.1.2.1.1.5.0', 's', 'v1trap']);
      await run(['-v2c', '-c', 'public', to, '', '.1.3.6.1.6.3.1.1.5.1', '.1.3.6.1.2.1.1.5.0', 's', 'v2trap']);
      await run(['-v3', '-u', V3USER.SecName, '-l', 'authPriv', '-a', 'SHA', '-A', V3USER.AuthPass, '-x', 'AES', '-X', V3USER.PrivPass, '-e', '0x8000000001020304', to, '', '.1.3.6.1.6.3.1.1.5.2', '.1.3.6.1.2.1.1.5.0', 's', 'v3trap']);
      const traps = await got;
      expect(traps[0]).toMatchObject({ version: 1, genericTrap: 6, specificTrap: 17, trapOid: '.1.3.6.1.4.1.8072.2.3.0.17' });
      expect(traps[1]).toMatchObject({ version: 2, trapOid: '.1.3.6.1.6.3.1.1.5.1' });
      expect(traps[2]).toMatchObject({ version: 3, user: 'trapuser', trapOid: '.1.3.6.1.6.3.1.1.5.2' });
      expect(traps.map((t) => t.varbinds.find((vb) => vb[0] === 'sysName')?.[2])).toEqual(['v1trap', 'v2trap', 'v3trap']);
    } finally {
      r.stop();
    }
  }, 20_000);
});
