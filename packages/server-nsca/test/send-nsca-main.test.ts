import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KILLED_BY_SIGPIPE, LEGACY_PACKET_SIZE, PACKET_SIZE, runSendNsca, type SendNscaIO } from '../src/index.js';
import { CAPTURE_TIMESTAMP, startCaptureServer, type CaptureServer } from './helpers/capture-server.js';
import { freePort as closedPort } from '../../../test/support/index.js';

// poets-send-nsca run in-process (against the sources) with a fake server; test/interop runs the
// built command side by side with the real send_nsca.

const dir = mkdtempSync(join(tmpdir(), 'send-nsca-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let configs = 0;
function config(text: string): string {
  const file = join(dir, `send_nsca-${++configs}.cfg`);
  writeFileSync(file, text);
  return file;
}

const servers: CaptureServer[] = [];
async function capture(options?: Parameters<typeof startCaptureServer>[0]): Promise<CaptureServer> {
  const server = await startCaptureServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], stdin: Readable | string = '', extra: Partial<SendNscaIO> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const input = typeof stdin === 'string' ? Readable.from([Buffer.from(stdin, 'latin1')]) : stdin;
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    runSendNsca(argv, { stdin: input, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), program: 'send_nsca', ...extra }),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('poets-send-nsca still running after 8 s')), 8_000))),
  ]).finally(() => clearTimeout(timer));
  return { code, stdout, stderr };
}

const XOR = 'password=s3cret\nencryption_method=1\n';

