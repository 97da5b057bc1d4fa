// NSCAClient and NSCAServer against the real Debian programs: send_nsca into NSCAServer (each check
// a submission on the inbox channel), and NSCAClient into the real nsca daemon, its command file
// lines compared with what send_nsca makes of the same input. Bad input: targets down, slow and
// refusing (results queued and delivered later, the queue bounded), wrong passwords, garbage.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { Agent, Core, NSCAClient, SettingsStore, simpleSubmitRequest, submitRequestToWire, parseAddress, parseEncryption, status, type Submission } from '@poets/agent';
import { ServerNSCA } from '@poets/server-nsca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NSCA, haveNsca, haveSendNsca, sendNsca } from '../../../test/interop/helpers/commands.js';
import { canConnect, exited, startNscaDaemon, withoutTime, type NscaDaemon } from '../../../test/interop/helpers/nsca-daemon.js';
import { describeWithPeer, freePort, sleep, until } from '../../../test/support/index.js';
import { makeAgent, tempDir } from './helpers.js';

const missing = [haveNsca ? '' : NSCA, haveSendNsca ? '' : '/usr/sbin/send_nsca'].filter(Boolean).join(', ') || undefined;

function agentWith(text: string) {
  return makeAgent({ settings: SettingsStore.fromText(text) });
}

function instance<T>(agent: Agent, alias: string, type: new (...a: never[]) => T): T {
  const i = agent.findPlugin(alias)?.instance;
  if (!(i instanceof type)) throw new Error(`${alias} not loaded`);
  return i;
}

/** A subscriber on `channel` that records what it gets (as a module written in TypeScript would). */
let recorders = 0;
function recordChannel(agent: Agent, channel: string): Submission[] {
  const got: Submission[] = [];
  void agent.load_module('TypeScript', `recorder${++recorders}`).then((plugin) => agent.subscribe(plugin, channel, (_c, payloads) => (got.push(...payloads), true)));
  return got;
}

/** Waits (5 s at most) until something accepts connections on host:port. */
async function listening(port: number, host: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await canConnect(port, host)) return;
    await sleep(25);
  }
  throw new Error(`nothing listens on ${host}:${port} after 5 s`);
}

/** The real nsca on a given port (for a target that comes back where the agent sends). */
async function nscaOn(dir: string, port: number, method: number, password: string, commandFile: string): Promise<ChildProcess> {
  const config = join(dir, `nsca-${port}.cfg`);
  writeFileSync(config, [`server_address=127.0.0.1`, `server_port=${port}`, `nsca_user=${process.getuid?.() ?? 0}`, `nsca_group=${process.getgid?.() ?? 0}`, `command_file=${commandFile}`, 'append_to_file=1', `decryption_method=${method}`, `password=${password}`, ''].join('\n'));
  const child = spawn(NSCA, ['-c', config, '-f'], { stdio: 'ignore' });
  await listening(port, '127.0.0.1');
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([exited(child), sleep(2000).then(() => child.kill('SIGKILL'))]);
  await exited(child);
}

