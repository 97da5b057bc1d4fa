// End to end with Nagios 4: a passive result submitted inside poets-agent travels NSCAClient →
// poets-nscad → Nagios' external command pipe → Nagios, and Nagios' status.dat shows it with the
// right state, output and perfdata. Three sources inside the agent: a script's simple_submit on
// channel NSCA; the Scheduler running a check every second and submitting its result there; and
// NSCAServer, whose inbox channel a script subscribes to, passing on to NSCA only results that
// differ from the last one (the seed's filter_nsca) — the real send_nsca at the far end. Then the
// other way: Nagios runs the real check_nrpe (TLS, anonymous DH, as check_nrpe 4 does by default)
// against the agent's NRPEServer as an active check, and status.dat shows the agent's answer.
// Nagios, poets-nscad and the agent all run on 127.0.0.1, each stopped by PID (or in-process).
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, NSCAClient, SettingsStore, status } from '@poets/agent';
import { Kernel } from '@poets/kernel';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { haveSendNsca, sendNsca } from './helpers/commands.js';
import { NAGIOS, fail, haveNagios, nagiosConfig, readFileSyncSafe, run, serviceStatus, startNagios, stop, until, type Child } from './helpers/nagios.js';
import { describeWithPeer, freePort } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'agent-e2e_pw';
const CHECK_NRPE = '/usr/lib/nagios/plugins/check_nrpe';

const missing = [haveNagios ? '' : NAGIOS, haveSendNsca ? '' : '/usr/sbin/send_nsca', existsSync(CHECK_NRPE) ? '' : CHECK_NRPE].filter(Boolean).join(', ');