describe('runSendNsca (poets-send-nsca in-process)', () => {
  it('sends every set over one connection and says so', async () => {
    const server = await capture();
    const result = await run(['-H', '127.0.0.1', '-p', String(server.port), '-c', config(XOR)], 'h1\ts1\t0\tone\x17h2\t1\thost check\x17h3\ts3\t2\tline\nnext\n');
    expect(result).toEqual({ code: 0, stdout: '3 data packet(s) sent to host successfully.\n', stderr: '' });
    await server.waitFor(1);
    expect(server.connections[0]!.bytes.length).toBe(3 * PACKET_SIZE);
    expect(server.packets(0, 1, 's3cret').map((p) => [p.host_name, p.svc_description, p.return_code, p.plugin_output, p.timestamp])).toEqual([
      ['h1', 's1', 0, 'one', CAPTURE_TIMESTAMP],
      ['h2', undefined, 1, 'host check', CAPTURE_TIMESTAMP],
      ['h3', 's3', 2, 'line\nnext', CAPTURE_TIMESTAMP],
    ]);
  });

  it('--quiet prints nothing, unless nothing was sent (exit 2)', async () => {
    const server = await capture();
    expect(await run(['-H', '127.0.0.1', '-p', String(server.port), '-c', config(XOR), '--quiet'], 'h\ts\t0\tok')).toEqual({ code: 0, stdout: '', stderr: '' });
    const empty = await capture();
    expect(await run(['-H', '127.0.0.1', '-p', String(empty.port), '-c', config(XOR), '--quiet'], '')).toEqual({
      code: 2,
      stdout: '0 data packet(s) sent to host successfully.\n',
      stderr: '',
    });
  });

  it('stops at a set that is too long (exit 255), after sending the sets before it', async () => {
    const server = await capture();
    const result = await run(['-H', '127.0.0.1', '-p', String(server.port), '-c', config(XOR)], `a\tb\t1\tfirst\x17h\ts\t0\t${'x'.repeat(5200)}\x17c\td\t0\tnever`);
    expect(result).toEqual({ code: 255, stdout: 'Error: Input set is longer than max allowed.\n', stderr: '' });
    await server.waitFor(1);
    expect(server.packets(0, 1, 's3cret').map((p) => p.host_name)).toEqual(['a']);
  });

  it('sends 720-byte packets in legacy mode (the config wins over the command line)', async () => {
    const server = await capture();
    await run(['-H', '127.0.0.1', '-p', String(server.port), '-c', config(`${XOR}legacy_2_7_mode=yes\n`)], 'h\ts\t0\tok');
    await server.waitFor(1);
    expect(server.connections[0]!.bytes.length).toBe(LEGACY_PACKET_SIZE);
    const modern = await capture();
    await run(['-H', '127.0.0.1', '-p', String(modern.port), '-c', config(`${XOR}legacy_2_7_mode=no\n`), '--legacy-2-7-mode'], 'h\ts\t0\tok');
    await modern.waitFor(1);
    expect(modern.connections[0]!.bytes.length).toBe(PACKET_SIZE);
  });

  it('reports a refused connection, a failed lookup, a negative port', async () => {
    const port = await closedPort();
    expect(await run(['-H', '127.0.0.1', '-p', String(port), '-c', config(XOR)])).toEqual({
      code: 2,
      stdout: '',
      stderr: `Connection refused by host\nError: Could not connect to host 127.0.0.1 on port ${port}\n`,
    });
    const lookup: SendNscaIO['lookup'] = (_host, callback) => callback(new Error('ENOTFOUND'));
    expect(await run(['-H', 'nowhere.invalid', '-c', config(XOR)], '', { lookup })).toEqual({
      code: 2,
      stdout: '',
      stderr: "Host name lookup failed: 'nowhere.invalid'\nError: Could not connect to host nowhere.invalid on port 5667\n",
    });
    expect((await run(['-H', '127.0.0.1', '-p', '-5', '-c', config(XOR)])).stderr).toBe(
      "Host name lookup failed: '127.0.0.1'\nError: Could not connect to host 127.0.0.1 on port -5\n",
    );
  });

  it('times out (the whole run, one alarm), and fails on a short init packet', async () => {
    const silent = await capture({ mode: 'silent' });
    expect(await run(['-H', '127.0.0.1', '-p', String(silent.port), '-to', '1', '-c', config(XOR)])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: Timeout after 1 seconds\n',
    });
    const server = await capture();
    const stdin = new PassThrough(); // never ends: reading standard input is under the alarm too
    expect(await run(['-H', '127.0.0.1', '-p', String(server.port), '-to', '1', '-c', config(XOR)], stdin)).toMatchObject({ code: 2, stderr: 'Error: Timeout after 1 seconds\n' });
    stdin.destroy();
    const short = await capture({ mode: 'short', initBytes: 10 });
    expect(await run(['-H', '127.0.0.1', '-p', String(short.port), '-c', config(XOR)])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: Server closed connection before init packet was received\nError: Could not read init packet from server\n',
    });
  });

  it('fails after the init packet for a method libmcrypt cannot run', async () => {
    const server = await capture();
    expect(await run(['-H', '127.0.0.1', '-p', String(server.port), '-c', config('encryption_method=12\n')], 'h\ts\t0\tok')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: Failed to initialize encryption libraries for method 12\n',
    });
    await server.waitFor(1);
    expect(server.connections[0]!.bytes.length).toBe(0);
  });

  it('dies as of SIGPIPE writing after the daemon closed, and fails on a reset', async () => {
    const closing = await capture({ mode: 'close' });
    const later = new PassThrough();
    setTimeout(() => later.end('h\ts\t0\tone\x17h\ts\t0\ttwo\x17'), 200);
    expect((await run(['-H', '127.0.0.1', '-p', String(closing.port), '-c', config(XOR)], later)).code).toBe(KILLED_BY_SIGPIPE);
    const resetting = await capture({ mode: 'reset', resetAfterMs: 200 });
    const afterReset = new PassThrough();
    setTimeout(() => afterReset.end('h\ts\t0\tone'), 500);
    expect(await run(['-H', '127.0.0.1', '-p', String(resetting.port), '-c', config(XOR)], afterReset)).toEqual({
      code: 3,
      stdout: '',
      stderr: 'Error: Could not send data to host\n',
    });
    const half = await capture({ mode: 'half' });
    const afterHalf = new PassThrough();
    setTimeout(() => afterHalf.end('h\ts\t0\tone\x17h\ts\t0\ttwo'), 200);
    expect((await run(['-H', '127.0.0.1', '-p', String(half.port), '-c', config(XOR)], afterHalf)).code).toBe(0);
  });

  it('prints the banner and usage (exit 3), and config errors (exit 2)', async () => {
    const help = await run(['-h']);
    expect(help.code).toBe(3);
    expect(help.stdout).toMatch(/^\nNSCA Client 2\.10\.2 .*\n(.*\n){3}Encryption Routines: AVAILABLE\n\nUsage: send_nsca \[--quiet\] -H <host_address>/);
    expect(help.stdout).toMatch(/Newlines do not separate results/);
    expect((await run(['--legacy-2-7-mode', '-h'])).stdout).not.toMatch(/Newlines do not separate/);
    const version = await run(['-V']);
    expect(version).toMatchObject({ code: 3, stderr: '' });
    expect(version.stdout).not.toMatch(/Usage/);
    expect(await run(['-H', '127.0.0.1', '-to', '0'])).toMatchObject({ code: 3, stderr: 'Incorrect command line arguments supplied\n' });
    const bad = config('encryption_method=13\n');
    expect(await run(['-H', '127.0.0.1', '-c', bad])).toEqual({
      code: 2,
      stdout: `Invalid encryption method (13) in config file '${bad}' - Line 1\nError: Config file '${bad}' contained errors...\n`,
      stderr: '',
    });
  });
});