describe('NSCA modules: settings', () => {
  it('takes encryption by NSClient++ names and by send_nsca numbers', () => {
    expect(parseEncryption('[t]', 'aes')).toBe(14);
    expect(parseEncryption('[t]', 'AES256')).toBe(14);
    expect(() => parseEncryption('[t]', 'aes128')).toThrow(/aes128 \(AES with a 16-byte key\) matches no nsca method/);
    expect(parseEncryption('[t]', 'xor')).toBe(1);
    expect(parseEncryption('[t]', '3des')).toBe(3);
    expect(parseEncryption('[t]', '8')).toBe(8);
    expect(() => parseEncryption('[t]', 'rot13')).toThrow(/encryption = rot13: unknown method/);
    expect(() => parseEncryption('[t]', '12')).toThrow(/method 12 .* not available/);
  });

  it('reads address as host, host:port, [v6]:port, v6', () => {
    expect(parseAddress('[t]', 'nagios:5668', '', '')).toEqual({ host: 'nagios', port: 5668 });
    expect(parseAddress('[t]', 'nagios', '', '')).toEqual({ host: 'nagios', port: 5667 });
    expect(parseAddress('[t]', '[::1]:5669', '', '')).toEqual({ host: '::1', port: 5669 });
    expect(parseAddress('[t]', '::1', '', '')).toEqual({ host: '::1', port: 5667 });
    expect(parseAddress('[t]', '', 'h', '99')).toEqual({ host: 'h', port: 99 });
    expect(() => parseAddress('[t]', 'h:0', '', '')).toThrow(/port 0: not a port/);
  });

  it('documents NSClient++ keys and defaults, targets inheriting from default', async () => {
    const { agent } = agentWith('[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = ${host_lc}.example\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:1\npassword = pw\n[/settings/NSCA/client/targets/backup]\naddress = 127.0.0.2\n');
    await agent.start();
    const client = instance(agent, 'NSCAClient', NSCAClient);
    expect(client.config.channel).toBe('NSCA');
    expect(client.config.hostname).toMatch(/^[^A-Z]+\.example$/);
    const backup = client.config.targets.get('backup')!;
    expect(backup).toMatchObject({ host: '127.0.0.2', port: 5667, password: 'pw', encryption: 14, payloadLength: 512, timeout: 30, retries: 3, timeOffset: 0 });
    agent.settings.generate({ addDefaults: true });
    const text = agent.settings.toString();
    for (const line of ['channel = NSCA', 'hostname = ${host_lc}.example', 'encryption = aes', 'payload length = 512', 'retries = 3', 'time offset = 0', 'timeout = 30']) expect(text).toContain(line);
    await agent.stop();
  });

  it.each([
    ['[/settings/NSCA/client/targets/default]\nencryption = rot13', /encryption = rot13: unknown method/],
    ['[/settings/NSCA/client/targets/default]\npayload length = 1024', /payload length = 1024: nsca packets carry 512/],
    ['[/settings/NSCA/client/targets/default]\nuse ssl = true', /use ssl = true: NSCA over TLS is not supported/],
    ['[/settings/NSCA/client/targets/default]\nadress = x', /adress: unknown key/],
    ['[/settings/NSCA/client]\nmax queue = 0', /max queue = 0: not a whole number >= 1/],
    ['[/settings/NSCA/client]\nhostname = ${host}.${domain}', /\$\{domain\} forms are not supported/],
  ])('refuses bad client settings (%s) with the reason; the channel has no handler', async (section, reason) => {
    const { agent, logger } = agentWith(`[/modules]\nNSCAClient = enabled\n${section}\n`);
    await agent.start();
    expect(agent.findPlugin('NSCAClient')).toBeUndefined();
    expect(logger.text()).toMatch(reason);
    expect(await agent.simple_submit('NSCA', 'disk', 0, 'ok')).toEqual([false, 'No handler for channel: NSCA']);
    await agent.stop();
  });

  it.each([
    ['allowed hosts = 10.0.0.0/99', /allowed hosts: 10\.0\.0\.0\/99: bad prefix length/],
    ['bind to = nowhere', /bind to = nowhere: not an IP address/],
    ['encryption = 7', /method 7 .* not available/],
  ])('refuses bad server settings (%s)', async (line, reason) => {
    const { agent, logger } = agentWith(`[/modules]\nNSCAServer = enabled\n[/settings/NSCA/server]\nport = 0\n${line}\n`);
    await agent.start();
    expect(agent.findPlugin('NSCAServer')).toBeUndefined();
    expect(logger.text()).toMatch(reason);
    await agent.stop();
  });

  it('refuses a submission for a target that is not configured, naming the ones that are', async () => {
    const { agent, logger } = agentWith('[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:1\n');
    await agent.start();
    const r = await agent.submit('NSCA', [{ command: 'x', result: 0, message: 'm', perf: '', source: '', target: 'elsewhere' }]);
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/no target elsewhere \(configured: default\)/);
    expect(logger.text()).toMatch(/error .*no target elsewhere/);
    await agent.stop();
  });
});

