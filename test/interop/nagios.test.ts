// End to end with Nagios 4 (Debian nagios4-core): the real send_nsca → poets-nscad → Nagios'
// external command pipe → Nagios' status.dat and log. Nagios runs on its own minimal config in a
// temporary folder, in the foreground, stopped by PID; poets-nscad listens on 127.0.0.1 only.
//
// The outage: Nagios is stopped while checks keep arriving, poets-nscad is restarted while Nagios
// is down, then Nagios starts again; every check must reach Nagios, once. The outage lasts
// POETS_NAGIOS_OUTAGE seconds (default 6; the 30 s is `POETS_NAGIOS_OUTAGE=30`). The shape
// does not depend on the length: from the first check Nagios cannot take, poets-nscad's pipe has
// no reader, every check goes to the spool, poets-nscad's restart finds it there, and the backlog
// is written once Nagios opens its pipe again; a longer outage only makes the spool longer.
//
// Just before Nagios is stopped the senders pause until Nagios has logged every check sent so
// far: what Nagios has read from its pipe but not yet processed when it is terminated (its command
// file worker is SIGKILLed, with what it holds) is lost inside Nagios, where no writer of the pipe
// can see or help it. nsca has the same limit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { haveSendNsca, sendNsca } from './helpers/commands.js';
import { NAGIOS, fail, haveNagios, nagiosConfig as writeNagiosConfig, readFileSyncSafe, run, serviceStatus, sleep, stop, until, type Child } from './helpers/nagios.js';
import { describeWithPeer } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'e2e-Nagios_pw';
const SERVICES = 400;
const OUTAGE_MS = Number(process.env.POETS_NAGIOS_OUTAGE ?? 6) * 1000;
const missing = [haveNagios ? '' : NAGIOS, haveSendNsca ? '' : '/usr/sbin/send_nsca'].filter(Boolean);

function nagiosConfig(dir: string): string {
  return writeNagiosConfig(dir, { hosts: ['web1'], services: Array.from({ length: SERVICES }, (_, i) => ({ host: 'web1', service: `s${i}` })) });
}

