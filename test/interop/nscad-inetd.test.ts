// poets-nscad --inetd run by a REAL xinetd (-dontfork, a loopback port, wait = no): each
// connection of the REAL send_nsca is its own nscad process, its checks written to the command
// file whole; nsca_user/nsca_group drop the process to nobody/nogroup. Every process stopped by PID.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEND_NSCA, sendNsca } from './helpers/commands.js';
import { describeWithPrograms, freePort, killPids, startXinetd, until } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'Inetd-cfg_pw';

describeWithPrograms(['/usr/sbin/xinetd', SEND_NSCA], 'poets-nscad --inetd under a real xinetd, fed by the real send_nsca', () => {
  let dir: string;
  let port: number;
  let commandFile: string;
  let sendCfg: string;
  const pids: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poets-nscad-inetd-'));
    chmodSync(dir, 0o755);
    port = await freePort();
    commandFile = join(dir, 'nagios.cmd');
    writeFileSync(commandFile, '');
    chmodSync(commandFile, 0o666); // written by nobody once the process has dropped to it
    const nscaCfg = join(dir, 'nsca.cfg');
    writeFileSync(nscaCfg, [`command_file=${commandFile}`, 'append_to_file=1', `password=${PASSWORD}`, 'decryption_method=1', 'nsca_user=nobody', 'nsca_group=nogroup', 'debug=1', ''].join('\n'));
    sendCfg = join(dir, 'send_nsca.cfg');
    writeFileSync(sendCfg, `password=${PASSWORD}\nencryption_method=1\n`);
    await startXinetd(dir, { name: 'poets-nscad', port, server: process.execPath, serverArgs: `${POETS_NSCAD} -c ${nscaCfg} --inetd` }, pids);
  }, 30_000);
  afterAll(() => {
    killPids(pids, 'SIGTERM');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const lines = () => (existsSync(commandFile) ? readFileSync(commandFile, 'latin1').split('\n').slice(0, -1) : []);

  it('each send_nsca connection is one nscad process; every check reaches the command file whole', async () => {
    const input = Array.from({ length: 5 }, (_, i) => `web${i}\tHTTP\t${i % 4}\tinetd check ${i}\n`).join('\x17');
    const result = await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-c', sendCfg], input);
    expect(result.stdout.toString()).toMatch(/5 data packet\(s\) sent to host successfully/);
    await until(() => lines().length >= 5, 15_000, () => `5 lines in the command file (${lines().length})`);
    expect(lines().map((line) => line.replace(/^\[\d+\] /, ''))).toEqual(
      Array.from({ length: 5 }, (_, i) => `PROCESS_SERVICE_CHECK_RESULT;web${i};HTTP;${i % 4};inetd check ${i}`),
    );
  });

  it('ten send_nsca at once: ten processes, every check written, no line interleaved', async () => {
    const before = lines().length;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => sendNsca(['-H', '127.0.0.1', '-p', String(port), '-c', sendCfg], `host${n}\tsvc\t0\t${'x'.repeat(500)} ${n}\n`)),
    );
    expect(results.every((r) => r.code === 0)).toBe(true);
    await until(() => lines().length >= before + 10, 15_000, 'ten more lines');
    const added = lines().slice(before);
    expect(added.every((line) => /^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;host\d;svc;0;x{500} \d$/.test(line))).toBe(true);
    expect(new Set(added.map((line) => line.split(';')[1])).size).toBe(10);
  });
});