describeWithPeer(missing ? `${missing} missing (apt-get install nsca nsca-client)` : undefined, 'NSCAServer ← send_nsca', () => {
  let agent: Agent;
  let logger: ReturnType<typeof makeAgent>['logger'];
  let got: Submission[];
  let port: number;
  let port6: number;
  const dir = tempDir();
  const cfg = (name: string, pw: string, method: number) => {
    const file = join(dir, name);
    writeFileSync(file, `password=${pw}\nencryption_method=${method}\n`);
    return file;
  };

  beforeAll(async () => {
    port = await freePort();
    port6 = await freePort('::1');
    ({ agent, logger } = agentWith(
      `[/modules]\nNSCAServer = enabled\nv6 = NSCAServer\n[/settings/default]\npassword = s3cret\n[/settings/NSCA/server]\nport = ${port}\nbind to = 127.0.0.1\nencryption = aes\npayload length = 4096\n` +
        `[/settings/v6/server]\nport = ${port6}\nbind to = ::1\nallowed hosts = ::1\nencryption = 1\ninbox = inbox6\n`,
    ));
    await agent.start();
    got = recordChannel(agent, 'inbox');
    await listening(port, '127.0.0.1');
    await listening(port6, '::1');
  });
  afterAll(() => agent?.stop());

  it('turns each received check into a submission on the inbox channel: host as source, output split at |', async () => {
    const r = await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-c', cfg('aes.cfg', 's3cret', 14)], 'web1\tdisk\t1\tdisk 91% used|/=91%;80;90\x17web1\t2\thost down\n');
    expect(r.stdout.toString()).toMatch(/2 data packet\(s\) sent/);
    await until(() => got.length >= 2, 5000, 'two submissions');
    expect(got).toEqual([
      { command: 'disk', result: status.WARNING, message: 'disk 91% used', perf: '/=91%;80;90', source: 'web1' },
      { command: '', result: status.CRITICAL, message: 'host down', perf: '', source: 'web1' },
    ]);
  });

  it('listens on IPv6 with an IPv6 allowed host (its own inbox)', async () => {
    const got6 = recordChannel(agent, 'inbox6');
    const r = await sendNsca(['-H', '::1', '-p', String(port6), '-c', cfg('xor.cfg', 's3cret', 1)], 'v6host\tping\t0\tOK\n');
    expect(r.code).toBe(0);
    await until(() => got6.length >= 1, 5000, 'the IPv6 submission');
    expect(got6[0]).toMatchObject({ source: 'v6host', command: 'ping', result: 0, message: 'OK' });
  });

  it('refuses a peer outside allowed hosts (logged), under another alias with its own section', async () => {
    const strictPort = await freePort();
    for (const [key, value] of [['port', String(strictPort)], ['bind to', '127.0.0.1'], ['allowed hosts', '10.1.2.3, 192.168.0.0/16'], ['encryption', 'xor'], ['inbox', 'strict_inbox']]) agent.settings.set_string('/settings/strict/server', key!, value!);
    await agent.load_module('NSCAServer', 'strict');
    const strictGot = recordChannel(agent, 'strict_inbox');
    await listening(strictPort, '127.0.0.1');
    await sendNsca(['-H', '127.0.0.1', '-p', String(strictPort), '-c', cfg('xor.cfg', 's3cret', 1)], 'web1\tx\t0\tnot allowed\n');
    await until(() => /nsca: .*127\.0\.0\.1.*(not allowed|access|refused)/i.test(logger.text()), 5000, () => `the refusal logged in:\n${logger.text()}`);
    expect(strictGot).toEqual([]);
    await agent.unload_module('strict');
  });

  it('drops a wrong password (seen as a bad CRC), logs why, and goes on serving', async () => {
    const before = got.length;
    await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-c', cfg('bad.cfg', 'wrong', 14)], 'web1\tbad\t0\tnever\n');
    await until(() => /nsca: 127\.0\.0\.1:\d+ refused a packet: invalid packet version .*wrong password or encryption method/.test(logger.text()), 5000, () => `the refusal logged in:\n${logger.text()}`);
    await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-c', cfg('aes.cfg', 's3cret', 14)], 'web1\tgood\t0\tafter\n');
    await until(() => got.length > before, 5000, 'the good check');
    expect(got.slice(before).map((s) => s.command)).toEqual(['good']);
  });

  it('refuses garbage and truncated packets with a logged reason, and serves the next client', async () => {
    const before = got.length;
    for (const bytes of [Buffer.alloc(5000, 0x41), Buffer.alloc(100, 1)]) {
      await new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port }, () => s.end(bytes));
        s.on('close', () => resolve());
        s.on('error', () => resolve());
        s.resume();
      });
    }
    await until(() => /nsca: 127\.0\.0\.1:\d+ refused a packet: connection closed after \d+ bytes of a packet/.test(logger.text()), 5000, () => `the refusal logged in:\n${logger.text()}`);
    await sendNsca(['-H', '127.0.0.1', '-p', String(port), '-c', cfg('aes.cfg', 's3cret', 14)], 'web1\tstill\t0\tserving\n');
    await until(() => got.length > before, 5000, 'the good check');
    expect(got.slice(before).map((s) => s.command)).toEqual(['still']);
  });
});

