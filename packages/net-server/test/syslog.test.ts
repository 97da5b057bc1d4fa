// log_file Sys::Syslog against a REAL rsyslogd started here (-n, its own config): a loopback UDP
// port, a loopback TCP port and a unix (datagram) socket in a temp folder; the RFC 3164 bytes; a
// write that fails reaches handle_syslog_error and the server goes on.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Single, syslog_message, syslog_timestamp } from '@poets/net-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithPrograms, freePort, freeUdpPort, killPids, until } from '../../../test/support/index.js';
import { start } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'net-server-syslog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the RFC 3164 message', () => {
  it('is <PRI>Mmm dd hh:mm:ss [host ]tag: message, the day space-padded, one line', () => {
    const date = new Date(2026, 0, 5, 7, 8, 9);
    expect(syslog_timestamp(date)).toBe('Jan  5 07:08:09');
    expect(syslog_message(3, 'notice', 'ident[42]', 'two\nlines', undefined, date)).toBe('<29>Jan  5 07:08:09 ident[42]: two lines');
    expect(syslog_message(16, 'error', 'x', 'm', 'box', date)).toBe('<131>Jan  5 07:08:09 box x: m');
  });

  it('bad syslog_facility, syslog_logsock or syslog_port are configuration errors', async () => {
    const run = (args: Record<string, unknown>) => new Single({}, { argv: [], logger: { log() {} }, signals: false }).run({ host: '127.0.0.1', port: 0, log_file: 'Sys::Syslog', ...args });
    await expect(run({ syslog_facility: 'nowhere' })).rejects.toThrow(ConfigError);
    await expect(run({ syslog_logsock: 'console' })).rejects.toThrow(/syslog_logsock "console": unix, inet, udp or tcp/);
    await expect(run({ syslog_port: 'x' })).rejects.toThrow(/syslog_port must be a number/);
    await expect(run({ log_file: 'Log::Log4perl' })).rejects.toThrow(/only Sys::Syslog is ported/);
  });
});

describeWithPrograms(['/usr/sbin/rsyslogd', '/usr/bin/logger'], 'Sys::Syslog to a real rsyslogd', () => {
  let rsyslogd: ChildProcess;
  const pids: number[] = [];
  let udpPort = 0;
  let tcpPort = 0;
  const out = join(dir, 'out.log');
  const unixSocket = join(dir, 'log.sock');
  const received = () => (existsSync(out) ? readFileSync(out, 'utf8') : '');

  beforeAll(async () => {
    udpPort = await freeUdpPort();
    tcpPort = await freePort();
    const conf = join(dir, 'rsyslog.conf');
    writeFileSync(
      conf,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imuxsock" SysSock.Use="off")',
        `input(type="imuxsock" Socket="${unixSocket}")`,
        'module(load="imudp")',
        `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
        'module(load="imtcp")',
        `input(type="imtcp" address="127.0.0.1" port="${tcpPort}")`,
        'template(name="raw" type="string" string="%syslogfacility-text%.%syslogseverity-text%|%syslogtag%|%msg%\\n")',
        `*.* action(type="omfile" file="${out}" template="raw")`,
        '',
      ].join('\n'),
    );
    rsyslogd = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
    pids.push(rsyslogd.pid!);
    await until(() => existsSync(unixSocket), 15_000, 'rsyslogd to make its socket');
  }, 30_000);
  afterAll(() => killPids(pids, 'SIGTERM'));

  it.each([
    ['udp', () => ({ syslog_logsock: 'udp', syslog_port: udpPort })],
    ['inet', () => ({ syslog_logsock: 'inet', syslog_port: udpPort, syslog_host: '127.0.0.1' })],
    ['tcp', () => ({ syslog_logsock: 'tcp', syslog_port: tcpPort })],
    ['unix (a datagram socket)', () => ({ syslog_logsock: 'unix', syslog_path: unixSocket })],
  ] as const)('%s: each line arrives with the ident, [pid], facility and level', async (name, args) => {
    const ident = `poets_${name.split(' ')[0]}`;
    const { server, done } = await start(Single, { log_file: 'Sys::Syslog', syslog_ident: ident, syslog_facility: 'local3', log_level: 4, ...args() });
    server.log(0, `an error over ${name}`);
    server.log(3, `some info over ${name}`);
    await until(() => received().includes(`some info over ${name}`), 15_000, () => `the lines in rsyslog's file:\n${received()}`);
    expect(received()).toContain(`local3.err|${ident}[${process.pid}]:| an error over ${name}`);
    expect(received()).toContain(`local3.info|${ident}[${process.pid}]:| some info over ${name}`);
    expect(received()).toMatch(new RegExp(`local3\\.notice\\|${ident}\\[${process.pid}\\]:\\| .*Single \\(type Net::Server::Single\\) starting!`));
    await server.server_close();
    await done;
  });

  it('a write that fails goes to handle_syslog_error with the line, and the server goes on serving', async () => {
    const closedPort = await freePort();
    const failures: [string, number, string][] = [];
    class Hooked extends Single {
      override handle_syslog_error(error: Error, args: [number, string]) {
        failures.push([(error as NodeJS.ErrnoException).code ?? error.message, args[0], args[1]]);
      }
    }
    const { server, done } = await start(Hooked, { log_file: 'Sys::Syslog', syslog_logsock: 'tcp', syslog_port: closedPort });
    server.log(1, 'nobody listens');
    await until(() => failures.length > 0, 15_000, 'handle_syslog_error');
    expect(failures[0]![0]).toBe('ECONNREFUSED');
    expect(failures.some(([, , line]) => line.includes('nobody listens'))).toBe(true);
    await server.server_close();
    await done;
  });
});
