// poets-nscad beside the REAL nsca 2.10.2 daemon (Debian) on what issue 15 items 7 and 9 ask:
// nsca.cfg read as nsca's read_config_file reads it (the same files start or are refused by both;
// `append_to_file=yes` is off in both), and IPv6 listening (`server_address=::1` and `::`) with
// the REAL send_nsca sending over ::1. Loopback only; every wait bounded; every process stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NSCA, haveNsca, haveSendNsca, sendNsca } from './helpers/commands.js';
import { canConnect, exited, freePort } from './helpers/nsca-daemon.js';
import { describeWithPeer } from '../support/index.js';

const POETS_NSCAD = fileURLToPath(new URL('../../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
const PASSWORD = 'Interop-cfg_pw';
const ready = haveNsca && haveSendNsca;
const missing = ready ? undefined : `${haveNsca ? '' : '/usr/sbin/nsca '}${haveSendNsca ? '' : '/usr/sbin/send_nsca '}missing (apt-get install nsca nsca-client)`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-interop-cfg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An nsca.cfg both daemons can run with, plus `extra` lines (written as given). */
function configFile(name: string, port: number, commandFile: string, extra: string[] = [], address = '127.0.0.1'): string {
  const path = join(dir, `${name}.cfg`);
  const lines = [
    `server_address=${address}`,
    `server_port=${port}`,
    `nsca_user=${process.getuid?.() ?? 0}`,
    `nsca_group=${process.getgid?.() ?? 0}`,
    `command_file=${commandFile}`,
    `password=${PASSWORD}`,
    'decryption_method=1',
    ...extra,
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const gone = await Promise.race([exited(child).then(() => true), sleep(3000).then(() => false)]);
  if (!gone) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

type Outcome = { started: true; port: number; child: ChildProcess } | { started: false; code: number | null; stderr: string };

/** The real nsca in the foreground: started (it accepts connections) or refused (its exit status). */
async function runNsca(name: string, extra: string[], commandFile: string, address = '127.0.0.1'): Promise<Outcome> {
  const port = await freePort();
  const child = spawn(NSCA, ['-c', configFile(`nsca-${name}`, port, commandFile, extra, address), '-f', '--single'], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { started: false, code: child.exitCode, stderr: '' };
    if (await canConnect(port, address === '::' ? '127.0.0.1' : address)) return { started: true, port, child };
    await sleep(25);
  }
  await stop(child);
  throw new Error(`nsca (${name}) neither started nor exited within 5 s`);
}

/** The built poets-nscad on a port of its own choosing: started (its listening line) or refused. */
async function runPoets(name: string, extra: string[], commandFile: string, address = '127.0.0.1'): Promise<Outcome> {
  if (!existsSync(POETS_NSCAD)) throw new Error(`${POETS_NSCAD} is missing: build first (npx tsc -b)`);
  const child = spawn(process.execPath, [POETS_NSCAD, '-c', configFile(`poets-${name}`, 0, commandFile, extra, address)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const listening = /listening on \[?[\d.:a-f]+\]?:(\d+)/.exec(stderr);
    if (listening) return { started: true, port: Number(listening[1]), child };
    if (child.exitCode !== null) return { started: false, code: child.exitCode, stderr };
    await sleep(20);
  }
  await stop(child);
  throw new Error(`poets-nscad (${name}) neither started nor exited within 10 s: ${stderr}`);
}

async function send(port: number, host: string, input: string): Promise<void> {
  const config = join(dir, 'send_nsca.cfg');
  writeFileSync(config, `password=${PASSWORD}\nencryption_method=1\n`);
  const result = await sendNsca(['-H', host, '-p', String(port), '-to', '5', '-c', config], input, 10_000);
  if (result.code !== 0) throw new Error(`send_nsca exited ${result.code}: ${result.stdout.toString()}${result.stderr.toString()}`);
}

async function waitForFile(path: string, test: (text: string) => boolean, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, 'latin1') : '';
    if (test(text)) return text;
    if (Date.now() > end) throw new Error(`${path}: not there within ${ms} ms: ${JSON.stringify(text)}`);
    await sleep(20);
  }
}

describeWithPeer(missing, 'nsca.cfg, side by side with nsca 2.10.2 (item 7)', () => {
  // Each line added to a working config: does the daemon start, or refuse to (exit status 2)?
  const CASES: { name: string; extra: string[]; starts: boolean }[] = [
    { name: 'an unknown key', extra: ['bogus_key=1'], starts: false },
    { name: 'a misspelt key', extra: ['server_prot=5667'], starts: false },
    { name: 'max_packet_age=901', extra: ['max_packet_age=901'], starts: false },
    { name: 'max_packet_age=900', extra: ['max_packet_age=900'], starts: true },
    { name: 'a line of blanks', extra: ['   '], starts: false },
    { name: 'a key after a blank', extra: [' max_packet_age=30'], starts: false },
    { name: 'a key found by substring (my_password)', extra: ['my_password=x'], starts: true },
    { name: 'append_to_file=yes', extra: ['append_to_file=yes'], starts: true },
  ];

  it.each(CASES)('$name: both start, or both refuse with status 2', async ({ name, extra, starts }) => {
    const slug = name.replace(/\W+/g, '-');
    const [nsca, poets] = await Promise.all([runNsca(slug, extra, join(dir, `${slug}-nsca.cmd`)), runPoets(slug, extra, join(dir, `${slug}-poets.cmd`))]);
    try {
      expect(nsca.started, 'nsca').toBe(starts);
      expect(poets.started, `poets-nscad: ${poets.started ? '' : poets.stderr}`).toBe(starts);
      if (!nsca.started && !poets.started) {
        expect(nsca.code).toBe(2);
        expect(poets.code).toBe(2);
        expect(poets.stderr).toMatch(/^poets-nscad: configuration error: /m);
      }
    } finally {
      await Promise.all([nsca, poets].map((o) => (o.started ? stop(o.child) : undefined)));
    }
  }, 30_000);

  it('append_to_file=yes is off in both (atoi("yes") is 0): the line lands at offset 0 of the old file', async () => {
    const old = `${'X'.repeat(150)}\n`;
    const files = { nsca: join(dir, 'yes-nsca.cmd'), poets: join(dir, 'yes-poets.cmd') };
    writeFileSync(files.nsca, old);
    writeFileSync(files.poets, old);
    const [nsca, poets] = await Promise.all([runNsca('yes', ['append_to_file=yes'], files.nsca), runPoets('yes', ['append_to_file=yes'], files.poets)]);
    try {
      if (!nsca.started || !poets.started) throw new Error('a daemon did not start');
      await send(nsca.port, '127.0.0.1', 'web01\tHTTP\t0\tappended?');
      await send(poets.port, '127.0.0.1', 'web01\tHTTP\t0\tappended?');
      const line = /^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;appended\?\n/;
      const [a, b] = await Promise.all([waitForFile(files.nsca, (t) => line.test(t)), waitForFile(files.poets, (t) => line.test(t))]);
      const strip = (text: string) => text.replace(/^\[\d+\] /, '');
      expect(strip(b)).toBe(strip(a));
      // written over the start of the old content, which neither truncated nor appended to
      expect(b).toMatch(/^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;web01;HTTP;0;appended\?\nX+\n$/);
    } finally {
      await Promise.all([nsca, poets].map((o) => (o.started ? stop(o.child) : undefined)));
    }
  }, 30_000);
});

describeWithPeer(missing, 'IPv6 listening, with the real send_nsca over ::1 (item 9)', () => {
  it.each(['::1', '::'])('server_address=%s: nsca and poets-nscad both take a check sent over ::1', async (address) => {
    const slug = address === '::' ? 'any6' : 'lo6';
    const files = { nsca: join(dir, `${slug}-nsca.cmd`), poets: join(dir, `${slug}-poets.cmd`) };
    writeFileSync(files.nsca, '');
    writeFileSync(files.poets, '');
    const extra = ['append_to_file=1'];
    const [nsca, poets] = await Promise.all([runNsca(slug, extra, files.nsca, address), runPoets(slug, extra, files.poets, address)]);
    try {
      if (!nsca.started || !poets.started) throw new Error(`a daemon did not start: ${poets.started ? '' : poets.stderr}`);
      await send(nsca.port, '::1', 'six\tIPv6\t0\tover ::1');
      await send(poets.port, '::1', 'six\tIPv6\t0\tover ::1');
      if (address === '::') {
        // dual-stack: the IPv4 loopback reaches the same socket
        await send(nsca.port, '127.0.0.1', 'four\tIPv4\t0\tover 127.0.0.1');
        await send(poets.port, '127.0.0.1', 'four\tIPv4\t0\tover 127.0.0.1');
      }
      const count = address === '::' ? 2 : 1;
      const lines = (t: string) => t.split('\n').slice(0, -1).map((l) => l.replace(/^\[\d+\] /, ''));
      const [a, b] = await Promise.all([waitForFile(files.nsca, (t) => lines(t).length === count), waitForFile(files.poets, (t) => lines(t).length === count)]);
      expect(lines(b)).toEqual(lines(a));
      expect(lines(b)[0]).toBe('PROCESS_SERVICE_CHECK_RESULT;six;IPv6;0;over ::1');
    } finally {
      await Promise.all([nsca, poets].map((o) => (o.started ? stop(o.child) : undefined)));
    }
  }, 30_000);
});
