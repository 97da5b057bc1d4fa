// NATSClient against a real nats-server: a script's simple_submit on channel NATS reaches the
// JetStream stream and @poets/ikc's NagiosConsumer writes its command line; a fleet of agents
// loses no check while the consumer restarts, nor while nats-server restarts; overflow of the
// bounded queue is refused, counted and logged; bad settings are refused with the reason.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kernel } from '@poets/kernel';
import { NagiosConsumer } from '@poets/ikc';
import { Agent, NATSClient, type ModuleDefinition, SettingsStore, checkResultOf, expandHostname, status } from '@poets/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsServer, natsMissing, until } from '../../ikc/test/nats-server.js';
import { makeAgent, recordingLogger, tempDir } from './helpers.js';
import { describeWithPeer } from '../../../test/support/index.js';

const missing = natsMissing();

function settingsText(servers: string, client: Record<string, string>, extra = ''): string {
  const keys = Object.entries({ servers, ...client })
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  return `[/modules]\nNATSClient = enabled\n${extra}\n[/settings/NATS/client]\n${keys}\n`;
}

function agentWith(text: string, file?: string) {
  return makeAgent({ settings: SettingsStore.fromText(text, file) });
}

function clientOf(agent: Agent): NATSClient {
  const instance = agent.findPlugin('NATS')?.instance;
  if (!(instance instanceof NATSClient)) throw new Error('NATSClient not loaded');
  return instance;
}

