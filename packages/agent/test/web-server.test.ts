// The WEBServer module against real clients: curl on the REST API (credentials, allowed hosts,
// bodies), promtool on /metrics, and a real Prometheus server scraping the agent once.
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SettingsStore, status, type Agent, type ModuleDefinition } from '@poets/agent';
import { describeWithPrograms, freePort, killPids, until } from '../../../test/support/index.js';
import { makeAgent, tempDir, type RecordingLogger } from './helpers.js';

const run = promisify(execFile);

const checks: ModuleDefinition = {
  name: 'WebChecks',
  load(plugin) {
    plugin.agent.registerQuery(plugin, 'check_ok', (r) => ({ command: r.command, result: status.OK, message: `all good ${r.arguments.join(' ')}`.trim(), perf: "'load'=5%;80;90;0;100" }));
    plugin.agent.registerQuery(plugin, 'check_bad', (r) => ({ command: r.command, result: status.CRITICAL, message: 'bad', perf: '' }));
  },
};

let agent: Agent;
let logger: RecordingLogger;
let port: number;
let base: string;

async function curl(args: string[]): Promise<{ code: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args]);
  const at = stdout.lastIndexOf('\n');
  return { code: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

describeWithPrograms(['/usr/bin/curl', '/usr/bin/promtool', '/usr/bin/prometheus'], 'WEBServer', () => {
  beforeAll(async () => {
    port = await freePort();
    const settings = SettingsStore.fromText(`[/modules]\nWebChecks = enabled\nWEBServer = enabled\n[/settings/WEB/server]\nport = ${port}\nbind to = 127.0.0.1,::1\npassword = s3cret\nallowed hosts = 127.0.0.1,::1\nmax body = 1024\ntimeout = 2\n`);
    ({ agent, logger } = makeAgent({ settings, modules: [checks] }));
    await agent.start();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await agent.stop();
  });

  it('lists queries and runs one with arguments as NSClient++ REST v1 JSON', async () => {
    const list = await curl(['-H', 'password: s3cret', `${base}/api/v1/queries`]);
    expect(list.code).toBe(200);
    expect((JSON.parse(list.body) as { name: string }[]).map((q) => q.name)).toContain('check_ok');
    const r = await curl(['-H', 'password: s3cret', `${base}/api/v1/queries/check_ok/commands/execute?warn=load%3E80&show-all`]);
    expect(r.code).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ command: 'check_ok', result: 'OK', lines: [{ message: 'all good warn=load>80 show-all', perf: { load: { value: 5, unit: '%', warning: 80, critical: 90, minimum: 0, maximum: 100 } } }] });
    const basic = await curl(['-u', 'admin:s3cret', `${base}/api/v1/queries/check_bad/commands/execute`]);
    expect(JSON.parse(basic.body)).toMatchObject({ result: 'CRITICAL' });
  });

  it('lists, unloads and loads modules; reads and writes settings', async () => {
    const mods = JSON.parse((await curl(['-H', 'password: s3cret', `${base}/api/v1/modules`])).body) as { name: string; loaded: boolean }[];
    expect(mods.find((m) => m.name === 'WebChecks')?.loaded).toBe(true);
    expect((await curl(['-H', 'password: s3cret', `${base}/api/v1/modules/WebChecks/commands/unload`])).code).toBe(200);
    expect(agent.findPlugin('WebChecks')).toBeUndefined();
    expect((await curl(['-H', 'password: s3cret', `${base}/api/v1/modules/WebChecks/commands/load`])).code).toBe(200);
    expect(agent.findPlugin('WebChecks')).toBeDefined();
    const put = await curl(['-H', 'password: s3cret', '-X', 'PUT', '-H', 'content-type: application/json', '--data', '{"key":"answer","value":"42"}', `${base}/api/v1/settings/custom/thing`]);
    expect(put.code).toBe(200);
    const got = JSON.parse((await curl(['-H', 'password: s3cret', `${base}/api/v1/settings/custom/thing`])).body) as unknown;
    expect(got).toEqual([{ path: '/custom/thing', key: 'answer', value: '42' }]);
  });

  it('refuses missing and wrong credentials 403 as NSClient++ does, blocking a peer after 10 failures, with a logged reason', async () => {
    const none = await curl([`${base}/api/v1/queries`]);
    expect(none.code).toBe(403);
    expect(JSON.parse(none.body)).toEqual({ error: "You're not allowed" });
    expect(logger.text()).toContain('no credentials given');
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await curl(['-g', '-H', 'password: nope', `http://[::1]:${port}/api/v1/queries`])).code);
    expect(new Set(codes)).toEqual(new Set([403]));
    expect(logger.text()).toContain('wrong user or password; ::1 now blocked for 60 s');
    // blocked: even the right password is refused from ::1 now
    expect((await curl(['-g', '-H', 'password: s3cret', `http://[::1]:${port}/api/v1/queries`])).code).toBe(403);
    expect(logger.text()).toMatch(/rate-limited: too many failed logins from ::1 \(blocked \d+ s more\)/);
    // another peer address (127.0.0.1) is not held back by ::1's failures
    expect((await curl(['-H', 'password: s3cret', `${base}/api/v1/queries`])).code).toBe(200);
  });
  it('bounds bodies and refuses malformed JSON', async () => {
    const bad = await curl(['-H', 'password: s3cret', '-X', 'PUT', '-H', 'content-type: application/json', '--data', '{nope', `${base}/api/v1/settings/x`]);
    expect(bad.code).toBe(400);
    expect(logger.text()).toContain('malformed JSON');
    const huge = await curl(['-H', 'password: s3cret', '-X', 'PUT', '--data', 'x'.repeat(5000), `${base}/api/v1/settings/x`]);
    expect(huge.code).toBe(413);
  });

  it('times out a slow client holding a connection', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /api/v1/queries HTTP/1.1\r\nHost: x\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await until(() => text.includes('408') || socket.destroyed, 8000, 'the 408');
    await closed;
    expect(text).toContain('408');
    expect(logger.text()).toMatch(/refused \(408\)/);
  }, 15000);

  it('serves /metrics that promtool accepts, and a real Prometheus scrapes it', async () => {
    const metrics = await curl(['-H', 'password: s3cret', `${base}/metrics`]);
    expect(metrics.code).toBe(200);
    expect(metrics.body).toContain('poets_queries_total{command="check_ok",status="OK"}');
    // the agent's own registry: the kernel's figures, whichever modules are loaded
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics.body)?.[1]);
    const dispatched = ['post', 'call', 'signal', 'alarm'].map((kind) => value(`poets_kernel_events_dispatched_total{kind="${kind}"}`));
    expect(dispatched.every((n) => n >= 0) && dispatched.reduce((a, b) => a + b) >= 1).toBe(true);
    expect(value('poets_kernel_sessions')).toBeGreaterThanOrEqual(2); // the core and WEBServer's
    expect(value('poets_kernel_timers')).toBeGreaterThanOrEqual(0);
    expect(value('poets_kernel_dispatch_lag_seconds{stat="max"}')).toBeGreaterThanOrEqual(value('poets_kernel_dispatch_lag_seconds{stat="mean"}'));
    expect(value('poets_nrpe_server_connections_accepted_total')).toBe(0);
    expect(metrics.body).not.toMatch(/^poets_script_(kernel|nrpe|nsca)_/m);
    const dir = tempDir();
    writeFileSync(join(dir, 'metrics.txt'), metrics.body);
    const check = await run('sh', ['-c', `promtool check metrics < ${join(dir, 'metrics.txt')}`]).catch((e: { stdout: string; stderr: string; code: number }) => e);
    // promtool parses the whole text; its only lint findings may be prom-client's own default
    // gauges named *_total (nodejs_active_handles_total...), which prom-client names that way.
    const findings = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(findings.filter((l) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(l.trim()))).toEqual([]);

    const promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agent\n    basic_auth:\n      username: admin\n      password: s3cret\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
    const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    try {
      let value: string | undefined;
      // Bounded: 120 polls of 250 ms while Prometheus starts, scrapes once and answers.
      for (let i = 0; i < 120 && value === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('poets_queries_total{command="check_ok"}')}`).catch(() => undefined);
        if (r === undefined || !r.ok) continue;
        const json = (await r.json()) as { data: { result: { value: [number, string] }[] } };
        value = json.data.result[0]?.value[1];
      }
      expect(Number(value)).toBeGreaterThanOrEqual(1);
    } finally {
      killPids([prom.pid ?? 0], 'SIGTERM');
    }
  }, 40000);
});
