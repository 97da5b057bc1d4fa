import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, ListenError, Nscad, parseNscaConfig, type NscadOptions } from '../src/index.js';
import { RawClient, closed } from './helpers/raw-client.js';
import { sleep, until } from '../../../test/support/index.js';

let dir: string;
const running: Nscad[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-nscad-'));
});

afterEach(async () => {
  // stop whatever a failed test left running, bounded
  await Promise.all(running.splice(0).map((d) => Promise.race([d.stop().catch(() => {}), sleep(3000)])));
  rmSync(dir, { recursive: true, force: true });
});

const PASSWORD = 'nscad-Test_pw';

function writeConfig(lines: Record<string, string | number>, name = 'nsca.cfg'): string {
  const path = join(dir, name);
  writeFileSync(path, `# test config\n${Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  return path;
}

function baseConfig(extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    server_address: '127.0.0.1',
    server_port: 0,
    password: PASSWORD,
    decryption_method: 1,
    command_file: join(dir, 'nagios.cmd'),
    append_to_file: 1,
    ...extra,
  };
}

function start(options: NscadOptions) {
  const logs: string[] = [];
  const daemon = Nscad.start({ log: (l) => logs.push(l), ...options });
  running.push(daemon);
  const port = daemon.address()?.port;
  if (port === undefined || port === 0) throw new Error('nscad did not report its port');
  return { daemon, logs, port };
}

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'latin1').split('\n').slice(0, -1) : []);
const noTime = (line: string) => line.replace(/^\[\d+\] /, '');

async function send(port: number, checks: Parameters<RawClient['packet']>[0][], method = 1, password = PASSWORD): Promise<void> {
  const client = await RawClient.open(port, method, password);
  client.send(...checks.map((c) => client.packet(c)));
  await client.finish();
}

describe('poets-nscad (Nscad)', () => {
  it('writes each check to the command file as nsca does', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const { daemon, logs, port } = start({ configPath: writeConfig(baseConfig()) });
    await send(port, [
      { host_name: 'web1', svc_description: 'HTTP', return_code: 2, plugin_output: 'CRITICAL - a\\b\nsecond;line|t=1' },
      { host_name: 'web1', return_code: 0, plugin_output: 'PING OK' },
    ]);
    await send(port, [{ host_name: 'db', svc_description: 'disk', return_code: -1, plugin_output: 'é\tü' }]);
    await until(() => lines(cmd).length === 3);
    const before = Math.floor(Date.now() / 1000);
    await daemon.stop();
    const got = lines(cmd);
    for (const line of got) {
      const at = Number(/^\[(\d+)\] /.exec(line)?.[1]);
      expect(Math.abs(at - before)).toBeLessThanOrEqual(2);
    }
    expect(got.map(noTime)).toEqual([
      'PROCESS_SERVICE_CHECK_RESULT;web1;HTTP;2;CRITICAL - a\\\\b\\nsecond;line|t=1',
      'PROCESS_HOST_CHECK_RESULT;web1;0;PING OK',
      `PROCESS_SERVICE_CHECK_RESULT;db;disk;-1;${Buffer.from('é\tü').toString('latin1')}`,
    ]);
    expect(logs[0]).toMatch(new RegExp(`^nscad: listening on 127\\.0\\.0\\.1:${port} \\(method 1, commands to .*nagios\\.cmd\\)$`));
    expect(logs).toHaveLength(1);
  });

  it.each([0, 3, 14, 26])('decrypts method %i from its config', async (method) => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const { daemon, port } = start({ configPath: writeConfig(baseConfig({ decryption_method: method })) });
    await send(port, [{ host_name: `m${method}`, svc_description: 's', return_code: 1, plugin_output: 'one' }, { host_name: `m${method}`, return_code: 0, plugin_output: 'two' }], method);
    await until(() => lines(cmd).length === 2);
    await daemon.stop();
    expect(lines(cmd).map(noTime)).toEqual([`PROCESS_SERVICE_CHECK_RESULT;m${method};s;1;one`, `PROCESS_HOST_CHECK_RESULT;m${method};0;two`]);
  });

  it('--json prints one JSON object per check on stdout (no command_file needed)', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const cfg = baseConfig();
    delete cfg.command_file;
    const { daemon, logs, port } = start({ configPath: writeConfig(cfg), json: true, stdout });
    await send(port, [
      { host_name: 'web1', svc_description: 'HTTP', return_code: 2, plugin_output: 'down\nline 2' },
      { host_name: 'web1', return_code: 0, plugin_output: 'up' },
    ]);
    await until(() => out.split('\n').length === 3);
    await daemon.stop();
    const objects = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects[0]).toMatchObject({ host_name: 'web1', svc_description: 'HTTP', return_code: 2, plugin_output: 'down\nline 2', peeraddr: '127.0.0.1' });
    expect(objects[1]).toMatchObject({ host_name: 'web1', return_code: 0, plugin_output: 'up' });
    expect('svc_description' in objects[1]!).toBe(false);
    for (const o of objects) {
      expect(typeof o.time).toBe('number');
      expect(typeof o.timestamp).toBe('number');
      expect(typeof o.peerport).toBe('number');
    }
    expect(logs[0]).toMatch(/JSON results on stdout/);
  });

  it('the built-in config (no -c) is 127.0.0.1:5667, XOR, password poets', () => {
    const { config, errors } = parseNscaConfig(DEFAULT_CONFIG);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({ server_address: '127.0.0.1', server_port: 5667, decryption_method: 1, password: 'poets', command_file: undefined });
    // it runs (JSON mode needs no command file); here on a free port, not to collide with a daemon on 5667
    const { daemon, logs } = start({ configText: DEFAULT_CONFIG.replace('server_port=5667', 'server_port=0'), json: true, stdout: new PassThrough() });
    expect(logs).toEqual([]);
    return daemon.stop();
  });

  it('re-reads its config on HUP: a new password serves new connections', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const path = writeConfig(baseConfig());
    const { daemon, logs, port } = start({ configPath: path });
    await send(port, [{ host_name: 'before', return_code: 0, plugin_output: 'old password' }]);
    await until(() => lines(cmd).length === 1);
    writeConfig(baseConfig({ password: 'Changed-pw' }));
    daemon.kernel.signal(daemon.kernel, 'HUP');
    await until(() => logs.some((l) => /HUP: configuration re-read/.test(l)));
    await send(port, [{ host_name: 'after', return_code: 0, plugin_output: 'new password' }], 1, 'Changed-pw');
    await send(port, [{ host_name: 'stale', return_code: 0, plugin_output: 'old password again' }], 1, PASSWORD);
    await until(() => lines(cmd).length === 2 && logs.some((l) => /refused a packet/.test(l)));
    await daemon.stop();
    expect(lines(cmd).map(noTime)).toEqual(['PROCESS_HOST_CHECK_RESULT;before;0;old password', 'PROCESS_HOST_CHECK_RESULT;after;0;new password']);
    expect(daemon.address()).toBeUndefined();
  });

  it('keeps running with its configuration when the file is broken at HUP', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const path = writeConfig(baseConfig());
    const { daemon, logs, port } = start({ configPath: path });
    for (const broken of ['decryption_method=7\n', 'password=\n', `command_file=${cmd}\nallowed_hosts=not-an-address\n`]) {
      writeFileSync(path, `server_address=127.0.0.1\nserver_port=0\n${broken}`);
      const seen = logs.length;
      daemon.kernel.signal(daemon.kernel, 'HUP');
      await until(() => logs.length > seen);
      expect(logs.at(-1)).toMatch(/^nscad: HUP: keeping the running configuration: /);
    }
    await send(port, [{ host_name: 'still', return_code: 0, plugin_output: 'served' }]);
    await until(() => lines(cmd).length === 1);
    await daemon.stop();
    expect(lines(cmd).map(noTime)).toEqual(['PROCESS_HOST_CHECK_RESULT;still;0;served']);
  });

  it('at HUP moves to a new command file, with the lines the old one (a FIFO without a reader) had not taken', async () => {
    const fifo = join(dir, 'nagios.fifo');
    execFileSync('mkfifo', [fifo]);
    const file = join(dir, 'new.cmd');
    writeFileSync(file, '');
    const path = writeConfig(baseConfig({ command_file: fifo }));
    const { daemon, logs, port } = start({ configPath: path });
    await send(port, [{ host_name: 'queued', return_code: 0, plugin_output: 'waiting for a reader' }]);
    await until(() => logs.some((l) => /no process is reading it/.test(l)));
    writeConfig(baseConfig({ command_file: file }));
    daemon.kernel.signal(daemon.kernel, 'HUP');
    await send(port, [{ host_name: 'fresh', return_code: 0, plugin_output: 'after HUP' }]);
    await until(() => lines(file).length === 2);
    await daemon.stop();
    expect(lines(file).map(noTime)).toEqual(['PROCESS_HOST_CHECK_RESULT;queued;0;waiting for a reader', 'PROCESS_HOST_CHECK_RESULT;fresh;0;after HUP']);
  });

  it('stop() with checks still arriving: every check accepted is written, once', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const { daemon, port } = start({ configPath: writeConfig(baseConfig()) });
    let accepted = 0;
    daemon.kernel.onDispatch((d) => {
      if (d.event === 'check') accepted++;
    });
    const clients = await Promise.all(Array.from({ length: 8 }, () => RawClient.open(port, 1, PASSWORD)));
    let sent = 0;
    let stopping = false;
    const pumps = clients.map(async (client, c) => {
      for (let i = 0; i < 2000 && !stopping && !client.socket.destroyed; i++) {
        client.send(client.packet({ host_name: `c${c}`, svc_description: `p${i}`, return_code: 0, plugin_output: `packet ${i}` }));
        sent++;
        if (i % 10 === 9) await sleep(1);
      }
    });
    await until(() => lines(cmd).length >= 200, 10_000);
    const stopped = daemon.stop();
    await sleep(50); // checks still arrive after the stop began
    stopping = true;
    await Promise.all(pumps);
    await stopped; // clients that stay connected without sending are cut after a second
    await Promise.all(clients.map((c) => Promise.race([closed(c.socket), sleep(2000)])));
    for (const c of clients) c.socket.destroy();
    const got = lines(cmd);
    expect(accepted).toBeGreaterThanOrEqual(200);
    expect(got).toHaveLength(accepted);
    // the drain read everything the clients sent before they were cut
    expect(got).toHaveLength(sent);
    expect(new Set(got.map(noTime)).size).toBe(got.length);
    expect(sent).toBeGreaterThanOrEqual(accepted);
    // each client's checks are written in the order they were sent, without gaps
    for (let c = 0; c < clients.length; c++) {
      const mine = got.map(noTime).filter((l) => l.startsWith(`PROCESS_SERVICE_CHECK_RESULT;c${c};`));
      mine.forEach((l, i) => expect(l).toBe(`PROCESS_SERVICE_CHECK_RESULT;c${c};p${i};0;packet ${i}`));
    }
  });

  it('TERM (as the kernel delivers it) stops it the same way', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const { daemon, port } = start({ configPath: writeConfig(baseConfig({ pid_file: join(dir, 'nscad.pid') })) });
    expect(readFileSync(join(dir, 'nscad.pid'), 'utf8')).toBe(`${process.pid}\n`);
    await send(port, [{ host_name: 'h', return_code: 0, plugin_output: 'x' }]);
    await until(() => lines(cmd).length === 1);
    daemon.kernel.signal(daemon.kernel, 'TERM');
    await daemon.done;
    expect(existsSync(join(dir, 'nscad.pid'))).toBe(false);
  });

  it('drops a check whose host name does not resolve to the peer with strict_mode_spoofing', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const { daemon, logs, port } = start({ configPath: writeConfig(baseConfig({ strict_mode_spoofing: 1 })) });
    await send(port, [
      { host_name: '127.0.0.1', return_code: 0, plugin_output: 'mine' },
      { host_name: '10.1.2.3', return_code: 0, plugin_output: 'spoofed' },
    ]);
    await until(() => lines(cmd).length === 1 && logs.some((l) => /strict_mode_spoofing/.test(l)));
    await daemon.stop();
    expect(lines(cmd).map(noTime)).toEqual(['PROCESS_HOST_CHECK_RESULT;127.0.0.1;0;mine']);
    expect(logs.find((l) => /strict_mode_spoofing/.test(l))).toMatch(/dropped check for host '10\.1\.2\.3' from 127\.0\.0\.1/);
  });

  it('refuses a configuration nsca would not run with, with ConfigError', () => {
    const attempt = (cfg: Record<string, string | number>, json = false) => () => Nscad.start({ configPath: writeConfig(cfg), json, log: () => {} });
    for (const method of [7, 12, 13, 99]) {
      const error = (() => {
        try {
          attempt(baseConfig({ decryption_method: method }))();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/decryption_method/);
    }
    const noCommandFile = baseConfig();
    delete noCommandFile.command_file;
    expect(attempt(noCommandFile)).toThrow(ConfigError);
    expect(attempt(noCommandFile)).toThrow(/no command_file \(or run with --json\)/);
    expect(attempt(baseConfig({ password: '' }))).toThrow(/no value for 'password'/);
    expect(attempt(baseConfig({ allowed_hosts: '127.0.0.1,bogus/99' }))).toThrow(ConfigError);
    expect(attempt(baseConfig({ server_port: 70000 }))).toThrow(/invalid server_port/);
    expect(() => Nscad.start({ configPath: join(dir, 'absent.cfg'), log: () => {} })).toThrow(/cannot read .*absent\.cfg/);
  });

  it('ends with ListenError when it cannot listen, as nsca exits', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    const logs: string[] = [];
    try {
      const daemon = Nscad.start({ configPath: writeConfig(baseConfig({ server_port: port })), log: (l) => logs.push(l) });
      const outcome = await Promise.race([daemon.done.then(() => 'resolved', (e: unknown) => e), sleep(3000).then(() => 'still running')]);
      expect(outcome).toBeInstanceOf(ListenError);
      expect((outcome as Error).message).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: Address already in use`));
      expect(logs.some((l) => /listening on/.test(l))).toBe(false);
    } finally {
      squatter.close();
    }
  });

  it('logs a packet it refuses and goes on serving the connection', async () => {
    const cmd = join(dir, 'nagios.cmd');
    writeFileSync(cmd, '');
    const { daemon, logs, port } = start({ configPath: writeConfig(baseConfig()) });
    const client = await RawClient.open(port, 1, PASSWORD);
    const good = client.packet({ host_name: 'ok', return_code: 0, plugin_output: 'fine' });
    const bad = client.packet({ host_name: 'bad', return_code: 0, plugin_output: 'flipped' });
    bad[300] ^= 0xff;
    client.send(bad, good);
    await client.finish();
    await until(() => lines(cmd).length === 1 && logs.length === 2);
    await daemon.stop();
    expect(lines(cmd).map(noTime)).toEqual(['PROCESS_HOST_CHECK_RESULT;ok;0;fine']);
    expect(logs[1]).toMatch(/^nsca: 127\.0\.0\.1:\d+ refused a packet: CRC-32 mismatch/);
  });
});

