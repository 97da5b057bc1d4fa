// poets-nscad against the real Debian programs:
// (a) the REAL send_nsca 2.10.2 → poets-nscad, for every encryption method this build provides;
// (b) the REAL nsca 2.10.2 daemon and poets-nscad with the same nsca.cfg fed the same send_nsca
//     runs: their command files must be byte-identical once the leading `[time] ` is removed
//     (where nsca loses checks by design defect, the difference is asserted as such).
// Everything listens on 127.0.0.1 only; every wait is bounded; every process is stopped.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Nscad, supportedMethods } from '@poets/server-nsca';
import { NSCA, haveNsca, haveSendNsca, sendNsca } from './helpers/commands.js';
import { canConnect, describeWithPeer, freePort } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'Interop-nscad_pw!';

const sendNscaMissing = haveSendNsca ? undefined : '/usr/sbin/send_nsca missing (apt-get install nsca-client)';
const nscaMissing = haveSendNsca && haveNsca ? undefined : `${haveNsca ? '' : '/usr/sbin/nsca '}${haveSendNsca ? '' : '/usr/sbin/send_nsca '}missing (apt-get install nsca nsca-client)`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lines of a command file, as bytes (latin1 keeps every byte), `[time] ` removed. */
function commandLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path).toString('latin1');
  return text.split('\n').slice(0, -1).map((line) => line.replace(/^\[\d+\] /, ''));
}

async function waitForLines(path: string, count: number, ms = 10_000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const lines = commandLines(path);
    if (lines.length >= count) return lines;
    if (Date.now() > end) throw new Error(`${path}: ${lines.length} of ${count} lines after ${ms} ms:\n${lines.join('\n')}`);
    await sleep(10);
  }
}

/** Waits until the file has not grown for `quietMs` (bounded by `ms`); returns its lines. */
async function settledLines(path: string, quietMs = 300, ms = 5_000): Promise<string[]> {
  const end = Date.now() + ms;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const lines = commandLines(path);
    if (lines.length !== last) {
      last = lines.length;
      since = Date.now();
    }
    if (Date.now() - since >= quietMs || Date.now() > end) return lines;
    await sleep(20);
  }
}

function sendConfig(dir: string, method: number, password = PASSWORD): string {
  const path = join(dir, `send_nsca-${method}.cfg`);
  writeFileSync(path, `password=${password}\nencryption_method=${method}\n`);
  return path;
}

/** Runs the real send_nsca; returns how many packets it says it sent. */
async function send(port: number, config: string, input: Buffer | string, extra: string[] = []): Promise<number> {
  const result = await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-to', '5', '-c', config, ...extra], input, 10_000);
  const out = result.stdout.toString();
  const sent = /^(\d+) data packet\(s\) sent to host successfully\./.exec(out);
  if (result.code !== 0 || sent === null) throw new Error(`send_nsca exited ${result.code}: ${out}${result.stderr.toString()}`);
  return Number(sent[1]);
}

// ---------------------------------------------------------------------------------------------
// (a) send_nsca → poets-nscad, every method

