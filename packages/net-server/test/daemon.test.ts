// Daemon features in real processes: HUP restart with the listening sockets handed over (clients
// mid-request finish, new ones are never refused, the pid_file stays), user/group dropped after
// binding a low port, background, and the refusals (a user that does not exist, chroot).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, freePort, killPids, readPidFile, reapChildrenAfterEach, until } from '../../../test/support/index.js';
import { lineClient, oneRequest } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'daemon-server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'net-server-daemon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pids = reapChildrenAfterEach();

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runServer(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [fixture, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Bounded: until a request on `port` is answered by `pid`. */
async function waitServing(port: number, pid: number): Promise<void> {
  let answer = '';
  for (let i = 0; i < 300; i++) {
    answer = await oneRequest(port, 'up');
    if (answer.startsWith(`${pid}:`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pid ${pid} never served on port ${port} (last: ${answer})`);
}

describe('HUP restart with the bound sockets passed', () => {
  it('50 clients mid-request finish on the old process, new connections across the HUP are never refused, the pid_file stays', async () => {
    const port = await freePort();
    const pidFile = join(dir, 'hup.pid');
    const logFile = join(dir, 'hup.log');
    const run = runServer([`--port=${port}`, '--host=127.0.0.1', `--pid_file=${pidFile}`, `--log_file=${logFile}`]);
    await until(() => readPidFile(pidFile) === run.child.pid, 15_000, () => `the pid file (${run.output()})`);
    const oldPid = run.child.pid!;
    // the pid file is written before bind (as in Perl): wait until it serves
    await waitServing(port, oldPid);
    const held = Array.from({ length: 50 }, () => lineClient(port));
    await Promise.all(held.map((c) => c.next(1)));
    for (const c of held) c.send('hold');
    await Promise.all(held.map((c) => c.next(2)));

    // a steady stream of new connections from before the HUP until the new process answers
    const answers: string[] = [];
    let stop = false;
    const load = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) answers.push(await oneRequest(port, `n${i}`));
    })();
    await until(() => answers.length >= 5, 15_000, 'load before the HUP');
    process.kill(oldPid, 'SIGHUP');
    await until(() => (readPidFile(pidFile) ?? oldPid) !== oldPid, 30_000, () => `a new pid in the pid file (${run.output()})`);
    const newPid = readPidFile(pidFile)!;
    pids.push(newPid);
    await until(() => answers.some((a) => a.startsWith(`${newPid}:`)), 30_000, 'an answer from the new process');
    const afterNew = answers.length;
    await until(() => answers.length >= afterNew + 5, 15_000, 'load after the restart');
    stop = true;
    await load;

    expect(answers.filter((a) => !/^\d+:n\d+$/.test(a))).toEqual([]); // none refused, none cut
    // the clients in hand are still served by the old process, which then ends
    for (const c of held) c.send('finish');
    const finished = await Promise.all(held.map((c) => c.next(3)));
    expect(finished.every((lines) => lines[2] === `${oldPid}:finish`)).toBe(true);
    for (const c of held) c.send('quit');
    await Promise.all(held.map((c) => c.closed));
    await until(() => !alive(oldPid), 15_000, 'the old process to end');
    expect(readPidFile(pidFile)).toBe(newPid);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`restart_close_hook in ${oldPid}`);
    expect(log).toContain(`restart_open_hook in ${newPid}`);
    expect(log).toMatch(/Binding open file descriptor 3 \(TCP port \d+ on host 127\.0\.0\.1/);

    process.kill(newPid, 'SIGTERM');
    await until(() => !alive(newPid), 15_000, 'the new process to end on TERM');
    expect(existsSync(pidFile)).toBe(false);
  }, 120_000);

  it('a second HUP restarts the restarted process (tcp and udp sockets handed on again)', async () => {
    const port = await freePort();
    const pidFile = join(dir, 'hup2.pid');
    const run = runServer([`--port=${port}`, '--host=127.0.0.1', `--port=${port}/udp`, `--pid_file=${pidFile}`, '--log_level=0']);
    await until(() => readPidFile(pidFile) === run.child.pid, 15_000, () => `the pid file (${run.output()})`);
    let served = 0;
    const probe = setInterval(() => void oneRequest(port, 'probe').then((a) => (served = Number(a.split(':')[0]))), 50);
    let pid = run.child.pid!;
    for (let round = 0; round < 2; round++) {
      // HUP once it serves (its signal handlers are set after bind; before, HUP's default ends it, as in Perl)
      await until(() => served === pid, 15_000, 'serving before the HUP');
      process.kill(pid, 'SIGHUP');
      await until(() => (readPidFile(pidFile) ?? pid) !== pid, 30_000, 'a new pid');
      await until(() => !alive(pid), 15_000, 'the old process to end');
      pid = readPidFile(pidFile)!;
      pids.push(pid);
      expect(await oneRequest(port, 'after')).toBe(`${pid}:after`);
      expect(await udpRequest(port)).toMatch(/^You said/);
    }
    clearInterval(probe);
    process.kill(pid, 'SIGTERM');
    await until(() => !alive(pid), 15_000, 'the end on TERM');
  }, 90_000);
});

describe('user and group dropped after bind', () => {
  const root = process.getuid?.() === 0;
  it.runIf(root)('binds a low port as root, becomes nobody/nogroup, and the port still serves', async () => {
    let port = 0;
    for (const candidate of [707, 708, 709, 711, 712, 713]) {
      if (await canBind(candidate)) {
        port = candidate;
        break;
      }
    }
    expect(port).toBeGreaterThan(0);
    const pidFile = join(dir, 'drop.pid');
    const run = runServer([`--port=${port}`, '--host=127.0.0.1', '--user=nobody', '--group=nogroup', `--pid_file=${pidFile}`]);
    await until(() => readPidFile(pidFile) === run.child.pid, 15_000, () => `the pid file (${run.output()})`);
    await until(() => run.output().includes('Running as uid'), 15_000, () => run.output());
    const status = readFileSync(`/proc/${run.child.pid}/status`, 'utf8');
    const nobody = Number(/^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))![1]);
    const nogroup = Number(/^nogroup:[^:]*:(\d+):/m.exec(readFileSync('/etc/group', 'utf8'))![1]);
    expect(/^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number)).toEqual([nobody, nobody, nobody, nobody]);
    expect(/^Gid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number)).toEqual([nogroup, nogroup, nogroup, nogroup]);
    const c = lineClient(port);
    expect((await c.next(1))[0]).toBe(`ready ${run.child.pid} uid=${nobody} gid=${nogroup}`);
    c.send('quit');
    await c.closed;
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    // nobody may not write the root-owned folder, so the pid file stays, and the log says so (as Perl's)
    expect(run.output()).toContain(`Couldn't unlink "${pidFile}"`);
  }, 60_000);

  it('a user that does not exist stops the start with a clear reason, nothing left bound', async () => {
    const port = await freePort();
    const run = runServer([`--port=${port}`, '--host=127.0.0.1', '--user=no-such-user-poets']);
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain('user "no-such-user-poets" does not exist');
    expect(await canBind(port)).toBe(true);
  }, 30_000);
});

describe('background', () => {
  it('re-spawns itself detached with the bound socket; the parent exits once the child serves', async () => {
    const port = await freePort();
    const pidFile = join(dir, 'bg.pid');
    const logFile = join(dir, 'bg.log');
    const run = runServer([`--port=${port}`, '--host=127.0.0.1', '--background=1', `--pid_file=${pidFile}`, `--log_file=${logFile}`]);
    expect(await run.exited).toBe(0);
    const daemon = readPidFile(pidFile)!;
    pids.push(daemon);
    expect(daemon).not.toBe(run.child.pid);
    expect(alive(daemon)).toBe(true);
    expect(await oneRequest(port, 'hi')).toBe(`${daemon}:hi`);
    // its own session, standard streams on /dev/null
    const stat = readFileSync(`/proc/${daemon}/stat`, 'utf8').split(') ')[1]!.split(' ');
    expect(Number(stat[3])).toBe(daemon); // session id = its pid (setsid)
    expect(['0', '1', '2'].map((fd) => readlink(`/proc/${daemon}/fd/${fd}`))).toEqual(['/dev/null', '/dev/null', '/dev/null']);
    expect(readFileSync(logFile, 'utf8')).toContain('Process Backgrounded');
    killPids([daemon], 'SIGTERM');
    await until(() => !alive(daemon), 15_000, 'the daemon to end');
    expect(existsSync(pidFile)).toBe(false);
  }, 60_000);
});

function readlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '?';
  }
}

/** One datagram to the udp port; the fixture answers it with Net::Server's default `You said "..."`. */
function udpRequest(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no udp answer'));
    }, 10_000);
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(data.toString());
    });
    socket.send('ping', port, '127.0.0.1');
  });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
