// Issue 15 item 14: poets-nscad at a 1,024-descriptor limit (run under `prlimit --nofile=1024`),
// attacked by 2,000 idle connections kept open, serves the REAL send_nsca meanwhile: the oldest
// connections that never sent a packet are closed to let it in, and that is logged, rate-limited.
// Loopback only; counts and waits bounded; the daemon stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { haveSendNsca, sendNsca } from './helpers/commands.js';
import { exited } from './helpers/nsca-daemon.js';
import { describeWithPeer } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const havePrlimit = spawnSync('prlimit', ['--version']).status === 0;
const ready = haveSendNsca && havePrlimit;
const missing = ready ? undefined : `${haveSendNsca ? '' : '/usr/sbin/send_nsca '}${havePrlimit ? '' : 'prlimit (util-linux) '}missing`;
const PASSWORD = 'Interop-fd_pw';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPeer(missing, 'poets-nscad at 1,024 descriptors, 2,000 idle connections (item 14)', () => {
  let dir: string;
  let child: ChildProcess;
  let port = 0;
  let stderr = '';
  const cmd = () => join(dir, 'nagios.cmd');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poets-interop-fd-'));
    writeFileSync(cmd(), '');
    const cfg = join(dir, 'nsca.cfg');
    writeFileSync(cfg, `server_address=127.0.0.1\nserver_port=0\npassword=${PASSWORD}\ndecryption_method=1\ncommand_file=${cmd()}\nappend_to_file=1\n`);
    if (!existsSync(POETS_NSCAD)) throw new Error(`${POETS_NSCAD} is missing: build first (npx tsc -b)`);
    child = spawn('prlimit', ['--nofile=1024', process.execPath, POETS_NSCAD, '-c', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const listening = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (listening) {
        port = Number(listening[1]);
        break;
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`poets-nscad did not start: ${stderr}`);
      await sleep(20);
    }
  }, 20_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited(child), sleep(5000).then(() => child.kill('SIGKILL'))]);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('runs with the soft descriptor limit raised to the hard one (Node does it at start: no setrlimit needed)', async () => {
    const cfg = join(dir, 'raised.cfg');
    writeFileSync(cfg, `server_address=127.0.0.1\nserver_port=0\npassword=${PASSWORD}\ndecryption_method=1\n`);
    const raised = spawn('prlimit', ['--nofile=1024:4096', process.execPath, POETS_NSCAD, '-c', cfg, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    raised.stderr!.on('data', (d) => (err += d));
    try {
      const deadline = Date.now() + 10_000;
      while (!/listening on/.test(err)) {
        if (raised.exitCode !== null || Date.now() > deadline) throw new Error(`poets-nscad did not start: ${err}`);
        await sleep(20);
      }
      expect(readFileSync(`/proc/${raised.pid}/limits`, 'utf8')).toMatch(/Max open files\s+4096\s+4096/);
    } finally {
      raised.kill('SIGTERM');
      await exited(raised);
    }
  });

  it('serves every send_nsca run during the attack, and logs the exhaustion rate-limited', async () => {
    expect(readFileSync(`/proc/${child.pid}/limits`, 'utf8')).toMatch(/Max open files\s+1024\s+1024/);
    // the attack: 2,000 connections that never send, each one closed opened again (bounded: 6,000 opens)
    const open = new Set<Socket>();
    let opens = 0;
    let stopped = false;
    const one = () => {
      if (stopped || opens >= 6000) return;
      opens++;
      const socket = connect(port, '127.0.0.1');
      open.add(socket);
      socket.on('error', () => {});
      socket.resume();
      socket.on('close', () => {
        open.delete(socket);
        setTimeout(one, 10);
      });
    };
    for (let i = 0; i < 2000; i++) one();
    await sleep(1000);
    const config = join(dir, 'send_nsca.cfg');
    writeFileSync(config, `password=${PASSWORD}\nencryption_method=1\n`);
    const codes: (number | null)[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const result = await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-to', '10', '-c', config], `web${i}\tattack\t0\tserved during the attack`, 15_000);
        codes.push(result.code);
      }
    } finally {
      stopped = true;
      for (const socket of open) socket.destroy();
    }
    expect(codes).toEqual(Array(20).fill(0));
    const deadline = Date.now() + 10_000;
    const lines = () => readFileSync(cmd(), 'latin1').split('\n').filter((l) => /;attack;0;served during the attack$/.test(l));
    while (lines().length < 20 && Date.now() < deadline) await sleep(50);
    expect(lines()).toHaveLength(20);
    expect(opens).toBeGreaterThan(2000); // the server did close idle connections to make room
    // the first shed is logged at once; the rest wait for a summary (at most one per 10 s)
    const shed = stderr.split('\n').filter((l) => /descriptors exhausted/.test(l));
    expect(shed[0]).toMatch(/^nsca: 127\.0\.0\.1:\d+ descriptors exhausted \(\d+ connections open, descriptor limit 1024, \d+ for connections\): closing the oldest connection without a complete packet$/);
    expect(shed.length).toBeLessThanOrEqual(5);
    expect(child.exitCode).toBeNull();
  }, 120_000);
});
