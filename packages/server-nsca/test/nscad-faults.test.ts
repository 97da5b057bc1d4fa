// poets-nscad (the built command) under faults: SIGKILL mid-load, restarts with a spool, a
// Nagios pipe with no reader. Each client counts a check as acknowledged only once the daemon has
// closed its connection. Every child is stopped; every wait is bounded; 127.0.0.1 only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RawClient } from './helpers/raw-client.js';
import { sleep } from '../../../test/support/index.js';

const NSCAD = fileURLToPath(new URL('../dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'faults-Pw_1';
const LINE = /^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;h;s\d+;[0-3];check \d+$/;

let dir: string;
const children: ChildProcess[] = [];
const readers: number[] = [];

beforeAll(() => {
  if (!existsSync(NSCAD)) throw new Error(`${NSCAD} is missing: build first (npx tsc -b)`);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-nscad-faults-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  for (const fd of readers.splice(0)) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

function start(extra: Record<string, string | number> = {}) {
  const cfg = { server_address: '127.0.0.1', server_port: 0, password: PASSWORD, decryption_method: 1, command_file: join(dir, 'nagios.cmd'), append_to_file: 1, ...extra };
  const path = join(dir, 'nsca.cfg');
  writeFileSync(path, `${Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  const child = spawn(process.execPath, [NSCAD, '-c', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const port = (async () => {
    const end = Date.now() + 10_000;
    for (;;) {
      const m = /nscad: listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) return Number(m[1]);
      if (child.exitCode !== null || Date.now() > end) throw new Error(`poets-nscad did not start: ${stderr}`);
      await sleep(10);
    }
  })();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, port, exit, stderr: () => stderr };
}

/**
 * One check per connection, `parallel` at a time, until `stop()`. `acked` holds the checks whose
 * connection the daemon closed before `freeze()` (called just before a kill: a FIN seen after it
 * may be the kernel's, closing a dead process's sockets, which no client can tell from an ack).
 */
function load(port: number, parallel = 8) {
  const acked: number[] = [];
  let next = 0;
  let running = true;
  let frozen = false;
  const worker = async () => {
    while (running) {
      const i = next++;
      let client: RawClient;
      try {
        client = await RawClient.open(port, 1, PASSWORD);
      } catch {
        await sleep(5);
        continue;
      }
      client.send(client.packet({ host_name: 'h', svc_description: `s${i}`, return_code: i % 4, plugin_output: `check ${i}` }));
      const ended = await Promise.race([client.finish().then(() => !frozen), sleep(5000).then(() => false)]);
      if (ended && !client.socket.errored) acked.push(i);
      client.socket.destroy();
    }
  };
  const workers = Array.from({ length: parallel }, worker);
  return {
    acked,
    sent: () => next,
    freeze: () => {
      frozen = true;
    },
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

const linesOf = (text: string) => text.split('\n').slice(0, -1);
const checkNumber = (line: string) => Number(/;check (\d+)$/.exec(line)![1]);

describe('poets-nscad under faults', () => {
  it('SIGKILL mid-load, one check per connection: every check whose connection the daemon closed is in the command file, whole', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const daemon = start();
    const port = await daemon.port;
    const traffic = load(port);
    while (traffic.acked.length < 300) await sleep(10);
    traffic.freeze();
    daemon.child.kill('SIGKILL');
    await daemon.exit;
    await traffic.stop();
    const lines = linesOf(readFileSync(cmd, 'latin1'));
    for (const line of lines) expect(line).toMatch(LINE);
    const written = new Set(lines.map(checkNumber));
    expect(written.size).toBe(lines.length); // once each
    const missing = traffic.acked.filter((i) => !written.has(i));
    expect(missing).toEqual([]);
  });

  it('a FIFO with no reader, a spool, SIGKILL, a restart, then a reader: every acknowledged check arrives once, in order', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const spool = join(dir, 'spool');
    const first = start({ command_file: fifo, spool_directory: spool });
    const traffic = load(await first.port, 4);
    while (traffic.acked.length < 200) await sleep(10);
    traffic.freeze();
    first.child.kill('SIGKILL');
    await first.exit;
    await traffic.stop();
    const acked = [...traffic.acked];

    const second = start({ command_file: fifo, spool_directory: spool });
    await second.port;
    expect(second.stderr()).toMatch(/line\(s\) from before the last stop wait to be written/);
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    readers.push(fd);
    let text = '';
    const buf = Buffer.alloc(65536);
    const end = Date.now() + 15_000;
    const done = () => {
      const got = new Set(linesOf(text).map(checkNumber));
      return acked.every((i) => got.has(i));
    };
    while (!done() && Date.now() < end) {
      try {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n > 0) text += buf.toString('latin1', 0, n);
        else await sleep(10);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        await sleep(10);
      }
    }
    await sleep(200); // anything more (a duplicate) would arrive now
    try {
      for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) text += buf.toString('latin1', 0, n);
    } catch {
      /* EAGAIN: all read */
    }
    const lines = linesOf(text);
    for (const line of lines) expect(line).toMatch(LINE);
    const numbers = lines.map(checkNumber);
    expect(new Set(numbers).size).toBe(numbers.length); // once each
    expect(acked.filter((i) => !numbers.includes(i))).toEqual([]);
    // in the order they were accepted: per-connection checks from 4 workers, so only roughly by number;
    // what the spool replays keeps the daemon's order exactly: the line times never go back
    const times = lines.map((l) => Number(/^\[(\d+)\]/.exec(l)![1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    second.child.kill('SIGTERM');
    expect(await second.exit).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM with a FIFO that has no reader and a spool: exits at once, nothing lost, written at the next start', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const spool = join(dir, 'spool');
    const first = start({ command_file: fifo, spool_directory: spool });
    const traffic = load(await first.port, 4);
    while (traffic.acked.length < 100) await sleep(10);
    traffic.freeze();
    first.child.kill('SIGTERM');
    expect(await first.exit).toEqual({ code: 0, signal: null });
    await traffic.stop();
    expect(first.stderr()).toMatch(/line\(s\) stay in the spool for the next start/);
    const spooled = readFileSync(join(spool, '0000000000000001.spool'), 'latin1');
    const numbers = linesOf(spooled).map(checkNumber);
    expect(traffic.acked.filter((i) => !numbers.includes(i))).toEqual([]);
  });
});