describeWithPeer(sendNscaMissing, 'the real send_nsca → poets-nscad', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'poets-interop-nscad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(supportedMethods())('method %i: one and several checks per run, host and service checks, --legacy-2-7-mode', async (method) => {
    const cmd = join(dir, `nagios-${method}.cmd`);
    writeFileSync(cmd, '');
    const cfg = join(dir, `nsca-${method}.cfg`);
    writeFileSync(cfg, `server_address=127.0.0.1\nserver_port=0\npassword=${PASSWORD}\ndecryption_method=${method}\ncommand_file=${cmd}\nappend_to_file=1\n`);
    const logs: string[] = [];
    const daemon = Nscad.start({ configPath: cfg, log: (line) => logs.push(line) });
    try {
      const port = daemon.address()!.port!;
      const config = sendConfig(dir, method);
      expect(await send(port, config, 'web01\tHTTP\t0\tHTTP OK: 200|time=0.01s\n')).toBe(1);
      expect(await send(port, config, 'web01\tHTTP\t2\tdown\\up\nsecond line\x17web01\t1\thost check; slow\x17db01\tDisk /\t-1\tneg')).toBe(3);
      expect(await send(port, config, 'old\tlegacy\t3\tsent as 2.7 does', ['--legacy-2-7-mode'])).toBe(1);
      // two 720-byte packets on one connection: nsca drops both (see nsca-protocol.md §6); poets-nscad takes them
      expect(await send(port, config, 'old\t0\tlegacy one\x17old\tsvc\t1\tlegacy two', ['--legacy-2-7-mode'])).toBe(2);
      const lines = await waitForLines(cmd, 7);
      expect(lines).toEqual([
        'PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;HTTP OK: 200|time=0.01s',
        'PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;2;down\\\\up\\nsecond line',
        'PROCESS_HOST_CHECK_RESULT;web01;1;host check; slow',
        'PROCESS_SERVICE_CHECK_RESULT;db01;Disk /;-1;neg',
        'PROCESS_SERVICE_CHECK_RESULT;old;legacy;3;sent as 2.7 does',
        'PROCESS_HOST_CHECK_RESULT;old;0;legacy one',
        'PROCESS_SERVICE_CHECK_RESULT;old;svc;1;legacy two',
      ]);
      expect(logs.filter((l) => !/listening on/.test(l))).toEqual([]);
    } finally {
      await daemon.stop();
    }
  });

  it('a send_nsca with the wrong password gets nothing written, and the refusal is logged', async () => {
    const cmd = join(dir, 'wrong.cmd');
    writeFileSync(cmd, '');
    const cfg = join(dir, 'wrong.cfg');
    writeFileSync(cfg, `server_address=127.0.0.1\nserver_port=0\npassword=${PASSWORD}\ndecryption_method=1\ncommand_file=${cmd}\nappend_to_file=1\n`);
    const logs: string[] = [];
    const daemon = Nscad.start({ configPath: cfg, log: (line) => logs.push(line) });
    try {
      const port = daemon.address()!.port!;
      await send(port, sendConfig(dir, 1, 'not-the-password'), 'h\ts\t0\tx');
      const end = Date.now() + 5000;
      while (!logs.some((l) => /refused a packet/.test(l)) && Date.now() < end) await sleep(10);
      expect(logs.find((l) => /refused a packet/.test(l))).toMatch(/invalid packet version|CRC-32 mismatch/);
      expect(commandLines(cmd)).toEqual([]);
    } finally {
      await daemon.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// (b) nsca and poets-nscad side by side: the same config, the same send_nsca runs


function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** TERM, then KILL after `ms`; resolves with how it ended. */
async function stopChild(child: ChildProcess, ms = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const gone = await Promise.race([exited(child).then(() => true), sleep(ms).then(() => false)]);
    if (!gone) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  return { code: child.exitCode, signal: child.signalCode };
}

/** nsca.cfg for both daemons: only the port, pid_file and the files differ. */
function daemonConfig(dir: string, name: string, port: number, method: number): { path: string; commandFile: string } {
  const commandFile = join(dir, `${name}.cmd`);
  writeFileSync(commandFile, '');
  const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim() || String(process.getgid?.() ?? 0);
  const path = join(dir, `${name}.cfg`);
  writeFileSync(
    path,
    [
      `pid_file=${join(dir, `${name}.pid`)}`,
      `server_port=${port}`,
      'server_address=127.0.0.1',
      `nsca_user=${userInfo().username}`,
      `nsca_group=${group}`,
      'debug=0',
      `command_file=${commandFile}`,
      `alternate_dump_file=${join(dir, `${name}.dump`)}`,
      'aggregate_writes=0',
      'append_to_file=1',
      'max_packet_age=30',
      `password=${PASSWORD}`,
      `decryption_method=${method}`,
      '',
    ].join('\n'),
  );
  return { path, commandFile };
}

interface Daemon {
  port: number;
  commandFile: string;
  child: ChildProcess;
  stderr: () => string;
}

/** The real nsca, foreground, single mode, as the current user (a port taken meanwhile: try again). */
async function startNsca(dir: string, method: number): Promise<Daemon> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const { path, commandFile } = daemonConfig(dir, `nsca-${method}`, port, method);
    const child = spawn(NSCA, ['-f', '-c', path, '--single'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      if (await canConnect(port)) return { port, commandFile, child, stderr: () => stderr };
      await sleep(25);
    }
    await stopChild(child, 1000);
  }
  throw new Error('could not start nsca on a free port in 3 attempts');
}

/** The built poets-nscad with the same config, on a port of its own (server_port=0). */
async function startPoets(dir: string, method: number): Promise<Daemon> {
  if (!existsSync(POETS_NSCAD)) throw new Error(`${POETS_NSCAD} is missing: build first (npx tsc -b)`);
  const { path, commandFile } = daemonConfig(dir, `poets-${method}`, 0, method);
  const child = spawn(process.execPath, [POETS_NSCAD, '-c', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listening = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
    if (listening) return { port: Number(listening[1]), commandFile, child, stderr: () => stderr };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child, 1000);
      throw new Error(`poets-nscad did not start: ${stderr}`);
    }
    await sleep(20);
  }
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

/**
 * send_nsca inputs that must come out the same from both daemons (each one send_nsca run; `\x17`
 * separates the checks of a run). Strings are UTF-8 unless built from bytes.
 */
const SAME: { name: string; input: Buffer | string; args?: string[] }[] = [
  { name: 'service check', input: 'web01\tHTTP\t0\tHTTP OK: 200 in 0.01 s|time=0.01s;1;2;0\n' },
  { name: 'host check', input: 'web01\t1\tPING WARNING - 2 of 3 lost' },
  { name: 'backslashes', input: 'h\tbackslash\t0\tC:\\dir\\file \\n is not a newline, \\\\ two, end \\' },
  { name: 'multi-line output', input: 'h\tmultiline\t1\tline one\nline two\n\nline four|perf=1\nmore perf' },
  { name: 'tabs in output', input: 'h\ttabs\t2\tcol1\tcol2\t\tcol4 after two tabs' },
  { name: 'semicolons and pipes', input: "h\tsemicolons\t0\tOK; a=1; b=2 | 'perf a'=1;2;3;4 \"q\"" },
  { name: 'UTF-8', input: 'hôst-ü\tsérvice ✓\t0\tÜnïcödé 日本語 ✓ — ok' },
  { name: '4095-byte output', input: `h\tmaxlen\t0\t${'0123456789abcdef'.repeat(256).slice(0, 4095)}` },
  { name: 'output cut at 4095 bytes', input: `h\toverlong\t0\t${'x'.repeat(4000)}${'y'.repeat(600)}` },
  { name: '4095 backslashes (8190 bytes escaped)', input: `h\tallbackslash\t3\t${'\\'.repeat(4095)}` },
  { name: 'many newlines', input: `h\tnewlines\t0\ta${'\n'.repeat(2000)}b` },
  { name: 'carriage returns', input: 'h\tcr\t0\ta\rb\r\nc\rd' },
  { name: 'return codes', input: 'h\trc\t-1\tneg\x17h\trc\t70000\twraps to 4464\x17h\trc\tWARN\tnot a number\x17h\trc\t32768\twraps negative' },
  { name: 'host name after \\x17\\n', input: 'h1\ts\t0\tone\x17\nh2\ts\t0\ttwo' },
  { name: 'service starting with a newline', input: 'h\t\nsvc\t0\tout' },
  { name: 'service with a newline inside', input: 'h\tsvc\nmore\t0\tout' },
  { name: 'long host and service', input: `${'H'.repeat(80)}\t${'S'.repeat(200)}\t0\tcut at 63 and 127` },
  { name: 'UTF-8 cut inside a character', input: `${'é'.repeat(40)}\t${'ü'.repeat(70)}\t0\tcut` },
  { name: 'bytes that are not UTF-8', input: Buffer.concat([latin1('h\xff\tsv\xfe\t0\tbad '), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82, 0xf0, 0x90, 0x80, 0x5c, 0x0a, 0x41])]) },
  { name: 'three fields only, trailing blanks stripped', input: 'h\ts\t0\t  \t' },
  { name: 'leading blanks kept', input: '  h\t s\t0\t  out' },
  { name: 'five checks in one run', input: ['a\t0\tup', 'a\tcpu\t1\tload 5', 'b\tdisk\t2\tfull\nreally', 'b\t2\tdown', 'c\tx\t3\tunknown'].join('\x17') },
  { name: 'one legacy packet (the last of its connection)', input: 'old\tlegacy\t1\tsent as nsca 2.7 did', args: ['--legacy-2-7-mode'] },
  { name: 'legacy output cut at 511 bytes', input: `old\tlegacy\t0\t${'z'.repeat(700)}`, args: ['--legacy-2-7-mode'] },
];

