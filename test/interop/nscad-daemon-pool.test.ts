// poets-nscad --daemon (a pool of node:cluster workers, the primary the one writer of the command
// file) driven by the REAL send_nsca 2.10: many clients at once, a worker killed mid-load, TERM
// mid-load, a garbage client. Every line must be in the command file whole and exactly once.
// 127.0.0.1 only; every wait bounded; every process started here is stopped by its PID.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { haveSendNsca, sendNsca } from './helpers/commands.js';
import { describeWithPeer, killPids, until } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'Pool-daemon_pw';
const WORKERS = 3;
/** Plugin output long enough that two workers' lines written at once would show any interleaving. */
const FILL = 'x'.repeat(1500);

let dir: string;
const pids: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-nscad-pool-'));
});
afterEach(() => {
  // the workers first (a primary killed -9 would leave them to notice on their own), then the primary
  for (const pid of [...pids]) pids.push(...workersOf(pid));
  killPids(pids.reverse());
  rmSync(dir, { recursive: true, force: true });
});

/** The primary's children: its workers. */
function workersOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

interface Daemon {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Writes nsca.cfg (again, for a HUP); its path. */
function writeConfig(password = PASSWORD, commandFile = 'nagios.cmd'): string {
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const cfg = join(dir, 'nsca.cfg');
  writeFileSync(
    cfg,
    [
      'server_address=127.0.0.1',
      'server_port=0',
      `password=${password}`,
      'decryption_method=1',
      `command_file=${join(dir, commandFile)}`,
      'append_to_file=1',
      `pid_file=${join(dir, 'nsca.pid')}`,
      `nsca_user=${userInfo().username}`,
      `nsca_group=${group}`,
      '',
    ].join('\n'),
  );
  return cfg;
}

async function startDaemon(): Promise<Daemon> {
  writeFileSync(join(dir, 'nagios.cmd'), '');
  const cfg = writeConfig();
  const child = spawn(process.execPath, [POETS_NSCAD, '-c', cfg, '--daemon', '--workers', String(WORKERS)], { stdio: ['ignore', 'ignore', 'pipe'] });
  pids.push(child.pid!);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let port = 0;
  await until(() => {
    const m = /nscad: listening on 127\.0\.0\.1:(\d+) .*3 worker processes/.exec(stderr);
    if (m) port = Number(m[1]);
    return port !== 0 || child.exitCode !== null;
  }, 15_000, () => `poets-nscad --daemon to listen: ${stderr}`);
  if (port === 0) throw new Error(`poets-nscad --daemon exited: ${stderr}`);
  await until(() => workersOf(child.pid!).length === WORKERS, 10_000, 'the workers');
  return { child, port, stderr: () => stderr, exit };
}

/** send_nsca's config, written once per test (rewriting it under running clients would garble their password). */
const sendCfg = () => {
  const path = join(dir, 'send_nsca.cfg');
  if (!existsSync(path)) writeFileSync(path, `password=${PASSWORD}\nencryption_method=1\n`);
  return path;
};

/** Check `i` of client `c`: its command line ends in `;c-i;` + FILL. */
const check = (c: number, i: number) => `host${c}\tsvc${i}\t${i % 4}\t${c}-${i};${FILL}`;
const expectedLine = (c: number, i: number) => `PROCESS_SERVICE_CHECK_RESULT;host${c};svc${i};${i % 4};${c}-${i};${FILL}`;

/** One send_nsca run of `perRun` checks; true when it says it sent them all. */
async function client(port: number, c: number, perRun: number, config = sendCfg()): Promise<boolean> {
  const input = Array.from({ length: perRun }, (_, i) => check(c, i)).join('\x17');
  const r = await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-to', '10', '-c', config], input, 20_000);
  return r.code === 0 && r.stdout.toString().includes(`${perRun} data packet(s) sent`);
}

/** Runs clients 0..n-1, `parallel` at a time; resolves to whether each succeeded. */
async function clients(port: number, n: number, perRun: number, parallel: number, started?: (c: number) => void): Promise<boolean[]> {
  const ok: boolean[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const c = next++;
        started?.(c);
        ok[c] = await client(port, c, perRun);
      }
    }),
  );
  return ok;
}

/** The command file's lines without their `[time] `; each must be one whole line of this test. */
function commandLines(file = 'nagios.cmd'): string[] {
  const text = readFileSync(join(dir, file), 'latin1');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  const lines = text.split('\n').slice(0, -1);
  for (const line of lines) expect(line).toMatch(/^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;host\d+;svc\d+;[0-3];\d+-\d+;x{1500}$/);
  return lines.map((line) => line.replace(/^\[\d+\] /, ''));
}

/** send_nsca exits once it has sent, not once the daemon has written: wait (bounded) for `lines`. */
async function linesPresent(lines: string[]): Promise<void> {
  await until(() => {
    const have = new Set(commandLines());
    return lines.every((line) => have.has(line));
  }, 15_000, () => {
    const have = new Set(commandLines());
    const missing = lines.filter((line) => !have.has(line)).map((line) => line.slice(29, 50));
    return `${lines.length} lines in the command file (${have.size} there; missing ${missing.join(' ')})`;
  }, 20);
}

/** Waits until the command file has not grown for `quietMs` (bounded); its lines. */
async function settledLines(quietMs = 500): Promise<string[]> {
  let last = -1;
  let since = Date.now();
  await until(() => {
    const n = commandLines().length;
    if (n !== last) [last, since] = [n, Date.now()];
    return Date.now() - since >= quietMs;
  }, 15_000, 'the command file to settle', 20);
  return commandLines();
}

function expectEachOnce(lines: string[]): void {
  expect(new Set(lines).size).toBe(lines.length);
}