/** How many times Nagios logged each service's check result command. */
function commandsLogged(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const text = readFileSyncSafe(join(dir, 'nagios.log'));
  for (const m of text.matchAll(/EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;web1;(s\d+);/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

describeWithPeer(missing.length === 0 ? undefined : `${missing.join(', ')} missing (apt-get install nagios4-core nsca-client)`, 'Nagios 4 end to end: send_nsca → poets-nscad → Nagios', () => {
  let dir: string;
  let nagiosCfg: string;
  let nscadCfg: string;
  let sendCfg: string;
  let nagios: Child | undefined;
  let nscad: Child | undefined;
  let port = 0;

  async function startNagios(): Promise<void> {
    const launches = (readFileSyncSafe(join(dir, 'nagios.log')).match(/Successfully launched command file worker/g) ?? []).length;
    nagios = run(NAGIOS, [nagiosCfg]);
    await until('Nagios to open its command pipe', () => (readFileSyncSafe(join(dir, 'nagios.log')).match(/Successfully launched command file worker/g) ?? []).length > launches || (nagios!.process.exitCode !== null && fail(`nagios4 exited: ${nagios!.output()}`)));
  }

  async function startNscad(): Promise<void> {
    nscad = run(process.execPath, [POETS_NSCAD, '-c', nscadCfg]);
    const m = await until('poets-nscad to listen', () => /nscad: listening on 127\.0\.0\.1:(\d+)/.exec(nscad!.output()) ?? (nscad!.process.exitCode !== null && fail(`poets-nscad exited: ${nscad!.output()}`)));
    port = Number(m[1]);
    // a fixed port from now on, so that a restart listens where the senders send
    writeFileSync(nscadCfg, readFileSync(nscadCfg, 'utf8').replace(/^server_port=\d+$/m, `server_port=${port}`));
  }

  /** One check through the real send_nsca; false when poets-nscad did not take it (restarting). */
  async function send(i: number): Promise<boolean> {
    const result = await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-to', '5', '-c', sendCfg], `web1\ts${i}\t${i % 3}\tcheck ${i}|n=${i};5;10\n`, 10_000);
    return result.code === 0 && /^1 data packet\(s\) sent to host successfully\./.test(result.stdout.toString());
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poets-nagios-'));
    nagiosCfg = nagiosConfig(dir);
    nscadCfg = join(dir, 'nsca.cfg');
    writeFileSync(nscadCfg, ['server_address=127.0.0.1', 'server_port=0', `password=${PASSWORD}`, 'decryption_method=1', `command_file=${join(dir, 'nagios.cmd')}`, `spool_directory=${join(dir, 'spool')}`, ''].join('\n'));
    sendCfg = join(dir, 'send_nsca.cfg');
    writeFileSync(sendCfg, `password=${PASSWORD}\nencryption_method=1\n`);
    await startNagios();
    await startNscad();
  }, 60_000);

  afterAll(async () => {
    await stop(nscad);
    await stop(nagios);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 40_000);

  it('shows each result in status.dat: state, output and perfdata', async () => {
    for (const i of [0, 1, 2]) expect(await send(i)).toBe(true);
    const status = await until('status.dat to show s0..s2', () => {
      const s = serviceStatus(dir);
      return [0, 1, 2].every((i) => s.get(`s${i}`)?.plugin_output === `check ${i}`) ? s : undefined;
    });
    for (const i of [0, 1, 2]) {
      expect(status.get(`s${i}`)).toMatchObject({ current_state: String(i), plugin_output: `check ${i}`, performance_data: `n=${i};5;10`, has_been_checked: '1', check_type: '1' });
    }
  }, 60_000);

  it('Nagios stopped and restarted while checks keep arriving, poets-nscad restarted meanwhile: every check reaches Nagios, once', async () => {
    const accepted: number[] = [];
    let next = 3;
    let paused = false;
    let running = true;
    let idle: (() => void) | undefined;
    const sender = (async () => {
      while (running && next < SERVICES) {
        if (paused) {
          idle?.();
          await sleep(20);
          continue;
        }
        if (await send(next)) accepted.push(next++);
        else await sleep(50); // poets-nscad is restarting: send it again
        await sleep(40);
      }
    })();
    const pause = () => new Promise<void>((resolve) => ((idle = resolve), (paused = true)));
    const everyAcceptedLogged = () => {
      const logged = commandsLogged(dir);
      return accepted.every((i) => logged.has(`s${i}`));
    };

    await until('checks before the outage', () => accepted.length >= 20);
    await pause();
    await until('Nagios to process what was sent so far', everyAcceptedLogged);
    idle = undefined;
    expect(await stop(nagios)).toBe(0);
    const beforeOutage = accepted.length;
    paused = false;

    await sleep(OUTAGE_MS / 2);
    // poets-nscad restarted while Nagios is down: its spool carries the checks over
    expect(await stop(nscad)).toBe(0);
    expect(nscad!.output()).toMatch(/line\(s\) stay in the spool for the next start/);
    await startNscad();
    expect(nscad!.output()).toMatch(/line\(s\) from before the last stop wait to be written/);
    await sleep(OUTAGE_MS / 2);
    const duringOutage = accepted.length - beforeOutage;
    await startNagios();
    await sleep(2000);
    running = false;
    await sender;

    await until(`Nagios to log all ${accepted.length} checks`, everyAcceptedLogged, 30_000);
    await sleep(1500); // a duplicate would be logged by now
    const logged = commandsLogged(dir);
    expect(duringOutage).toBeGreaterThan(10);
    for (const i of accepted) expect(logged.get(`s${i}`), `s${i}`).toBe(1);
    const status = await until('status.dat to show every check', () => {
      const s = serviceStatus(dir);
      return accepted.every((i) => s.get(`s${i}`)?.plugin_output === `check ${i}`) ? s : undefined;
    });
    for (const i of accepted) expect(status.get(`s${i}`)).toMatchObject({ current_state: String(i % 3), plugin_output: `check ${i}`, performance_data: `n=${i};5;10` });
  }, 120_000 + OUTAGE_MS);
});