for (const method of [1, 3]) describeWithPeer(nscaMissing, `nsca 2.10.2 and poets-nscad, method ${method}: the same command file`, () => {
  let dir: string;
  let nsca: Daemon | undefined;
  let poets: Daemon | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `poets-interop-nsca-vs-nscad-${method}-`));
    nsca = await startNsca(dir, method);
    poets = await startPoets(dir, method);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([nsca && stopChild(nsca.child), poets && stopChild(poets.child)]);
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('writes byte-identical lines (but for the time) for the same send_nsca runs', async () => {
    const config = sendConfig(dir, method);
    let expected = 0;
    for (const { name, input, args } of SAME) {
      const toNsca = await send(nsca!.port, config, input, args);
      const toPoets = await send(poets!.port, config, input, args);
      expect(toPoets, name).toBe(toNsca);
      expected += toNsca;
      // in step, so that a difference points at its input
      const [a, b] = await Promise.all([waitForLines(nsca!.commandFile, expected), waitForLines(poets!.commandFile, expected)]);
      expect(b.slice(expected - toNsca), name).toEqual(a.slice(expected - toNsca));
    }
    const fromNsca = await settledLines(nsca!.commandFile);
    const fromPoets = await settledLines(poets!.commandFile);
    expect(fromPoets).toHaveLength(expected);
    expect(fromPoets).toEqual(fromNsca);
    // and the raw bytes, not only the lines
    const strip = (path: string) => readFileSync(path).toString('latin1').replace(/^\[\d+\] /gm, '');
    expect(strip(poets!.commandFile)).toBe(strip(nsca!.commandFile));
  }, 60_000);

  it('where they differ on purpose: two legacy packets on one connection (nsca drops both, poets-nscad writes both)', async () => {
    const config = sendConfig(dir, method);
    const before = { nsca: commandLines(nsca!.commandFile).length, poets: commandLines(poets!.commandFile).length };
    const input = 'old\t0\tlegacy one\x17old\tsvc\t1\tlegacy two';
    expect(await send(nsca!.port, config, input, ['--legacy-2-7-mode'])).toBe(2);
    expect(await send(poets!.port, config, input, ['--legacy-2-7-mode'])).toBe(2);
    const fromPoets = await waitForLines(poets!.commandFile, before.poets + 2);
    expect(fromPoets.slice(before.poets)).toEqual(['PROCESS_HOST_CHECK_RESULT;old;0;legacy one', 'PROCESS_SERVICE_CHECK_RESULT;old;svc;1;legacy two']);
    // nsca reads 4304 bytes, gets 1440 and EOF: neither packet is processed (a known defect)
    const fromNsca = await settledLines(nsca!.commandFile, 500);
    expect(fromNsca.slice(before.nsca)).toEqual([]);
  }, 30_000);
});