describeWithPeer(missing ? `${missing} missing (apt-get install nsca nsca-client)` : undefined, 'NSCAClient → nsca', () => {
  const dir = tempDir();
  let nsca14: NscaDaemon;
  let nsca16: NscaDaemon;
  let nsca1: NscaDaemon;
  beforeAll(async () => {
    nsca14 = await startNscaDaemon({ method: 14, password: 'pw16', dir });
    nsca16 = await startNscaDaemon({ method: 16, password: 'pw16', dir });
    nsca1 = await startNscaDaemon({ method: 1, password: 'pw1', dir });
  });
  afterAll(async () => {
    await nsca14?.stop();
    await nsca16?.stop();
    await nsca1?.stop();
  });

  async function viaSendNsca(daemon: NscaDaemon, method: number, password: string, input: string, count: number): Promise<string[]> {
    const cfg = join(dir, `send-${method}.cfg`);
    writeFileSync(cfg, `password=${password}\nencryption_method=${method}\n`);
    const before = daemon.lines().length;
    const r = await sendNsca(['-H', '127.0.0.1', '-p', String(daemon.port), '-c', cfg], input);
    expect(r.code).toBe(0);
    return (await daemon.waitForLines(before + count)).slice(before).map(withoutTime);
  }

  it.each([
    ['aes', 14, 512],
    ['16', 16, 4096],
    ['xor', 1, 4096],
  ])("writes a script's simple_submit as send_nsca would (encryption %s = send_nsca's %i, payload length %i)", async (encryption, method, payload) => {
    const daemon = method === 14 ? nsca14 : method === 16 ? nsca16 : nsca1;
    const password = method === 1 ? 'pw1' : 'pw16';
    const scripts = tempDir();
    writeFileSync(
      join(scripts, 'report.ts'),
      `import { Core, Registry, status } from '@poets/agent';
let id = 0;
export function init(plugin_id: number) {
  id = plugin_id;
  Registry.get(plugin_id).simple_function('report', async () => {
    const a = await Core.get(id).simple_submit('NSCA', 'disk', status.WARNING, 'disk 91% used', "'/'=91%;80;90");
    const b = await Core.get(id).simple_submit('NSCA', '', status.OK, 'host up', '');
    return [a[0] && b[0] ? status.OK : status.CRITICAL, a[1] + b[1], ''];
  }, 'submits two results');
}
`,
    );
    const { agent } = makeAgent({
      settings: SettingsStore.fromText(
        `[/modules]\nNSCAClient = enabled\nTypeScript = enabled\n[/settings/typescript/scripts]\nreport = ${join(scripts, 'report.ts')}\n[/settings/NSCA/client]\nhostname = web-01\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${daemon.port}\nencryption = ${encryption}\npassword = ${password}\npayload length = ${payload}\n`,
      ),
    });
    await agent.start();
    const before = daemon.lines().length;
    expect(await agent.simple_query('report', [])).toEqual([status.OK, '', '']);
    const ours = (await daemon.waitForLines(before + 2)).slice(before).map(withoutTime);
    const theirs = await viaSendNsca(daemon, method, password, "web-01\tdisk\t1\tdisk 91% used|'/'=91%;80;90\x17web-01\t0\thost up\n", 2);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual(["PROCESS_SERVICE_CHECK_RESULT;web-01;disk;1;disk 91% used|'/'=91%;80;90", 'PROCESS_HOST_CHECK_RESULT;web-01;0;host up']);
    await agent.stop();
  }, 30_000);

  it('stamps packets with the server time plus time offset (nsca writes its own clock, so Server::NSCA reads the stamp)', async () => {
    const port = await freePort();
    const { agent } = agentWith(`[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = h\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${port}\nencryption = 1\npassword = pw\ntime offset = -3600\n`);
    await agent.start();
    const stamps: number[] = [];
    const server = ServerNSCA.spawn({ password: 'pw', encryption: 1, address: '127.0.0.1', port, kernel: agent.kernel });
    server.results$.subscribe((r) => stamps.push(r.timestamp));
    await listening(port, '127.0.0.1');
    expect(await agent.simple_submit('NSCA', 'a', 0, 'x')).toEqual([true, '']);
    await until(() => stamps.length === 1, 5000, 'the packet');
    expect(Math.abs(Date.now() / 1000 - 3600 - stamps[0]!)).toBeLessThan(60);
    server.shutdown();
    await agent.stop();
  });

  it("sends to the target the submission names (the header's recipient), else default", async () => {
    const { agent } = agentWith(
      `[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = h\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${nsca14.port}\npassword = pw16\n[/settings/NSCA/client/targets/obfuscated]\naddress = 127.0.0.1:${nsca1.port}\nencryption = xor\npassword = pw1\n`,
    );
    await agent.start();
    const b16 = nsca14.lines().length;
    const b1 = nsca1.lines().length;
    const r = await agent.submit('NSCA', [
      { command: 'a', result: 0, message: 'to default', perf: '', source: '' },
      { command: 'b', result: 2, message: 'to xor', perf: '', source: 'other-host', target: 'obfuscated' },
    ]);
    expect(r).toMatchObject({ success: true });
    const [toDefault] = (await nsca14.waitForLines(b16 + 1)).slice(b16);
    const [toXor] = (await nsca1.waitForLines(b1 + 1)).slice(b1);
    expect(withoutTime(toDefault!)).toBe('PROCESS_SERVICE_CHECK_RESULT;h;a;0;to default');
    expect(withoutTime(toXor!)).toBe('PROCESS_SERVICE_CHECK_RESULT;other-host;b;2;to xor');
    // the raw call: the SubmitRequestMessage's header names the recipient
    const raw = submitRequestToWire(simpleSubmitRequest('NSCA', 'c', 1, 'raw to xor', 'x=1', { target: 'obfuscated' }));
    expect(await Core.get(agent.findPlugin('NSCAClient')!.id).submit('NSCA', raw)).toEqual([true, '']);
    expect(withoutTime((await nsca1.waitForLines(b1 + 2))[b1 + 1]!)).toBe("PROCESS_SERVICE_CHECK_RESULT;h;c;1;raw to xor|'x'=1");
    await agent.stop();
  }, 30_000);

  it('a target down: the caller is answered with the reason after the retries, the result stays queued and is delivered when nsca comes back', async () => {
    const port = await freePort();
    const file = join(dir, 'down.cmd');
    writeFileSync(file, '');
    const { agent, logger } = agentWith(`[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = h\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${port}\nencryption = 1\npassword = pw\nretries = 1\ntimeout = 2\n`);
    await agent.start();
    const [ok, why] = await agent.simple_submit('NSCA', 'queued', 1, 'waited for nsca');
    expect(ok).toBe(false);
    expect(why).toMatch(/Could not connect to host 127\.0\.0\.1 on port \d+.*2 attempts; the result stays queued/);
    expect(logger.text()).toMatch(/warning .*target default \(127\.0\.0\.1:\d+\).*results queue until it answers/);
    const client = instance(agent, 'NSCAClient', NSCAClient);
    expect(client.queued).toBe(1);
    const nsca = await nscaOn(dir, port, 1, 'pw', file);
    try {
      await until(() => linesOf(file).length >= 1, 15_000, 'the queued result');
      expect(withoutTime(linesOf(file)[0]!)).toBe('PROCESS_SERVICE_CHECK_RESULT;h;queued;1;waited for nsca');
      expect(client.targets.get('default')!.stats.deliveredLate).toBe(1);
      expect(logger.text()).toMatch(/target default .* answers again/);
    } finally {
      await stopChild(nsca);
      await agent.stop();
    }
  }, 40_000);

  it('a slow target (accepts, never sends the init packet) times out, then gets the result once a real nsca answers there', async () => {
    const port = await freePort();
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const file = join(dir, 'slow.cmd');
    writeFileSync(file, '');
    const { agent } = agentWith(`[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = h\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${port}\nencryption = 1\npassword = pw\nretries = 0\ntimeout = 1\n`);
    await agent.start();
    const [ok, why] = await agent.simple_submit('NSCA', 'slow', 0, 'late');
    expect(ok).toBe(false);
    expect(why).toMatch(/Socket timeout after 1 seconds/);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
    const nsca = await nscaOn(dir, port, 1, 'pw', file);
    try {
      await until(() => linesOf(file).length >= 1, 15_000, 'the queued result');
      expect(withoutTime(linesOf(file)[0]!)).toBe('PROCESS_SERVICE_CHECK_RESULT;h;slow;0;late');
    } finally {
      await stopChild(nsca);
      await agent.stop();
    }
  }, 40_000);

  it('bounds the queue while the target refuses connections: overflow refused at once, counted and logged; what was queued is delivered', async () => {
    const port = await freePort();
    const file = join(dir, 'bound.cmd');
    writeFileSync(file, '');
    const { agent, logger } = agentWith(`[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = h\nmax queue = 3\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${port}\nencryption = 1\npassword = pw\nretries = 0\npayload length = 4096\n`);
    await agent.start();
    const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => agent.simple_submit('NSCA', `c${i}`, 0, `n${i}`)));
    expect(answers.filter(([, m]) => /queue full \(3 results waiting/.test(m))).toHaveLength(2);
    expect(answers.filter(([, m]) => /Could not connect/.test(m))).toHaveLength(3);
    const client = instance(agent, 'NSCAClient', NSCAClient);
    expect(client.overflow).toBe(2);
    expect(logger.text()).toMatch(/error .*queue full .*2 refused so far/);
    const nsca = await nscaOn(dir, port, 1, 'pw', file);
    try {
      await until(() => linesOf(file).length >= 3, 15_000, 'the three queued results');
      expect(linesOf(file).map(withoutTime).map((l) => l.split(';')[2])).toEqual(['c1', 'c2', 'c3']);
    } finally {
      await stopChild(nsca);
      await agent.stop();
    }
  }, 40_000);
});

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}