describeWithPeer(missing === '' ? undefined : `${missing} missing (apt-get install nagios4-core nsca-client nagios-nrpe-plugin)`, 'Nagios 4 end to end: poets-agent NSCAClient → poets-nscad → Nagios', () => {
  let dir: string;
  let nagios: Child | undefined;
  let nscad: Child | undefined;
  let agent: Agent | undefined;
  let inboxPort = 0;
  let nrpePort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poets-agent-nagios-'));
    nrpePort = await freePort();
    const cfg = nagiosConfig(dir, {
      hosts: ['web-01'],
      executeServiceChecks: true,
      commands: { check_nrpe_agent: `${CHECK_NRPE} -H 127.0.0.1 -p $ARG1$ -c $ARG2$` },
      services: [
        { host: 'web-01', service: 'disk' },
        { host: 'web-01', service: 'stub_every_second' },
        { host: 'web-01', service: 'relayed' },
        // checked when the test asks (a forced check), not on Nagios' schedule
        { host: 'web-01', service: 'nrpe_stub', check_command: `check_nrpe_agent!${nrpePort}!check_stub`, check_interval: 3600 },
      ],
    });
    nagios = await startNagios(dir, cfg);
    const nscadCfg = join(dir, 'nsca.cfg');
    writeFileSync(nscadCfg, ['server_address=127.0.0.1', 'server_port=0', `password=${PASSWORD}`, 'decryption_method=14', `command_file=${join(dir, 'nagios.cmd')}`, ''].join('\n'));
    nscad = run(process.execPath, [POETS_NSCAD, '-c', nscadCfg]);
    const m = await until('poets-nscad to listen', () => /nscad: listening on 127\.0\.0\.1:(\d+)/.exec(nscad!.output()) ?? (nscad!.process.exitCode !== null && fail(`poets-nscad exited: ${nscad!.output()}`)));
    writeFileSync(
      join(dir, 'report.ts'),
      `import { Core, Registry, status } from '@poets/agent';
let id = 0;
let runs = 0;
let last = '';
export function init(plugin_id: number) {
  id = plugin_id;
  Registry.get(plugin_id).simple_function('report_disk', async () => {
    const [ok, why] = await Core.get(id).simple_submit('NSCA', 'disk', status.CRITICAL, 'disk 97% used', "'/'=97%;80;90");
    return [ok ? status.OK : status.CRITICAL, ok ? 'submitted' : why, ''];
  }, 'submits the disk result');
  Registry.get(plugin_id).simple_subscription('inbox', async (_channel, _source, command, code, message, perf) => {
    if (message === last) return true;
    last = message;
    const [ok] = await Core.get(id).simple_submit('NSCA', command, code, message, perf);
    return ok;
  });
  Registry.get(plugin_id).simple_function('check_stub', () => [status.WARNING, 'stub run ' + ++runs, 'runs=' + runs], 'a check the scheduler runs');
}
`,
    );
    inboxPort = await freePort();
    agent = new Agent({
      kernel: new Kernel(),
      metricsInterval: 0,
      settings: SettingsStore.fromText(
        [
          '[/modules]',
          'TypeScript = enabled',
          'NSCAClient = enabled',
          'NSCAServer = enabled',
          'NRPEServer = enabled',
          '[/settings/NRPE/server]',
          `port = ${nrpePort}`,
          'bind to = 127.0.0.1',
          'insecure = true',
          '[/settings/NSCA/server]',
          `port = ${inboxPort}`,
          'bind to = 127.0.0.1',
          'encryption = xor',
          `password = ${PASSWORD}`,
          '[/settings/typescript/scripts]',
          `report = ${join(dir, 'report.ts')}`,
          '[/settings/NSCA/client]',
          'hostname = web-01',
          '[/settings/NSCA/client/targets/default]',
          `address = 127.0.0.1:${m[1]}`,
          'encryption = aes',
          `password = ${PASSWORD}`,
          'payload length = 4096',
          '',
        ].join('\n'),
      ),
    });
    await agent.start();
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await stop(nscad);
    await stop(nagios);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 40_000);

  it("a script's simple_submit on channel NSCA shows in status.dat: state, output, perfdata", async () => {
    expect(await agent!.simple_query('report_disk', [])).toEqual([status.OK, 'submitted', '']);
    const s = await until('status.dat to show disk', () => serviceStatus(dir).get('disk')?.has_been_checked === '1' && serviceStatus(dir).get('disk'));
    expect(s).toMatchObject({ host_name: 'web-01', current_state: '2', plugin_output: 'disk 97% used', performance_data: "'/'=97%;80;90", check_type: '1' });
  }, 30_000);

  it('a Scheduler schedule (every 1 s) reaches Nagios the same way, run after run', async () => {
    agent!.settings.set_string('/settings/scheduler/schedules/stub_every_second', 'command', 'check_stub');
    agent!.settings.set_string('/settings/scheduler/schedules/stub_every_second', 'interval', '1s');
    agent!.settings.set_string('/settings/scheduler/schedules/stub_every_second', 'run on startup', 'true');
    await agent!.load_module('Scheduler');
    const s = await until('status.dat to show a second scheduled run', () => {
      const st = serviceStatus(dir).get('stub_every_second');
      const run = Number(/^stub run (\d+)$/.exec(st?.plugin_output ?? '')?.[1] ?? 0);
      return run >= 2 && st;
    }, 30_000);
    expect(s).toMatchObject({ host_name: 'web-01', current_state: '1', check_type: '1' });
    expect(s.performance_data).toMatch(/^runs=\d+$/);
    const client = agent!.findPlugin('NSCAClient')!.instance as NSCAClient;
    expect(client.targets.get('default')!.stats.failedAnswers).toBe(0);
  }, 45_000);

  it('NSCAServer → a script on the inbox channel dropping repeats → NSCAClient → Nagios: send_nsca at the far end', async () => {
    const cfg = join(dir, 'send_nsca.cfg');
    writeFileSync(cfg, `password=${PASSWORD}\nencryption_method=1\n`);
    for (const output of ['queue 5', 'queue 5', 'queue 9|depth=9;5;8']) {
      const r = await sendNsca(['-H', '127.0.0.1', '-p', String(inboxPort), '-c', cfg], `edge-7\trelayed\t${output.startsWith('queue 9') ? 2 : 0}\t${output}\n`);
      expect(r.code).toBe(0);
    }
    const s = await until('status.dat to show the relayed change', () => serviceStatus(dir).get('relayed')?.plugin_output === 'queue 9' && serviceStatus(dir).get('relayed'));
    expect(s).toMatchObject({ host_name: 'web-01', current_state: '2', performance_data: 'depth=9;5;8' });
    // the repeat was dropped by the script: Nagios got two results for the service, not three
    expect(readFileSyncSafe(join(dir, 'nagios.log')).match(/EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;web-01;relayed;/g)).toHaveLength(2);
  }, 30_000);

  it('Nagios runs check_nrpe (TLS, anonymous DH) against the NRPEServer as an active check; status.dat shows the answer', async () => {
    const now = Math.floor(Date.now() / 1000);
    appendFileSync(join(dir, 'nagios.cmd'), `[${now}] SCHEDULE_FORCED_SVC_CHECK;web-01;nrpe_stub;${now}\n`);
    // Nagios may have run it once at its start, before the agent listened: wait for the forced run
    const s = await until('status.dat to show the forced check', () => {
      const st = serviceStatus(dir).get('nrpe_stub');
      return st !== undefined && Number(st.last_check) >= now && /^stub run \d+$/.test(st.plugin_output ?? '') && st;
    }, 30_000);
    expect(s).toMatchObject({ host_name: 'web-01', check_type: '0', current_state: '1' });
    expect(s.performance_data).toMatch(/^runs=\d+$/);
  }, 45_000);
});