function startConsumer(url: string, file: string, stream: string, subject: string) {
  const kernel = new Kernel({ warn: () => undefined });
  const logger = recordingLogger();
  const consumer = NagiosConsumer.spawn({ kernel, logger, servers: url, command_file: file, stream, subject, ack_wait: 3, retry: 0.2 });
  const running = kernel.run();
  return { consumer, running, logger };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('NATSClient without a server', () => {
  it('turns a submission into a check result: source or hostname, command as service, perfdata as Nagios text', () => {
    expect(checkResultOf({ command: 'disk', result: status.WARNING, message: 'disk 91%', perf: "'/'=91%;80;90", source: '' }, 'web-01', 5)).toEqual({
      host_name: 'web-01',
      svc_description: 'disk',
      return_code: 1,
      plugin_output: "disk 91%|'/'=91%;80;90",
      time: 5,
    });
    expect(checkResultOf({ command: '', result: status.OK, message: 'up', perf: '', source: 'db-2' }, 'web-01', 5)).toEqual({ host_name: 'db-2', return_code: 0, plugin_output: 'up', time: 5 });
    expect(expandHostname('auto', 'Web-01')).toBe('Web-01');
    expect(expandHostname('auto-lc', 'Web-01')).toBe('web-01');
    expect(expandHostname('${host_lc}.example.net', 'Web-01')).toBe('web-01.example.net');
    expect(expandHostname('fixed', 'Web-01')).toBe('fixed');
  });

  it.each([
    [{ servers: 'http://127.0.0.1:4222' }, /servers: http:\/\/127\.0\.0\.1:4222: scheme http is not nats or tls/],
    [{ servers: 'nats://127.0.0.1:99999' }, /servers: nats:\/\/127\.0\.0\.1:99999 is not a NATS server URL|bad port/],
    [{ servers: '' }, /servers: no server given/],
    [{ tls: 'rot13' }, /tls = rot13: not enabled or disabled/],
    [{ encryption: 'aes-256' }, /encryption: unknown key \(known: channel, hostname, servers/],
    [{ 'max queue': 'lots' }, /max queue = lots: not a positive whole number/],
    [{ subject: 'nagios.*' }, /subject = nagios\.\*: not a NATS subject/],
  ])('refuses bad settings %j with the reason, and the channel then has no handler', async (keys, reason) => {
    const { agent, logger } = agentWith(settingsText('nats://127.0.0.1:4222', keys as Record<string, string>));
    await agent.start();
    expect(agent.findPlugin('NATS')).toBeUndefined();
    expect(logger.text()).toMatch(reason);
    expect(await agent.simple_submit('NATS', 'disk', 0, 'ok')).toEqual([false, 'No handler for channel: NATS']);
    await agent.stop();
  });

  it('documents its keys for settings --generate', async () => {
    const { agent } = agentWith('[/modules]\nNATSClient = enabled\n[/settings/NATS/client]\nservers = nats://127.0.0.1:1\n');
    await agent.start();
    agent.settings.generate({ addDefaults: true });
    const text = agent.settings.toString();
    for (const line of ['channel = NATS', 'hostname = auto', 'stream = NAGIOS_CHECKS', 'subject = nagios.checks', 'timeout = 5', 'max queue = 10000', 'tls = disabled']) expect(text).toContain(line);
    expect(text).toContain('servers = nats://127.0.0.1:1');
    await agent.stop();
  });
});

describeWithPeer(missing, 'NATSClient through nats-server', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await NatsServer.start();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.destroy();
  });

  it("writes a script's simple_submit on channel NATS to the command file as nsca would", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'report.ts'),
      `import { Core, Registry, status } from '@poets/agent';
let id = 0;
export function init(plugin_id: number) {
  id = plugin_id;
  Registry.get(plugin_id).simple_function('report', async () => {
    const [ok, message] = await Core.get(id).simple_submit('NATS', 'disk', status.WARNING, 'disk 91% used', "'/'=91%;80;90");
    return [ok ? status.OK : status.CRITICAL, 'submitted ' + ok + ' ' + message, ''];
  }, 'submits one result');
}
`,
    );
    const settings = join(dir, 'nsclient.ini');
    writeFileSync(settings, settingsText(nats.url, { hostname: 'web-01', stream: 'AG1', subject: 'ag1' }, 'TypeScript = enabled\n[/settings/typescript/scripts]\nreport = report.ts'));
    const { agent, logger } = makeAgent({ settings });
    await agent.start();
    await clientOf(agent).connected;
    expect(await agent.simple_query('report', [])).toEqual([status.OK, 'submitted true ', '']);
    const file = join(dir, 'nagios.cmd');
    writeFileSync(file, '');
    const { consumer, running } = startConsumer(nats.url, file, 'AG1', 'ag1');
    await until(() => lines(file).length >= 1, 20_000, 'the command line');
    const [line] = lines(file);
    expect(line).toMatch(/^\[\d{10}\] PROCESS_SERVICE_CHECK_RESULT;web-01;disk;1;disk 91% used\|'\/'=91%;80;90$/);
    expect(lines(file)).toHaveLength(1);
    expect(clientOf(agent).stats.published).toBe(1);
    expect(logger.text()).toMatch(/NATS: connected to .*results on channel NATS go to ag1 \(stream AG1\)/);
    await consumer.shutdown();
    await running;
    await agent.stop();
  }, 60_000);

  it('a fleet of two agents loses no check while the consumer stops and restarts mid-load (at least once: a check the stopping consumer held may come twice)', async () => {
    const dir = tempDir();
    const file = join(dir, 'nagios.cmd');
    writeFileSync(file, '');
    const N = 400;
    const agents = ['a1', 'a2'].map((host) => agentWith(settingsText(nats.url, { hostname: host, stream: 'AG2', subject: 'ag2' })).agent);
    for (const a of agents) await a.start();
    await Promise.all(agents.map((a) => clientOf(a).connected));
    let c = startConsumer(nats.url, file, 'AG2', 'ag2');
    await c.consumer.ready;
    let submitted = 0;
    const load = Promise.all(
      agents.map(async (agent) => {
        const answers: [boolean, string][] = [];
        for (let i = 0; i < N; i += 20) {
          answers.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => agent.simple_submit('NATS', `svc${i + j}`, status.OK, `check ${i + j}`)))));
          submitted += 20;
        }
        return answers;
      }),
    );
    await until(() => submitted >= N / 2, 60_000, 'half the load submitted');
    await c.consumer.shutdown();
    await c.running;
    const before = lines(file).length;
    c = startConsumer(nats.url, file, 'AG2', 'ag2');
    const answers = (await load).flat();
    expect(answers.filter(([ok]) => !ok)).toEqual([]);
    const expected = agents.flatMap((_, a) => Array.from({ length: N }, (__, i) => `PROCESS_SERVICE_CHECK_RESULT;a${a + 1};svc${i};0;check ${i}`));
    const written = () => lines(file).map((l) => l.replace(/^\[\d+\] /, ''));
    // a check the stopping consumer had taken but not written comes back after ack_wait (3 s here)
    await until(() => new Set(written()).size >= 2 * N, 60_000, () => `${2 * N} distinct lines (have ${new Set(written()).size})`);
    expect(before).toBeLessThan(2 * N); // the restart was mid-load
    expect(new Set(written())).toEqual(new Set(expected));
    // at least once, not many times: only checks in flight at the stop can come twice
    expect(written().length - 2 * N).toBeLessThanOrEqual(1000);
    await c.consumer.shutdown();
    await c.running;
    for (const a of agents) await a.stop();
  }, 120_000);

  it('queues results while nats-server restarts and delivers every one', async () => {
    const dir = tempDir();
    const file = join(dir, 'nagios.cmd');
    writeFileSync(file, '');
    const N = 300;
    const { agent, logger } = agentWith(settingsText(nats.url, { hostname: 'r1', stream: 'AG3', subject: 'ag3', timeout: '2' }));
    await agent.start();
    const client = clientOf(agent);
    await client.connected;
    // a third before the stop, a third while the server is down, a third after it is back
    let submitted = 0;
    let phase = 0;
    const load = (async () => {
      const answers: Promise<[boolean, string]>[] = [];
      for (let i = 0; i < N; i++) {
        while (phase < Math.floor((3 * i) / N)) await new Promise((resolve) => setTimeout(resolve, 10));
        answers.push(agent.simple_submit('NATS', `svc${i}`, status.CRITICAL, `down ${i}`));
        submitted++;
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return Promise.all(answers);
    })();
    await until(() => submitted >= N / 3, 30_000, 'a third submitted');
    await nats.stop();
    await until(() => logger.text().includes('result(s) queued until NATS is back'), 20_000, 'the disconnect logged');
    phase = 1;
    await until(() => submitted >= (2 * N) / 3, 30_000, 'two thirds submitted');
    expect(client.stats.published).toBeLessThan((2 * N) / 3); // those submitted while down are queued
    expect(client.queued).toBeGreaterThanOrEqual(N / 3 - 1);
    await nats.run();
    phase = 2;
    const answers = await load;
    expect(answers.filter(([ok]) => !ok)).toEqual([]);
    expect(logger.text()).toMatch(/reconnected to .*sending \d+ queued result\(s\)/);
    expect(client.stats.published).toBe(N);
    expect(client.queued).toBe(0);
    const { consumer, running } = startConsumer(nats.url, file, 'AG3', 'ag3');
    await until(() => lines(file).length >= N, 60_000, () => `${N} lines (have ${lines(file).length})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const written = lines(file).map((l) => l.replace(/^\[\d+\] /, ''));
    expect(written).toHaveLength(N); // none lost, none twice (retries carry the same msgID)
    expect(new Set(written)).toEqual(new Set(Array.from({ length: N }, (_, i) => `PROCESS_SERVICE_CHECK_RESULT;r1;svc${i};2;down ${i}`)));
    await consumer.shutdown();
    await running;
    await agent.stop();
  }, 120_000);

  it('retries the publishes in flight when nats-server is killed (SIGKILL) mid-burst: every result stored once', async () => {
    const dir = tempDir();
    const file = join(dir, 'nagios.cmd');
    writeFileSync(file, '');
    const N = 2000;
    const { agent } = agentWith(settingsText(nats.url, { hostname: 'k1', stream: 'AG5', subject: 'ag5', timeout: '2' }));
    await agent.start();
    const client = clientOf(agent);
    await client.connected;
    const answers = Array.from({ length: N }, (_, i) => agent.simple_submit('NATS', `svc${i}`, status.OK, `burst ${i}`));
    await until(() => client.stats.published > 100, 30_000, 'a hundred stored');
    await nats.stop('SIGKILL');
    expect(client.queued).toBeGreaterThan(0);
    await nats.run();
    expect((await Promise.all(answers)).filter(([ok]) => !ok)).toEqual([]);
    expect(client.stats.retried).toBeGreaterThan(0); // publishes in flight at the kill went again, same msgID
    const { consumer, running } = startConsumer(nats.url, file, 'AG5', 'ag5');
    await until(() => lines(file).length >= N, 60_000, () => `${N} lines (have ${lines(file).length})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const written = lines(file).map((l) => l.replace(/^\[\d+\] /, ''));
    expect(written).toHaveLength(N);
    expect(new Set(written).size).toBe(N);
    await consumer.shutdown();
    await running;
    await agent.stop();
  }, 120_000);

  it('the example examples/agent/nats-fleet.ini with its nats_report script stores a check in the stream', async () => {
    const example = fileURLToPath(new URL('../../../examples/agent/nats-fleet.ini', import.meta.url));
    const text = readFileSync(example, 'utf8').replace(/^servers = .*$/m, `servers = ${nats.url}`);
    const echo: ModuleDefinition = {
      name: 'CheckEcho',
      load: (plugin) => plugin.registry.simple_function('check_echo', (args: string[]) => [status.WARNING, args.join(' '), 'x=1'], 'echo'),
    };
    const { agent } = makeAgent({ settings: SettingsStore.fromText(`${text}\n[/modules]\nCheckEcho = enabled\n`, example), modules: [echo] });
    await agent.start();
    const client = clientOf(agent);
    expect(client.config.hostname).toBe(hostname().toLowerCase());
    await client.connected;
    expect(await agent.simple_query('nats_report', ['check_echo', 'hello', 'fleet'])).toEqual([status.OK, 'check_echo stored in NATS', '']);
    const info = await (await jetstreamManager(nc)).streams.info('NAGIOS_CHECKS');
    expect(info.state.messages).toBe(1);
    const m = await (await jetstreamManager(nc)).streams.getMessage('NAGIOS_CHECKS', { seq: info.state.last_seq });
    expect(m!.json()).toMatchObject({ host_name: hostname().toLowerCase(), svc_description: 'check_echo', return_code: 1, plugin_output: 'hello fleet|x=1' });
    await agent.stop();
  }, 60_000);

  it('keeps results queued while the server has no JetStream (logged), and an unload reports what it could not store', async () => {
    const plain = await NatsServer.start({ jetstream: false });
    const { agent, logger } = agentWith(settingsText(plain.url, { hostname: 'j1', stream: 'AG6', subject: 'ag6', timeout: '1' }));
    await agent.start();
    await until(() => logger.text().includes('stream AG6 not ready'), 30_000, 'the stream refusal logged');
    const client = clientOf(agent);
    const answers = Array.from({ length: 3 }, (_, i) => agent.simple_submit('NATS', `svc${i}`, status.OK, `ok ${i}`));
    expect(client.queued).toBe(3);
    expect(await agent.unload_module('NATS')).toBe(true);
    for (const [ok, message] of await Promise.all(answers)) {
      expect(ok).toBe(false);
      expect(message).toMatch(/NATS/);
    }
    expect(logger.text()).toMatch(/error .*unloaded with 3 result\(s\) not stored in NATS/);
    expect(client.stats.failed).toBe(3);
    await agent.stop();
    await plain.destroy();
  }, 60_000);

  it('authenticates with user and password; a wrong password is logged and the results wait', async () => {
    const secured = await NatsServer.start({ config: 'authorization { user: agent, password: s3cret }\n' });
    const good = agentWith(settingsText(secured.url, { hostname: 'u1', stream: 'AG7', subject: 'ag7', user: 'agent', password: 's3cret' }));
    await good.agent.start();
    await clientOf(good.agent).connected;
    expect(await good.agent.simple_submit('NATS', 'svc', status.OK, 'ok')).toEqual([true, '']);
    const bad = agentWith(settingsText(secured.url, { hostname: 'u2', stream: 'AG7', subject: 'ag7', user: 'agent', password: 'wrong' }));
    await bad.agent.start();
    await until(() => /cannot reach .*: .*authoriz/i.test(bad.logger.text()), 30_000, 'the refused login logged');
    const pending = bad.agent.simple_submit('NATS', 'svc', status.OK, 'never');
    expect(clientOf(bad.agent).queued).toBe(1);
    await bad.agent.stop();
    expect((await pending)[0]).toBe(false);
    await good.agent.stop();
    await secured.destroy();
  }, 60_000);

  it('refuses results beyond max queue while NATS is unreachable, counting and logging each, and delivers the rest', async () => {
    const down = await NatsServer.start();
    await down.stop();
    const { agent, logger } = agentWith(settingsText(down.url, { hostname: 'q1', stream: 'AG4', subject: 'ag4', 'max queue': '5' }));
    await agent.start();
    const client = clientOf(agent);
    const answers = Array.from({ length: 8 }, (_, i) => agent.simple_submit('NATS', `svc${i}`, status.OK, `ok ${i}`));
    const refused = await Promise.all(answers.slice(5));
    for (const [ok, message] of refused) {
      expect(ok).toBe(false);
      expect(message).toMatch(/queue full \(5 results waiting for NATS\): q1\/svc[567] refused/);
    }
    expect(client.stats.overflow).toBe(3);
    expect(client.queued).toBe(5);
    expect(logger.text()).toMatch(/error .*queue full .* 3 refused so far/);
    await down.run();
    expect(await Promise.all(answers.slice(0, 5))).toEqual(Array.from({ length: 5 }, () => [true, '']));
    const c = await connect({ servers: down.url });
    const info = await (await jetstreamManager(c)).streams.info('AG4');
    expect(info.state.messages).toBe(5);
    await c.close();
    await agent.stop();
    await down.destroy();
  }, 60_000);
});
