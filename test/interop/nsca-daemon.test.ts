// poets-send-nsca and Client::NSCA against the REAL nsca daemon (Debian 2.10.2), for every
// encryption method this build provides; the real send_nsca runs beside them as the baseline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '@poets/kernel';
import { ClientNSCA, sendChecks, supportedMethods, type NscaCheck } from '@poets/server-nsca';
import { haveNsca, haveSendNsca, poetsSendNsca, requireBuiltCommand, sendNsca } from './helpers/commands.js';
import { startNscaDaemon, withoutTime, type NscaDaemon } from './helpers/nsca-daemon.js';
import { describeWithPeer } from '../support/index.js';

const ready = haveNsca && haveSendNsca;
const missing = ready ? undefined : `${haveNsca ? '' : '/usr/sbin/nsca '}${haveSendNsca ? '' : '/usr/sbin/send_nsca '}missing (apt-get install nsca nsca-client)`;

const PASSWORD = 'Interop-pw_42';

/** Four sets: service checks, a host check, an output nsca escapes (backslash, newline). */
const INPUT = [
  'web01\tHTTP\t0\tHTTP OK: 200 in 0.01 s|time=0.01s',
  'web01\t1\tHost slow; 2 of 3 probes',
  'db01\tDisk /\t2\tCRITICAL back\\slash\nsecond line',
  'db01\tBackup\t-1\tnegative rc',
].join('\x17');

const CHECKS: NscaCheck[] = [
  { host_name: 'web01', svc_description: 'HTTP', return_code: 0, plugin_output: 'HTTP OK: 200 in 0.01 s|time=0.01s' },
  { host_name: 'web01', return_code: 1, plugin_output: 'Host slow; 2 of 3 probes' },
  { host_name: 'db01', svc_description: 'Disk /', return_code: 2, plugin_output: 'CRITICAL back\\slash\nsecond line' },
  { host_name: 'db01', svc_description: 'Backup', return_code: -1, plugin_output: 'negative rc' },
];

const EXPECTED = [
  'PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;HTTP OK: 200 in 0.01 s|time=0.01s',
  'PROCESS_HOST_CHECK_RESULT;web01;1;Host slow; 2 of 3 probes',
  'PROCESS_SERVICE_CHECK_RESULT;db01;Disk /;2;CRITICAL back\\\\slash\\nsecond line',
  'PROCESS_SERVICE_CHECK_RESULT;db01;Backup;-1;negative rc',
];

describeWithPeer(missing, 'interop: the real nsca daemon', () => {
  const dir = ready ? mkdtempSync(join(tmpdir(), 'poets-nsca-interop-')) : '';
  let daemon: NscaDaemon | undefined;

  beforeAll(() => requireBuiltCommand());
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /** The lines a run added to the command file, without their timestamps. */
  async function linesAfter(run: () => Promise<unknown>, count: number): Promise<string[]> {
    const before = daemon!.lines().length;
    await run();
    const lines = await daemon!.waitForLines(before + count);
    return lines.slice(before).map(withoutTime);
  }

  describe.each(supportedMethods())('decryption_method=%i', (method) => {
    it('takes the checks of send_nsca, poets-send-nsca and Client::NSCA alike', async () => {
      daemon = await startNscaDaemon({ method, password: PASSWORD, dir });
      const config = join(dir, `send_nsca-${method}.cfg`);
      writeFileSync(config, `password=${PASSWORD}\nencryption_method=${method}\n`);
      const argv = ['-H', '127.0.0.1', '-p', String(daemon.port), '-c', config];

      const baseline = await linesAfter(async () => {
        const result = await sendNsca(argv, INPUT);
        expect(result.stdout.toString()).toBe('4 data packet(s) sent to host successfully.\n');
      }, 4);
      expect(baseline).toEqual(EXPECTED);

      const ours = await linesAfter(async () => {
        const result = await poetsSendNsca(argv, INPUT);
        expect([result.code, result.stdout.toString(), result.stderr.toString()]).toEqual([0, '4 data packet(s) sent to host successfully.\n', '']);
      }, 4);
      expect(ours).toEqual(EXPECTED);

      const client = await linesAfter(async () => {
        const results = await sendChecks({ host: '127.0.0.1', port: daemon!.port, password: PASSWORD, encryption: method }, CHECKS);
        expect(results.every((r) => r.success)).toBe(true);
      }, 4);
      expect(client).toEqual(EXPECTED);
    });
  });

  it('takes legacy (720-byte) packets: poets-send-nsca --legacy-2-7-mode, and Client::NSCA one per connection', async () => {
    daemon = await startNscaDaemon({ method: 1, password: PASSWORD, dir });
    const config = join(dir, 'send_nsca-legacy.cfg');
    writeFileSync(config, `password=${PASSWORD}\nencryption_method=1\n`);
    // nsca 2.10 takes a 720-byte packet only as the last of its connection: one set per run.
    const long = `web01\tLog\t1\t${'x'.repeat(600)}`;
    const ours = await linesAfter(() => poetsSendNsca(['-H', '127.0.0.1', '-p', String(daemon!.port), '-c', config, '--legacy-2-7-mode'], long), 1);
    expect(ours).toEqual([`PROCESS_SERVICE_CHECK_RESULT;web01;Log;1;${'x'.repeat(511)}`]);
    const client = await linesAfter(() => sendChecks({ host: '127.0.0.1', port: daemon!.port, password: PASSWORD, encryption: 1, legacy: true }, CHECKS.slice(0, 3)), 3);
    expect(client).toEqual(EXPECTED.slice(0, 3));
  });

  it('Client::NSCA the POE way: a spawned component sends many results over its connection', async () => {
    daemon = await startNscaDaemon({ method: 14, password: PASSWORD, dir });
    const kernel = new Kernel();
    const nsca = ClientNSCA.spawn({ host: '127.0.0.1', port: daemon.port, password: PASSWORD, encryption: 14, kernel });
    const lines = await linesAfter(async () => {
      const results = await Promise.all(CHECKS.map((check, i) => nsca.send(check, i)));
      expect(results.map((r) => [r.success, r.context])).toEqual([
        [true, 0],
        [true, 1],
        [true, 2],
        [true, 3],
      ]);
      nsca.shutdown();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([kernel.run(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('kernel still running')), 5_000)))]).finally(() => clearTimeout(timer));
    }, 4);
    expect(lines).toEqual(EXPECTED);
  });
});
