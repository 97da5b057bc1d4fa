// HUP restart of the process pools (PreFork, PreForkSimple, Fork): the new parent listens on the
// sockets the old one hands over and starts its own children; clients in hand finish on the old
// pool; a steady stream of new connections across the HUP is never refused or cut; the old parent
// and its children then leave, and the pid_file holds the new parent.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, freePort, readPidFile, reapChildrenAfterEach, until } from '../../../test/support/index.js';
import { lineClient, oneRequest } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'pool-echo.mjs');
const dir = mkdtempSync(join(tmpdir(), 'net-server-pool-hup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pids = reapChildrenAfterEach();

/** Children of `parent` still running (from /proc), so the test can reap what a failed run leaves. */
const childrenOf = (parent: number): number[] => {
  try {
    return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

const pools: [string, string[]][] = [
  ['PreFork', ['--min_servers=3', '--min_spare_servers=1', '--max_spare_servers=4', '--max_servers=12']],
  ['PreForkSimple', ['--max_servers=8']],
  ['Fork', ['--max_servers=20']],
];

describe.each(pools)('HUP restart of %s', (type, settings) => {
  it('clients in hand finish on the old pool, none of a steady stream of new connections is refused, the new parent takes over', async () => {
    const port = await freePort();
    const pidFile = join(dir, `${type}.pid`);
    const logFile = join(dir, `${type}.log`);
    const child = spawn(process.execPath, [fixture, type, `--port=${port}`, `--pid_file=${pidFile}`, `--log_file=${logFile}`, '--log_level=3', ...settings], { stdio: ['ignore', 'pipe', 'pipe'] });
    pids.push(child.pid!);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    const oldPid = child.pid!;
    await until(() => /^listening /m.test(out), 15_000, () => `${type} to listen: ${out}`);
    for (let i = 0; i < 300 && (await oneRequest(port, 'ppid')) !== String(oldPid); i++);

    const held = Array.from({ length: 4 }, () => lineClient(port));
    await Promise.all(held.map((c) => c.next(1)));
    for (const c of held) c.send('hold');
    await Promise.all(held.map((c) => c.next(2)));

    const answers: string[] = [];
    let stop = false;
    const load = (async () => {
      for (let i = 0; i < 3000 && !stop; i++) answers.push(await oneRequest(port, 'ppid'));
    })();
    await until(() => answers.length >= 5, 15_000, 'load before the HUP');
    process.kill(oldPid, 'SIGHUP');
    await until(() => (readPidFile(pidFile) ?? oldPid) !== oldPid, 30_000, () => `a new pid in the pid file (${out})`);
    const newPid = readPidFile(pidFile)!;
    pids.push(newPid);
    await until(() => answers.includes(String(newPid)), 30_000, () => `an answer from the new pool (${answers.slice(-5).join(' ')})`);
    const afterNew = answers.length;
    await until(() => answers.length >= afterNew + 10, 15_000, 'load after the restart');
    stop = true;
    await load;
    for (const pid of childrenOf(newPid)) pids.push(pid);

    expect(answers.filter((a) => a !== String(oldPid) && a !== String(newPid))).toEqual([]); // none refused, none cut
    // once the new pool serves, the old one takes nothing more
    expect(answers.slice(answers.indexOf(String(newPid))).filter((a) => a === String(oldPid))).toEqual([]);
    for (const c of held) c.send('ppid');
    const finished = await Promise.all(held.map((c) => c.next(3)));
    expect(finished.map((lines) => lines[2])).toEqual(held.map(() => String(oldPid)));
    for (const c of held) c.send('quit');
    await Promise.all(held.map((c) => c.closed));
    await until(() => !alive(oldPid), 20_000, () => `the old parent to end (${out})`);
    expect(readPidFile(pidFile)).toBe(newPid);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/Binding open file descriptor 3 \(TCP port \d+ on host 127\.0\.0\.1/);

    process.kill(newPid, 'SIGTERM');
    await until(() => !alive(newPid), 20_000, 'the new parent to end on TERM');
  }, 120_000);
});
