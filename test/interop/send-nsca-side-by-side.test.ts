// poets-send-nsca beside the REAL send_nsca (Debian 2.10.2): for each case both run with the same
// arguments, config and input, each against its own capture server (same IV and timestamp); their
// exit codes, signals, stdout and stderr must be equal, and the packets they sent must decode to
// the same fields (only the random filler differs).
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { supportedMethods, type DecodeResult } from '@poets/server-nsca';
import { startCaptureServer, type CaptureOptions, type CaptureServer } from '../../packages/server-nsca/test/helpers/capture-server.js';
import { haveSendNsca, poetsSendNsca, requireBuiltCommand, sendNsca, type CommandInput, type CommandResult } from './helpers/commands.js';
import { freePort as closedPort } from '../support/index.js';
import { describeWithPeer } from '../support/index.js';


const PASSWORD = 's3cret-Pw';

interface Case {
  /** send_nsca.cfg's content (default: XOR with PASSWORD). */
  config?: string;
  /** Use this config path instead of a file with `config`. */
  configPath?: string;
  /** Arguments after -H/-p/-c. */
  args?: string[];
  /** The whole argument list instead (port and config path given). */
  argv?: (port: number, config: string) => string[];
  /** Standard input; a function gets the case's capture server (to time input after its moves). */
  input?: CommandInput | ((server: CaptureServer | undefined) => CommandInput);
  /** The capture server's behaviour, or 'refused' for a port nobody listens on. */
  server?: CaptureOptions | 'refused';
  /** To decode what was sent. */
  method?: number;
  password?: string;
  /** stdout is compared only by its first banner line (help texts differ by design). */
  bannerOnly?: boolean;
}

interface Observed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  bytes: number[];
  packets: unknown[];
}

function fields(result: DecodeResult): unknown {
  if (!result.ok) return { refused: result.reason, length: result.length };
  const p = result.packet;
  return {
    timestamp: p.timestamp,
    return_code: p.return_code,
    host_name: p.raw.host_name.toString('hex'),
    svc_description: p.raw.svc_description.toString('hex'),
    plugin_output: p.raw.plugin_output.toString('hex'),
    legacy: p.legacy,
    crc_ok: p.crc_ok,
  };
}

