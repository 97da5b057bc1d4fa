// The poets-nscad command as built (dist/cli/nscad.js; `npm test` builds first): exit statuses,
// messages, signals. Every child is stopped; every wait is bounded; 127.0.0.1 only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawClient } from './helpers/raw-client.js';
import { sleep } from '../../../test/support/index.js';

const NSCAD = fileURLToPath(new URL('../dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'cli-Test_pw';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(NSCAD)) throw new Error(`${NSCAD} is missing: build first (npx tsc -b)`);
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-nscad-cli-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit status (or signal), failing after `ms`. */
  exit: (ms?: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function nscad(args: string[]): Run {
  const child = spawn(process.execPath, [NSCAD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit: (ms = 10_000) => Promise.race([closed, sleep(ms).then(() => Promise.reject(new Error(`poets-nscad still running after ${ms} ms: ${stderr}`)))]),
  };
}

async function listeningPort(run: Run, ms = 10_000): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    const m = /nscad: listening on 127\.0\.0\.1:(\d+)/.exec(run.stderr());
    if (m) return Number(m[1]);
    if (run.child.exitCode !== null || Date.now() > end) throw new Error(`poets-nscad did not start: ${run.stderr()}`);
    await sleep(10);
  }
}

function config(extra: Record<string, string | number> = {}): string {
  const lines = { server_address: '127.0.0.1', server_port: 0, password: PASSWORD, decryption_method: 1, command_file: join(dir, 'nagios.cmd'), append_to_file: 1, ...extra };
  const path = join(dir, 'nsca.cfg');
  writeFileSync(path, `${Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  return path;
}

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'latin1').split('\n').slice(0, -1) : []);

async function sendMany(port: number, count: number, password = PASSWORD): Promise<void> {
  const client = await RawClient.open(port, 1, password);
  client.send(...Array.from({ length: count }, (_, i) => client.packet({ host_name: 'h', svc_description: `s${i}`, return_code: i % 4, plugin_output: `check ${i}` })));
  await client.finish(); // the server has closed: every packet was read and accepted
}

describe('poets-nscad (the command)', () => {
  it('--help prints the usage and exits 0', async () => {
    const run = nscad(['--help']);
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toMatch(/^poets-nscad - Nagios Service Check Acceptor/);
    expect(run.stdout()).toMatch(/Usage: poets-nscad \[-f\] \[-c <config_file>\] \[--single \| --inetd \| --daemon \[--workers <n>\]\] \[--json\]/);
    expect(run.stdout()).toMatch(/Exit status: 0 after SIGTERM or SIGINT/);
    expect(run.stderr()).toBe('');
  });

  it('exits 2 with the usage on an unknown option, on two modes at once, and on --inetd without a socket on stdin', async () => {
    const bad = nscad(['--bogus']);
    expect(await bad.exit()).toEqual({ code: 2, signal: null });
    expect(bad.stderr()).toMatch(/Unknown option '--bogus'[\s\S]*Usage: poets-nscad/);
    const both = nscad(['--single', '--inetd', '-c', config()]);
    expect(await both.exit()).toEqual({ code: 2, signal: null });
    expect(both.stderr()).toMatch(/^poets-nscad: --single and --inetd cannot be combined/);
    const inetd = nscad(['--inetd', '-c', config()]);
    expect(await inetd.exit()).toEqual({ code: 2, signal: null });
    expect(inetd.stderr()).toBe('poets-nscad: configuration error: --inetd: standard input is not a socket (run it from inetd or xinetd, wait = no)\n');
    for (const args of [['--daemon', '--workers', '0'], ['--daemon', '--workers', 'two'], ['--workers', '2']]) {
      const workers = nscad([...args, '-c', config()]);
      expect(await workers.exit()).toEqual({ code: 2, signal: null });
      expect(workers.stderr()).toMatch(/^poets-nscad: --workers \S+: (a whole number ≥ 1 is needed|only with --daemon)\n/);
    }
  });

  it('exits 2 naming what to use on nsca_chroot, and on a pid_file whose process is alive; a stale one is replaced', async () => {
    const chroot = nscad(['-c', config({ nsca_chroot: '/var/lib/nagios/rw' })]);
    expect(await chroot.exit()).toEqual({ code: 2, signal: null });
    expect(chroot.stderr()).toMatch(/nsca_chroot=\/var\/lib\/nagios\/rw is not supported: .*systemd RootDirectory= or a container/);
    const pidFile = join(dir, 'nsca.pid');
    writeFileSync(pidFile, `${process.pid}\n`); // this test runner: alive
    const live = nscad(['-c', config({ pid_file: pidFile })]);
    expect(await live.exit()).toEqual({ code: 2, signal: null });
    expect(live.stderr()).toMatch(/pid_file ".*nsca\.pid" already exists for running process \(\d+\)/);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    writeFileSync(pidFile, '2147483646\n'); // no such process
    const stale = nscad(['-c', config({ pid_file: pidFile })]);
    for (let i = 0; i < 400 && !stale.stderr().includes('listening on'); i++) await sleep(25);
    expect(stale.stderr()).toContain('nscad: removed stale pid_file');
    expect(readFileSync(pidFile, 'utf8')).toBe(`${stale.child.pid}\n`);
    stale.child.kill('SIGTERM');
    expect(await stale.exit()).toEqual({ code: 0, signal: null });
    expect(existsSync(pidFile)).toBe(false);
  });

  it.each([
    ['an encryption method nsca cannot run', { decryption_method: 12 }, /^poets-nscad: configuration error: .*nsca\.cfg: decryption_method: NSCA encryption method 12 \(arcfour\) cannot work/],
    ['a key without a value', { password: '' }, /^poets-nscad: configuration error: .*nsca\.cfg line 3: no value for 'password'\n$/],
    ['a port out of range', { server_port: 65536 }, /^poets-nscad: configuration error: .*nsca\.cfg line 2: invalid server_port '65536'\n$/],
    ['a bad allowed_hosts entry', { allowed_hosts: 'nowhere/33' }, /^poets-nscad: configuration error: .*nsca\.cfg: allowed_hosts: /],
  ])('exits 2 with a clear message on %s', async (_name, extra, message) => {
    const run = nscad(['-c', config(extra)]);
    expect(await run.exit()).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toMatch(message);
    expect(run.stdout()).toBe('');
  });

  it('exits 2 without command_file (unless --json), and on a config file it cannot read', async () => {
    const path = config();
    writeFileSync(path, 'server_address=127.0.0.1\nserver_port=0\npassword=x\n');
    const run = nscad(['-c', path]);
    expect(await run.exit()).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toBe(`poets-nscad: configuration error: ${path}: no command_file (or run with --json)\n`);
    const missing = nscad(['-c', join(dir, 'absent.cfg')]);
    expect(await missing.exit()).toEqual({ code: 2, signal: null });
    expect(missing.stderr()).toMatch(/^poets-nscad: configuration error: cannot read .*absent\.cfg: ENOENT/);
  });

  it.each([[[]], [['--daemon', '--workers', '2']]])('exits 1 when it cannot listen (%j)', async (mode: string[]) => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const run = nscad([...mode, '-c', config({ server_port: port })]);
      expect(await run.exit()).toEqual({ code: 1, signal: null });
      expect(run.stderr()).toMatch(new RegExp(`poets-nscad: cannot listen on 127\\.0\\.0\\.1:${port}: Address already in use`));
      expect(run.stderr()).not.toMatch(/listening on/);
    } finally {
      squatter.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 on %s after writing every check it accepted', async (signal) => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const run = nscad(['-c', config({ pid_file: join(dir, 'nscad.pid') })]);
    const port = await listeningPort(run);
    expect(readFileSync(join(dir, 'nscad.pid'), 'utf8')).toBe(`${run.child.pid}\n`);
    await sendMany(port, 500);
    run.child.kill(signal); // at once: the lines may still be waiting for their batch
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    const got = lines(cmd).map((l) => l.replace(/^\[\d+\] /, ''));
    expect(got).toHaveLength(500);
    got.forEach((l, i) => expect(l).toBe(`PROCESS_SERVICE_CHECK_RESULT;h;s${i};${i % 4};check ${i}`));
    expect(existsSync(join(dir, 'nscad.pid'))).toBe(false);
  });

  it('on SIGTERM waits (up to 5 s) for a FIFO reader to take the lines it holds, then exits 0', async () => {
    const fifo = join(dir, 'nagios.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = nscad(['-c', config({ command_file: fifo })]);
    const port = await listeningPort(run);
    await sendMany(port, 20);
    await sleep(100); // nobody reads the FIFO: nsca would have dropped all 20
    run.child.kill('SIGTERM');
    await sleep(300);
    expect(run.child.exitCode).toBeNull();
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    let text = '';
    try {
      const buf = Buffer.alloc(65536);
      const end = Date.now() + 5000;
      while (text.split('\n').length < 21 && Date.now() < end) {
        try {
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n > 0) text += buf.toString('latin1', 0, n);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        }
        await sleep(10);
      }
    } finally {
      closeSync(fd);
    }
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    expect(text.split('\n').slice(0, -1).map((l) => l.replace(/^\[\d+\] /, ''))).toEqual(Array.from({ length: 20 }, (_, i) => `PROCESS_SERVICE_CHECK_RESULT;h;s${i};${i % 4};check ${i}`));
  });

  it('re-reads its config on SIGHUP', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const path = config();
    const run = nscad(['-c', path]);
    const port = await listeningPort(run);
    config({ password: 'after-HUP' });
    run.child.kill('SIGHUP');
    const end = Date.now() + 5000;
    while (!/HUP: configuration re-read/.test(run.stderr()) && Date.now() < end) await sleep(10);
    await sendMany(port, 2, 'after-HUP');
    run.child.kill('SIGTERM');
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    expect(lines(cmd)).toHaveLength(2);
    expect(run.stderr()).toMatch(/nscad: HUP: configuration re-read/);
  });

  it('--json: exits 1 with a clear message when the reader of stdout goes away (no EPIPE crash)', async () => {
    const run = nscad(['-c', config(), '--json']);
    const port = await listeningPort(run);
    await sendMany(port, 1);
    const end = Date.now() + 5000;
    while (run.stdout() === '' && Date.now() < end) await sleep(10);
    run.child.stdout!.destroy(); // like `poets-nscad --json | head -1`
    for (let i = 0; i < 20 && run.child.exitCode === null; i++) {
      await sendMany(port, 5).catch(() => {}); // refused once it has stopped listening
      await sleep(50);
    }
    expect(await run.exit()).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toMatch(/\npoets-nscad: cannot write results to stdout: write EPIPE; stopping\n$/);
    expect(run.stderr()).not.toMatch(/Unhandled|\n\s+at /);
  });

  it('--json prints the checks on stdout, and all of them before exiting on SIGTERM', async () => {
    const run = nscad(['-c', config(), '--json']);
    const port = await listeningPort(run);
    await sendMany(port, 300);
    run.child.kill('SIGTERM');
    expect(await run.exit()).toEqual({ code: 0, signal: null });
    const objects = run.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as { svc_description: string; plugin_output: string });
    expect(objects).toHaveLength(300);
    expect(objects[299]).toMatchObject({ svc_description: 's299', plugin_output: 'check 299' });
    expect(existsSync(join(dir, 'nagios.cmd'))).toBe(false);
  });
});