describe('nscad on @poets/net-server pieces', () => {
  it("routes nscad's own lines through the Logger contract (component nscad, with a level), and debug=1 logs each check", async () => {
    const seen: [string, string, string | undefined][] = [];
    const logger = { log: (level: string, message: string, context?: { component?: string }) => void seen.push([level, message, context?.component]) };
    writeFileSync(join(dir, 'nagios.cmd'), ''); // the command file exists, as Nagios's pipe does
    const daemon = Nscad.start({ configPath: writeConfig(baseConfig({ debug: 1 })), logger });
    running.push(daemon);
    const port = daemon.address()!.port!;
    await until(() => seen.some(([, message]) => message.startsWith('listening on')), 5000, 'the listening line');
    expect(seen.find(([, message]) => message.startsWith('listening on'))).toEqual(['notice', expect.stringMatching(/^listening on 127\.0\.0\.1:\d+ \(method 1, commands to /), 'nscad']);
    await send(port, [{ host_name: 'web', svc_description: 'HTTP', return_code: 0, plugin_output: 'ok' }]);
    await until(() => seen.some(([, message]) => message.includes("check for host 'web' service 'HTTP' return code 0 (debug)")), 5000, 'the debug line');
    await daemon.stop();
  });

  it('--inetd serves the one given socket, writes its checks, and stops', async () => {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
    const accepted = new Promise<import('node:net').Socket>((resolve) => listener.once('connection', resolve));
    const port = (listener.address() as { port: number }).port;
    const sending = send(port, [{ host_name: 'inetd-host', svc_description: 'svc', return_code: 2, plugin_output: 'down' }]);
    const socket = await accepted;
    const commandFile = join(dir, 'nagios.cmd');
    writeFileSync(commandFile, '');
    const daemon = Nscad.start({ configPath: writeConfig(baseConfig()), log: () => {}, inetd: true, socket });
    await sending;
    await daemon.done;
    listener.close();
    expect(lines(commandFile).map(noTime)).toEqual(['PROCESS_SERVICE_CHECK_RESULT;inetd-host;svc;2;down']);
  });
});