describeWithPeer(haveSendNsca ? undefined : '/usr/sbin/send_nsca missing (apt-get install nsca-client)', 'interop: poets-send-nsca beside send_nsca', () => {
  const dir = haveSendNsca ? mkdtempSync(join(tmpdir(), 'poets-send-nsca-side-')) : '';
  let files = 0;
  beforeAll(() => requireBuiltCommand());
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  async function observe(run: (argv: string[], input?: CommandInput) => Promise<CommandResult>, c: Case, config: string, refusedPort: number): Promise<Observed> {
    const server = c.server === 'refused' ? undefined : await startCaptureServer(c.server ?? {});
    try {
      const port = server?.port ?? refusedPort;
      const argv = c.argv?.(port, config) ?? ['-H', '127.0.0.1', '-p', String(port), '-c', config, ...(c.args ?? [])];
      const result = await run(argv, typeof c.input === 'function' ? c.input(server) : (c.input ?? ''));
      const connections = server === undefined ? [] : await server.waitFor(server.connections.length);
      const method = c.method ?? 1;
      const password = c.password ?? PASSWORD;
      return {
        code: result.code,
        signal: result.signal,
        stdout: c.bannerOnly ? result.stdout.toString('latin1').split('\n').slice(0, 2).join('\n').replace(/^(\nNSCA Client 2\.10\.2).*/, '$1') : result.stdout.toString('latin1'),
        stderr: result.stderr.toString('latin1'),
        bytes: connections.map((connection) => connection.bytes.length),
        packets: connections.flatMap((_, i) => server!.decode(i, method, password).map(fields)),
      };
    } finally {
      await server?.close();
    }
  }

  async function compare(c: Case): Promise<Observed> {
    const config = c.configPath ?? join(dir, `case-${++files}.cfg`);
    if (c.configPath === undefined) writeFileSync(config, c.config ?? `password=${PASSWORD}\nencryption_method=1\n`);
    const refusedPort = await closedPort();
    const [real, ours] = await Promise.all([observe(sendNsca, c, config, refusedPort), observe(poetsSendNsca, c, config, refusedPort)]);
    expect(ours).toEqual(real);
    return ours;
  }

  const SETS = 'web01\tHTTP\t0\tOK - 200\x17web01\t1\thost check\x17db01\tDisk\t2\tline one\nline two\n';

  it('several sets: service and host checks, one connection', async () => {
    const seen = await compare({ input: SETS });
    expect(seen.stdout).toBe('3 data packet(s) sent to host successfully.\n');
    expect(seen.bytes).toEqual([3 * 4304]);
  });

  it('no password line in the config', async () => {
    const seen = await compare({ config: 'encryption_method=1\n', password: '', input: SETS });
    expect(seen.packets).toHaveLength(3);
  });

  it.each([
    ['bad method 13', 'password=x\nencryption_method=13\n'],
    ['bad method 99', 'encryption_method= 99\n'],
    ['unknown option', 'password=x\nserver_port=5667\n'],
    ['empty value', '# comment\npassword=\n'],
    ['no = sign', 'password\n'],
    ['an indented comment', ' # not a comment\n'],
  ])('config error: %s', async (_name, config) => {
    const seen = await compare({ config, input: SETS });
    expect(seen.code).toBe(2);
    expect(seen.bytes).toEqual([]);
  });

  it('config file missing, or a directory', async () => {
    expect((await compare({ configPath: join(dir, 'missing.cfg'), input: SETS })).stdout).toMatch(/^Could not open config file/);
    expect((await compare({ configPath: dir, input: SETS })).code).toBe(0);
  });

  it('connection refused', async () => {
    const seen = await compare({ server: 'refused', input: SETS });
    expect(seen.stderr).toMatch(/^Connection refused by host\nError: Could not connect to host 127\.0\.0\.1 on port \d+\n$/);
  });

  it('empty input, and input with only empty or short sets', async () => {
    expect((await compare({ input: '' })).stdout).toBe('0 data packet(s) sent to host successfully.\n');
    expect((await compare({ input: '\x17 \t\r\n\x17host\t0\x17\x17' })).code).toBe(2);
  });

  it('a set too long (after one good set), and the exact limits', async () => {
    const x = (n: number) => `h\ts\t0\t${'x'.repeat(n - 6)}`;
    expect(await compare({ input: `a\tb\t1\tfirst\x17${x(5200)}\x17c\td\t0\tnever` })).toMatchObject({ code: 255, stdout: 'Error: Input set is longer than max allowed.\n' });
    expect((await compare({ input: `a\tb\t1\tfirst\x17${x(5120)}` })).code).toBe(0);
    expect((await compare({ input: `a\tb\t1\tfirst\x17${x(5120)}\x17` })).code).toBe(255);
    expect((await compare({ input: `a\tb\t1\tfirst\x17${x(5119)}\x17` })).code).toBe(0);
  });

  it('-d , and other delimiters', async () => {
    expect((await compare({ args: ['-d', ','], input: 'h,s,1,out,with,commas\x17h2,,0,host' })).packets).toHaveLength(2);
    await compare({ args: ['-d', '0x2c'], input: 'h,s,1,out' });
    await compare({ args: ['-d', '44'], input: 'h,s,1,out' });
    await compare({ args: ['-d', '9'], input: 'h9s91' });
    expect((await compare({ args: ['-d', ''], input: SETS })).code).toBe(2);
    await compare({ args: ['-ds', '0x0a'], input: 'h\ts\t1\tone\nh2\t3\ttwo\n' });
    await compare({ args: ['-ds', ''], input: 'h\ts\t1\tone\0h2\t3\ttwo' });
    await compare({ args: ['-ds', '0xc3'], input: Buffer.from('h\ts\t1\tone\xc3h2\t3\ttwo', 'latin1') });
  });

  it('--quiet', async () => {
    expect(await compare({ args: ['--quiet'], input: SETS })).toMatchObject({ code: 0, stdout: '' });
    expect(await compare({ args: ['--quiet'], input: '' })).toMatchObject({ code: 2, stdout: '0 data packet(s) sent to host successfully.\n' });
  });

  it('field splitting, return codes and truncation', async () => {
    const sets = [
      'h1\ts1\t0\t\tleading tab kept',
      'h1\t\t0\tempty field vanishes: host check',
      'h1\t0\tout\twith tab',
      '\t\t  lead\ts\t 7x\tout  \t\r\n',
      'h\ts\t70000\tout',
      'h\ts\t-99999999999999999999\tout',
      'h\ts\tWARN\tout',
      'h\ts\t1\to\0ut',
      `${'H'.repeat(100)}\t${'S'.repeat(200)}\t3\t${'O'.repeat(5000)}`.slice(0, 5119),
      `${'é'.repeat(40)}\tсервис\t1\tUTF-8 ✓`,
    ];
    const seen = await compare({ input: Buffer.from(sets.join('\x17'), 'utf8') });
    expect(seen.packets).toHaveLength(sets.length);
  });

  it('legacy mode, from the command line or the config', async () => {
    const input = `h\ts\t1\t${'x'.repeat(600)}\x17h2\t0\tup`;
    expect((await compare({ args: ['--legacy-2-7-mode'], input })).bytes).toEqual([2 * 720]);
    expect((await compare({ config: `password=${PASSWORD}\nlegacy_2_7_mode=yes\n`, input })).bytes).toEqual([2 * 720]);
    expect((await compare({ config: `password=${PASSWORD}\nlegacy_2_7_mode=no\n`, args: ['--legacy-2-7-mode'], input })).bytes).toEqual([2 * 4304]);
  });

  it.each(supportedMethods())('encryption method %i: the same packets', async (method) => {
    const seen = await compare({ config: `password=${PASSWORD}\nencryption_method=${method}\n`, method, input: SETS });
    expect(seen.packets.every((p) => (p as { crc_ok?: boolean }).crc_ok === true)).toBe(true);
  });

  it('methods libmcrypt cannot run fail after the init packet', async () => {
    for (const method of [7, 12, 19, 22, 24, 25]) {
      const seen = await compare({ config: `password=${PASSWORD}\nencryption_method=${method}\n`, input: SETS });
      expect(seen.stderr).toBe(`Error: Failed to initialize encryption libraries for method ${method}\n`);
    }
  });

  it('bad command lines (exit 3, the banner on stdout)', async () => {
    for (const argv of [['-H'], ['-H', '127.0.0.1', '-to', '0'], ['-H', '127.0.0.1', '-x'], ['-H', 'h', '-p', '99999999999999999999', '-d', '0x2c'], ['-V'], ['-h']]) {
      const seen = await compare({ argv: () => argv, bannerOnly: true });
      expect(seen.code).toBe(3);
    }
  });

  it('a negative port fails the lookup; the old syntax takes the first argument as the host', async () => {
    expect((await compare({ argv: (_port, config) => ['-H', '127.0.0.1', '-p', '-5', '-c', config], input: SETS })).stderr).toBe(
      "Host name lookup failed: '127.0.0.1'\nError: Could not connect to host 127.0.0.1 on port -5\n",
    );
    expect((await compare({ argv: (port, config) => ['127.0.0.1', '-p', String(port), '-c', config], input: SETS })).code).toBe(0);
  });

  it('a daemon that never sends its init packet: the timeout', async () => {
    expect(await compare({ server: { mode: 'silent' }, args: ['-to', '1'], input: SETS })).toMatchObject({ code: 2, stderr: 'Error: Timeout after 1 seconds\n' });
  });

  it('a short init packet', async () => {
    expect((await compare({ server: { mode: 'short', initBytes: 10 }, input: SETS })).code).toBe(2);
  });

  it('writing after the daemon closed (SIGPIPE), or reset the connection (exit 3)', async () => {
    // Input timed from the server's moves, not from the start: Node starts slower than C.
    const afterClose = (server: CaptureServer | undefined) => {
      const closed = server!.connection(0).then((connection) => connection.closed);
      return [
        { after: closed, afterMs: 100, data: 'h\ts\t0\tone\x17' },
        { after: closed, afterMs: 400, data: 'h\ts\t0\ttwo\x17' },
      ];
    };
    expect(await compare({ server: { mode: 'close' }, input: afterClose })).toMatchObject({ code: null, signal: 'SIGPIPE' });
    expect(await compare({ server: { mode: 'reset', resetAfterMs: 300 }, input: afterClose })).toMatchObject({ code: 3, stderr: 'Error: Could not send data to host\n' });
    const afterAccept = (server: CaptureServer | undefined) => {
      const accepted = server!.connection(0);
      return [
        { after: accepted, afterMs: 200, data: 'h\ts\t0\tone\x17' },
        { after: accepted, afterMs: 400, data: 'h\ts\t0\ttwo\x17' },
      ];
    };
    expect(await compare({ server: { mode: 'half' }, input: afterAccept })).toMatchObject({ code: 0 });
  });
});
