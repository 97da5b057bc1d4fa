// The INET personality run by a real xinetd (-dontfork on a loopback port): each connection is
// its own process with the client on standard input/output; and the same server fed a pipe.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithPrograms, freePort, killPids, startXinetd, until } from '../../../test/support/index.js';
import { lineClient } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'daemon-server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'net-server-inet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithPrograms(['/usr/sbin/xinetd'], 'INET under a real xinetd', () => {
  let xinetd: ChildProcess;
  let port = 0;
  const logFile = join(dir, 'inet.log');
  const pids: number[] = [];
  beforeAll(async () => {
    port = await freePort();
    xinetd = await startXinetd(
      dir,
      { name: 'poets-inet', port, server: process.execPath, serverArgs: `${fixture} --log_file=${logFile} --log_level=3`, env: 'FIXTURE_TYPE=INET' },
      pids,
    );
  }, 30_000);
  afterAll(() => killPids(pids, 'SIGTERM'));

  it('serves one connection per process on standard input/output, with the peer known', async () => {
    const c = lineClient(port);
    const [greeting] = await c.next(1);
    const pid = Number(/^ready (\d+)/.exec(greeting!)![1]);
    expect(pid).not.toBe(xinetd.pid);
    c.send('hello');
    c.send('quit');
    expect((await c.next(3)).slice(1)).toEqual([`${pid}:hello`, `${pid}:quit`]);
    await c.closed;
    await until(() => readFileSync(logFile, 'utf8').includes(`CONNECT TCP Peer: "[127.0.0.1]:${c.localPort()}"`), 10_000, 'the CONNECT log line');
    expect(readFileSync(logFile, 'utf8')).toMatch(/DaemonServer \(type Net::Server::INET\) starting!/);
  });

  it('ten clients at once each get their own process', async () => {
    const clients = Array.from({ length: 10 }, () => lineClient(port));
    const greetings = await Promise.all(clients.map((c) => c.next(1)));
    const servers = new Set(greetings.map(([line]) => /^ready (\d+)/.exec(line!)![1]));
    expect(servers.size).toBe(10);
    for (const c of clients) c.send('quit');
    await Promise.all(clients.map((c) => c.closed));
  });
});

describe('INET on a pipe', () => {
  it('reads standard input and answers on standard output, then ends', () => {
    const result = spawnSync(process.execPath, [fixture, '--log_level=0'], { input: 'one\r\ntwo\r\nquit\r\nnot read\r\n', env: { ...process.env, FIXTURE_TYPE: 'INET' }, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\r\n');
    expect(lines[0]).toMatch(/^ready \d+/);
    const pid = /^ready (\d+)/.exec(lines[0]!)![1];
    expect(lines.slice(1, 4)).toEqual([`${pid}:one`, `${pid}:two`, `${pid}:quit`]);
  });

  it('MultiType with server_type INET (after one it does not know) serves standard input the same way', () => {
    const argv = [fixture, '--log_level=2', '--server_type=Bogus', '--server_type=INET'];
    const result = spawnSync(process.execPath, argv, { input: 'one\r\nquit\r\n', env: { ...process.env, FIXTURE_TYPE: 'MultiType' }, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\r\n');
    const pid = /^ready (\d+)/.exec(lines[0]!)![1];
    expect(lines.slice(1, 3)).toEqual([`${pid}:one`, `${pid}:quit`]);
    expect(result.stderr).toContain('server_type "Bogus" is not available');
    expect(result.stderr).toMatch(/DaemonServer \(type Net::Server::INET\) starting!/);
    expect(result.stderr).not.toMatch(/Binding to/);
  });
});

describe('examples/net-server-inet.ts', () => {
  it("is the synopsis's echo server on standard input/output", () => {
    const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'dist', 'net-server-inet.js');
    const result = spawnSync(process.execPath, [example], { input: 'hello\r\nquit\r\nnot read\r\n', encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("You said 'hello'\r\nYou said 'quit'\r\n");
  });
});
