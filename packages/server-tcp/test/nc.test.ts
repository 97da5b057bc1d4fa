// Real programs as clients: netcat-openbsd (`nc`) over IPv4, IPv6 and a Unix socket.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, type EventArgs } from '@poets/kernel';
import { TCPServer, type TCPServerOptions, type ConnectedClientHeap, type ClientInputArgs } from '@poets/server-tcp';
import { captureLog, ipv6Available, runBounded } from './helpers.js';
import { describeWithPeer } from '../../../test/support/index.js';

const haveNc = spawnSync('nc', ['-h'], { encoding: 'utf8' }).stderr?.includes('OpenBSD') ?? false;
const dir = mkdtempSync(join(tmpdir(), 'server-tcp-nc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rot13 = (text: string) => text.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c < 'a' ? 65 : 97)));

/** The POE synopsis server: a greeting, then each line rot13'd; "quit" closes. */
function start(options: Partial<TCPServerOptions> = {}) {
  const kernel = new Kernel();
  const { log, lines } = captureLog();
  const server = new TCPServer({
    kernel,
    log,
    Address: '127.0.0.1',
    ClientConnected: (_) => void _[HEAP].client.put('Smile from the server!'),
    ClientInput: (_: EventArgs<ConnectedClientHeap, ClientInputArgs>) => {
      if (_[ARG0] === 'quit') {
        _[HEAP].client.put("B'bye!");
        _[KERNEL].yield('shutdown');
        return;
      }
      _[HEAP].client.put(rot13(_[ARG0]));
    },
    ...options,
  } as TCPServerOptions);
  const running = runBounded(kernel, 15_000);
  return { server, lines, port: server.port!, stop: async () => (server.shutdown(), await running) };
}

/** Runs nc with `args`, feeds it `input`, resolves with its output and exit code. */
function nc(args: string[], input: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('nc', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.on('error', () => {}); // nc may leave before reading it all (a refused client)
    child.stdin.end(input);
  });
}

describeWithPeer(haveNc ? undefined : 'OpenBSD nc is not installed (apt-get install netcat-openbsd)', 'netcat-openbsd as the client', () => {
  it('nc over IPv4: greeting, rot13 lines, and the server closes on quit', async () => {
    const t = start();
    const { stdout, code } = await nc(['-N', '127.0.0.1', String(t.port)], 'Hello\nPOE in TypeScript\nquit\n');
    await t.stop();
    expect(stdout).toBe("Smile from the server!\r\nUryyb\r\nCBR va GlcrFpevcg\r\nB'bye!\r\n");
    expect(code).toBe(0);
  });

  it('nc -N: the client half-closes after its input; the server answers everything, then closes', async () => {
    const t = start();
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    const { stdout } = await nc(['-N', '127.0.0.1', String(t.port)], lines.join('\n') + '\n');
    await t.stop();
    const got = stdout.split('\r\n').filter((line) => line !== '');
    expect(got[0]).toBe('Smile from the server!');
    expect(got.slice(1)).toEqual(lines.map(rot13));
  });

  it('nc -6 over ::1', async (ctx) => {
    if (!(await ipv6Available())) return ctx.skip();
    const t = start({ Domain: 'AF_INET6', Address: '::1' });
    const { stdout } = await nc(['-6', '-N', '::1', String(t.port)], 'abc\n');
    await t.stop();
    expect(stdout).toBe('Smile from the server!\r\nnop\r\n');
  });

  it('nc -U over a Unix socket', async () => {
    const path = join(dir, 'synopsis.sock');
    const t = start({ Domain: 'AF_UNIX', Address: path });
    const { stdout } = await nc(['-U', '-N', path], 'xyz\n');
    await t.stop();
    expect(stdout).toBe('Smile from the server!\r\nklm\r\n');
  });

  it('nc -z port probes (connect, send nothing, leave) do the server no harm', async () => {
    const t = start();
    for (let i = 0; i < 10; i++) expect((await nc(['-z', '127.0.0.1', String(t.port)], '')).code).toBe(0);
    const { stdout } = await nc(['-N', '127.0.0.1', String(t.port)], 'ok\n');
    await t.stop();
    expect(stdout).toBe('Smile from the server!\r\nbx\r\n');
    expect(t.lines).toEqual([]);
  });

  it('nc -C (CR LF line ends) as a refused client: closed without a word, logged with its address', async () => {
    const t = start({ cidrAllow: ['127.0.0.0/8'], cidrDeny: ['127.0.0.1/32'] });
    const refused = await nc(['-C', '-N', '127.0.0.1', String(t.port)], 'hi\n');
    await t.stop();
    // Nothing from the server; nc may report the broken pipe of its write.
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^$|Broken pipe|Connection reset/);
    expect(t.lines.join('\n')).toMatch(/refused 127\.0\.0\.1 port \d+: 127\.0\.0\.1 is in cidrDeny/);
  });
});