describeWithPeer(haveSendNsca ? undefined : '/usr/sbin/send_nsca missing (apt-get install nsca-client)', 'poets-nscad --daemon with the real send_nsca', () => {
  it('many clients at once through 3 workers: every check in the command file exactly once and whole; pid_file is the primary', async () => {
    expect(existsSync(POETS_NSCAD)).toBe(true);
    const daemon = await startDaemon();
    expect(readFileSync(join(dir, 'nsca.pid'), 'utf8').trim()).toBe(String(daemon.child.pid));
    const n = 60;
    const perRun = 4;
    const ok = await clients(daemon.port, n, perRun, 12);
    expect(ok.every(Boolean)).toBe(true);
    const expected = [];
    for (let c = 0; c < n; c++) for (let i = 0; i < perRun; i++) expected.push(expectedLine(c, i));
    await linesPresent(expected);
    const lines = await settledLines();
    expectEachOnce(lines);
    expect([...lines].sort()).toEqual(expected.sort());
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, 'nsca.pid'))).toBe(false);
  }, 60_000);

  it('a worker killed -9 mid-load is replaced; the others serve on; no line twice or cut', async () => {
    const daemon = await startDaemon();
    const before = workersOf(daemon.child.pid!);
    let killed = 0;
    const load = clients(daemon.port, 40, 3, 6, (c) => {
      if (c !== 15) return;
      killed = before[0]!;
      process.kill(killed, 'SIGKILL');
    });
    const ok = await load;
    await until(() => daemon.stderr().includes(`worker ${killed} ended (SIGKILL)`), 10_000, 'the log of the killed worker');
    await until(() => workersOf(daemon.child.pid!).length === WORKERS, 10_000, 'a replacement worker');
    const now = workersOf(daemon.child.pid!);
    expect(now).not.toContain(killed);
    for (const pid of before.slice(1)) expect(now).toContain(pid);
    // at most the clients the killed worker had in hand fail
    expect(ok.filter(Boolean).length).toBeGreaterThanOrEqual(40 - 6);
    // after the replacement, every client is served by the pool
    const after = await Promise.all(Array.from({ length: 12 }, (_, k) => client(daemon.port, 100 + k, 2)));
    expect(after.every(Boolean)).toBe(true);
    await linesPresent(Array.from({ length: 12 }, (_, k) => [expectedLine(100 + k, 0), expectedLine(100 + k, 1)]).flat());
    expectEachOnce(await settledLines());
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('TERM mid-load: exit 0, every check of every client that was served is written, once and whole', async () => {
    const daemon = await startDaemon();
    const n = 50;
    const perRun = 3;
    let terminated = false;
    const load = clients(daemon.port, n, perRun, 8, (c) => {
      if (c !== 20 || terminated) return;
      terminated = true;
      daemon.child.kill('SIGTERM');
    });
    const ok = await load;
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
    expect(workersOf(daemon.child.pid!)).toEqual([]);
    expect(existsSync(join(dir, 'nsca.pid'))).toBe(false);
    const lines = commandLines();
    expectEachOnce(lines);
    // send_nsca succeeds only after the daemon's init packet: such a client was accepted, so its checks are written
    const served = ok.flatMap((good, c) => (good ? [c] : []));
    expect(served.length).toBeGreaterThanOrEqual(12);
    for (const c of served) for (let i = 0; i < perRun; i++) expect(lines).toContain(expectedLine(c, i));
  }, 60_000);

  it('HUP: the primary takes the new command_file, each worker the new password', async () => {
    const daemon = await startDaemon();
    expect(await client(daemon.port, 1, 1)).toBe(true);
    await linesPresent([expectedLine(1, 0)]);
    writeFileSync(join(dir, 'second.cmd'), '');
    writeConfig('Second-pw', 'second.cmd');
    const sendSecond = join(dir, 'send_nsca-second.cfg');
    writeFileSync(sendSecond, 'password=Second-pw\nencryption_method=1\n');
    daemon.child.kill('SIGHUP');
    // the primary's line and one per worker
    await until(() => (daemon.stderr().match(/HUP: configuration re-read/g) ?? []).length === 1 + WORKERS, 10_000, () => `the HUP lines: ${daemon.stderr()}`);
    expect(await Promise.all([2, 3, 4, 5, 6, 7].map((c) => client(daemon.port, c, 1, sendSecond)))).toEqual([true, true, true, true, true, true]);
    await until(() => commandLines('second.cmd').length === 6, 10_000, 'the checks in the new command file');
    expect(commandLines('second.cmd').sort()).toEqual([2, 3, 4, 5, 6, 7].map((c) => expectedLine(c, 0)).sort());
    expect(commandLines()).toEqual([expectedLine(1, 0)]);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('a garbage client is refused with its reason logged; the pool keeps serving', async () => {
    const daemon = await startDaemon();
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: daemon.port });
      socket.on('error', reject);
      // a whole packet's worth of bytes that are no NSCA packet (XOR with the password gives no version 3)
      socket.on('data', () => socket.end(Buffer.alloc(4304, 0xa5)));
      socket.on('close', () => resolve());
      socket.setTimeout(10_000, () => reject(new Error('the garbage client was not closed')));
    });
    await until(() => /127\.0\.0\.1:\d+ refused a packet: invalid packet version/.test(daemon.stderr()), 10_000, () => `a logged refusal: ${daemon.stderr()}`);
    expect(await client(daemon.port, 7, 2)).toBe(true);
    await linesPresent([expectedLine(7, 0), expectedLine(7, 1)]);
    expect(await settledLines()).toEqual([expectedLine(7, 0), expectedLine(7, 1)]);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toEqual({ code: 0, signal: null });
  }, 60_000);
});
