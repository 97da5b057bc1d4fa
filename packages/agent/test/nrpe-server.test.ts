// NRPEServer against the real check_nrpe (v4, v3, v2, TLS and not, arguments, long output), beside
// the real nrpe daemon answering the same commands, and the bad input NRPE servers get.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore, encodePacket, parsePacket, status, QUERY_PACKET, type Agent, type ModuleDefinition } from '@poets/agent';
import { describeWithPrograms, freePort, killPids, until } from '../../../test/support/index.js';
import { makeAgent, tempDir, type RecordingLogger } from './helpers.js';

const CHECK_NRPE = '/usr/lib/nagios/plugins/check_nrpe';
const NRPE = '/usr/sbin/nrpe';

const dir = tempDir();
chmodSync(dir, 0o755);
const longFile = join(dir, 'long.txt');
const longText = Array.from({ length: 80 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`).join('\n');
writeFileSync(longFile, longText);
chmodSync(longFile, 0o644);

/** The same checks the nrpe daemon below runs as commands, answered in-process. */
const checks: ModuleDefinition = {
  name: 'NRPETestChecks',
  load: (plugin) => {
    plugin.registry.simple_function('check_hello', () => [status.OK, 'hello world', ''], 'hello');
    plugin.registry.simple_function('check_crit', () => [status.CRITICAL, 'bad', 'x=1'], 'critical with perfdata');
    plugin.registry.simple_function('check_long', () => [status.OK, longText, ''], 'long output');
    plugin.registry.simple_function('check_echo', (args: string[]) => [status.WARNING, `echo ${args.join(' ')}`, ''], 'arguments');
  },
};
const NRPE_COMMANDS = `command[check_hello]=/bin/echo hello world
command[check_crit]=/bin/sh -c 'echo "bad|x=1"; exit 2'
command[check_long]=/bin/cat ${longFile}
`;

interface Run {
  code: number;
  out: string;
}

function checkNrpe(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(CHECK_NRPE, ['-t', '20', ...args], (error, stdout) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, out: stdout });
    });
  });
}

async function startAgent(keys: string): Promise<{ agent: Agent; logger: RecordingLogger; port: number }> {
  const port = await freePort();
  const text = `[/modules]\nNRPETestChecks = enabled\nNRPEServer = enabled\n[/settings/NRPE/server]\nport = ${port}\nallowed hosts = 127.0.0.1,::1\n${keys}`;
  const { agent, logger } = makeAgent({ settings: SettingsStore.fromText(text, join(dir, 'agent.ini')), modules: [checks] });
  await agent.start();
  return { agent, logger, port };
}

async function startNrpe(ssl: boolean): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const conf = join(dir, `nrpe-${port}.cfg`);
  writeFileSync(
    conf,
    `server_port=${port}\nserver_address=127.0.0.1\nallowed_hosts=127.0.0.1\nnrpe_user=nobody\nnrpe_group=nogroup\ndont_blame_nrpe=1\ncommand_timeout=20\nlog_file=${join(dir, `nrpe-${port}.log`)}\npid_file=${join(dir, `nrpe-${port}.pid`)}\n${NRPE_COMMANDS}`,
  );
  chmodSync(conf, 0o644);
  const child = spawn(NRPE, ['-c', conf, '-f', ...(ssl ? [] : ['-n'])], { stdio: 'ignore' });
  await until(() => {
    try {
      execFileSync(CHECK_NRPE, ['-H', '127.0.0.1', '-p', String(port), ...(ssl ? [] : ['-n']), '-t', '2'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }, 20_000, 'nrpe to answer check_nrpe', 100);
  return { child, port };
}

/** Opens a connection, writes `bytes`, and collects what comes back until the server closes. */
function exchange(port: number, bytes: Buffer | undefined, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect(port, host, () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** Same status and output as nrpe; except that nrpe 4 cuts v3 output at 1023 bytes where the agent sends all of it. */
function expectSameAnswer(label: string, command: string, ours: Run, theirs: Run): void {
  if (label === 'v3' && command === 'check_long') {
    expect(theirs).toEqual({ code: 0, out: `${longText.slice(0, 1023)}\n` });
    expect(ours).toEqual({ code: 0, out: `${longText}\n` });
    return;
  }
  expect(ours).toEqual(theirs);
}

describeWithPrograms([CHECK_NRPE, NRPE], 'NRPEServer with check_nrpe, beside the nrpe daemon', () => {
  const pids: number[] = [];
  let plain: Awaited<ReturnType<typeof startAgent>>;
  let tls: Awaited<ReturnType<typeof startAgent>>;
  let nrpePlain: Awaited<ReturnType<typeof startNrpe>>;
  let nrpeTls: Awaited<ReturnType<typeof startNrpe>>;

  beforeAll(async () => {
    plain = await startAgent('use ssl = false\nallow arguments = true\ntimeout = 2\n');
    tls = await startAgent('use ssl = true\ntimeout = 2\n');
    nrpePlain = await startNrpe(false);
    nrpeTls = await startNrpe(true);
    pids.push(nrpePlain.child.pid!, nrpeTls.child.pid!);
  }, 60_000);

  afterAll(async () => {
    killPids(pids, 'SIGTERM');
    await plain?.agent.stop();
    await tls?.agent.stop();
  });

  for (const [label, flags] of [['v4', []], ['v3', ['-3']], ['v2', ['-2']]] as const) {
    for (const command of ['check_hello', 'check_crit', 'check_long']) {
      it(`${label} without TLS: ${command} answers as nrpe does`, async () => {
        if (label === 'v3') {
          // nrpe 4 refuses v3 without TLS; the agent answers it (NSClient++ does too).
          const ours = await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', ...flags, '-c', command]);
          const theirs = await checkNrpe(['-H', '127.0.0.1', '-p', String(nrpeTls.port), ...flags, '-c', command]);
          expectSameAnswer(label, command, ours, theirs);
          return;
        }
        const ours = await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', ...flags, '-c', command]);
        const theirs = await checkNrpe(['-H', '127.0.0.1', '-p', String(nrpePlain.port), '-n', ...flags, '-c', command]);
        expect(ours).toEqual(theirs);
      }, 30_000);
    }
    it(`${label} with TLS (anonymous DH, check_nrpe's default): the same answers as nrpe`, async () => {
      for (const command of ['check_hello', 'check_crit', 'check_long']) {
        const ours = await checkNrpe(['-H', '127.0.0.1', '-p', String(tls.port), ...flags, '-c', command]);
        const theirs = await checkNrpe(['-H', '127.0.0.1', '-p', String(nrpeTls.port), ...flags, '-c', command]);
        expectSameAnswer(label, command, ours, theirs);
      }
    }, 60_000);
  }

  it('long output: v4 carries all of it; v2 stops at 1023 bytes, as nrpe', async () => {
    const v4 = await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-c', 'check_long']);
    expect(v4.out).toBe(`${longText}\n`);
    const v2 = await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-2', '-c', 'check_long']);
    expect(v2.out).toBe(`${longText.slice(0, 1023)}\n`);
  }, 30_000);

  it('the hello check (no command) and an unknown command have nrpe status codes', async () => {
    const hello = await checkNrpe(['-H', '127.0.0.1', '-p', String(tls.port)]);
    expect(hello).toEqual({ code: 0, out: 'I (poets-agent) seem to be doing fine...\n' });
    const theirs = await checkNrpe(['-H', '127.0.0.1', '-p', String(nrpeTls.port), '-c', 'nope']);
    const ours = await checkNrpe(['-H', '127.0.0.1', '-p', String(tls.port), '-c', 'nope']);
    expect(ours.code).toBe(theirs.code);
    expect(ours.out).toMatch(/Unknown command\(s\): nope/);
    expect(tls.logger.text()).toMatch(/Unknown command\(s\): nope/);
  }, 30_000);

  it('arguments (-a) reach the query as cmd!arg1!arg2, over v4, v2 and IPv6', async () => {
    expect(await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-c', 'check_echo', '-a', 'one', 'two'])).toEqual({ code: 1, out: 'echo one two\n' });
    expect(await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-2', '-c', 'check_echo', '-a', 'x'])).toEqual({ code: 1, out: 'echo x\n' });
    expect(await checkNrpe(['-H', '::1', '-p', String(plain.port), '-n', '-c', 'check_echo', '-a', 'v6'])).toEqual({ code: 1, out: 'echo v6\n' });
  }, 30_000);

  it('refuses arguments while allow arguments is off (the default), with the reason', async () => {
    const run = await checkNrpe(['-H', '127.0.0.1', '-p', String(tls.port), '-c', 'check_echo', '-a', 'one']);
    expect(run.code).toBe(3);
    expect(run.out).toMatch(/arguments/);
    expect(tls.logger.text()).toMatch(/check_echo: Request contained arguments/);
  }, 30_000);

  it('refuses nasty characters while allow nasty characters is off, and keeps serving', async () => {
    for (const nasty of ['a|b', 'a`id`', '$(x)>y']) {
      const run = await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-c', 'check_echo', '-a', nasty]);
      expect(run.code).toBe(3);
      expect(run.out).toMatch(/illegal characters/);
    }
    expect(plain.logger.text()).toMatch(/Request contained illegal characters/);
    expect(await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-c', 'check_hello'])).toEqual({ code: 0, out: 'hello world\n' });
  }, 30_000);

  describe('bad input: refused with a logged reason, the agent keeps serving', () => {
    const stillServing = async () => expect(await checkNrpe(['-H', '127.0.0.1', '-p', String(plain.port), '-n', '-c', 'check_hello'])).toEqual({ code: 0, out: 'hello world\n' });

    it('garbage', async () => {
      expect((await exchange(plain.port, Buffer.from('GET / HTTP/1.0\r\n\r\n'))).length).toBe(0);
      expect(plain.logger.text()).toMatch(/not an NRPE packet/);
      await stillServing();
    }, 30_000);

    it('a bad CRC', async () => {
      const p = encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: 'check_hello' });
      p.writeUInt32BE((p.readUInt32BE(4) ^ 1) >>> 0, 4);
      expect((await exchange(plain.port, p)).length).toBe(0);
      expect(plain.logger.text()).toMatch(/bad CRC32 in a v4 packet/);
      await stillServing();
    }, 30_000);

    it('a v3 packet framed as v4 (3 bytes short) and a v4 packet framed as v3 (3 bytes over)', async () => {
      const v4 = encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: 'check_hello' });
      const v3short = Buffer.from(v4);
      v3short.writeUInt16BE(3, 0);
      v3short.writeUInt32BE(0, 4);
      expect((await exchange(plain.port, v3short)).length).toBe(0);
      expect(plain.logger.text()).toMatch(/no query within 2 s/);
      const v3 = encodePacket({ version: 3, type: QUERY_PACKET, result: 0, text: 'check_hello' });
      const v4long = Buffer.from(v3);
      v4long.writeUInt16BE(4, 0);
      v4long.writeUInt32BE(0, 4);
      expect((await exchange(plain.port, v4long)).length).toBe(0);
      expect(plain.logger.text()).toMatch(/bad CRC32 in a v4 packet/);
      await stillServing();
    }, 30_000);

    it('a truncated packet', async () => {
      const p = encodePacket({ version: 2, type: QUERY_PACKET, result: 0, text: 'check_hello' });
      const socket = connect(plain.port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
      socket.end(p.subarray(0, 500));
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      await until(() => /truncated packet: closed after 500 bytes/.test(plain.logger.text()), 10_000);
      await stillServing();
    }, 30_000);

    it('a client that never sends', async () => {
      expect((await exchange(plain.port, undefined)).length).toBe(0);
      expect(plain.logger.text()).toMatch(/no query within 2 s/);
      await stillServing();
    }, 30_000);

    it('a TLS client that never finishes the handshake', async () => {
      // The first bytes of a ClientHello, and then nothing.
      expect((await exchange(tls.port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])))).toHaveLength(0);
      expect(tls.logger.text()).toMatch(/TLS handshake not finished within 2 s/);
      expect(await checkNrpe(['-H', '127.0.0.1', '-p', String(tls.port), '-c', 'check_hello'])).toEqual({ code: 0, out: 'hello world\n' });
    }, 30_000);

    it('a plain client on the TLS port', async () => {
      const run = await checkNrpe(['-H', '127.0.0.1', '-p', String(tls.port), '-n', '-c', 'check_hello']);
      expect(run.code).toBe(3);
      await until(() => /TLS: /.test(tls.logger.text()), 10_000);
    }, 30_000);

    it('a host not in allowed hosts', async () => {
      const port = await freePort();
      const text = `[/modules]\nNRPETestChecks = enabled\nNRPEServer = enabled\n[/settings/NRPE/server]\nport = ${port}\nuse ssl = false\nallowed hosts = ::1\n`;
      const { agent, logger } = makeAgent({ settings: SettingsStore.fromText(text, join(dir, 'v6.ini')), modules: [checks] });
      await agent.start();
      try {
        expect((await checkNrpe(['-H', '127.0.0.1', '-p', String(port), '-n', '-c', 'check_hello'])).code).toBe(3);
        expect(logger.text()).toMatch(/not in allowed hosts/);
        expect(await checkNrpe(['-H', '::1', '-p', String(port), '-n', '-c', 'check_hello'])).toEqual({ code: 0, out: 'hello world\n' });
      } finally {
        await agent.stop();
      }
    }, 30_000);
  });
});

describeWithPrograms([CHECK_NRPE, '/usr/bin/openssl'], 'NRPEServer with a certificate', () => {
  it('serves TLS with the configured certificate and key; check_nrpe connects', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const agent = await startAgent(`certificate = ${cert}\ncertificate key = ${key}\n`);
    try {
      expect(agent.logger.text()).not.toMatch(/anonymous DH/);
      expect(await checkNrpe(['-H', '127.0.0.1', '-p', String(agent.port), '-c', 'check_crit'])).toEqual({ code: 2, out: 'bad|x=1\n' });
      const packet = parsePacket(encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: 'x' }));
      expect(packet.kind).toBe('packet');
    } finally {
      await agent.agent.stop();
    }
  }, 60_000);
});
