// The live status page: its routes on a bare node:http server (assets, refusals, the query form,
// 1,000 live clients), then in the real Chromium with a passive check sent by the real send_nsca.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, get, Agent as HttpAgent, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ServerNSCA } from '@poets/server-nsca';
import { createStatusPage, LogRing, status, type Agent, type ModuleDefinition, type StatusPage } from '@poets/agent';
import { describeWithPrograms, freePort, until } from '../../../test/support/index.js';
import { makeAgent, recordingLogger, tempDir, type RecordingLogger } from './helpers.js';

/** Queries for the page to run, and a channel passive results are submitted on. */
const checks: ModuleDefinition = {
  name: 'PageChecks',
  load(plugin) {
    plugin.agent.registerQuery(plugin, 'check_ok', (r) => ({ command: r.command, result: status.OK, message: `all good ${r.arguments.join(' ')}`.trim(), perf: "'load'=5%;80;90" }));
    plugin.agent.registerQuery(plugin, 'check_hang', () => new Promise(() => undefined));
    plugin.agent.subscribe(plugin, 'passive', () => true);
  },
};

interface Fixture {
  agent: Agent;
  logger: RecordingLogger;
  page: StatusPage;
  server: Server;
  base: string;
  port: number;
}

async function startPage(options: Parameters<typeof createStatusPage>[1] = {}, queryTimeout = 1): Promise<Fixture> {
  const logger = recordingLogger();
  const ring = new LogRing(logger);
  const { agent } = makeAgent({ logger: ring, modules: [checks], queryTimeout });
  await agent.start();
  await agent.load_module('PageChecks');
  const page = createStatusPage(agent, { log: ring, ...options });
  const server = createServer((req, res) => {
    if (!page.handle(req, res)) res.writeHead(404).end('not found\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { agent, logger, page, server, port, base: `http://127.0.0.1:${port}` };
}

async function stopPage(f: Fixture | undefined): Promise<void> {
  if (f === undefined) return;
  f.page.close();
  f.server.closeAllConnections();
  f.server.close();
  await f.agent.stop();
}

/** A request line sent as it is: fetch and http.request would normalize `..` away. */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

async function postQuery(base: string, body: string, type = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}/query`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('status page routes on a bare node:http server', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startPage({ maxClients: 1000 });
  });
  afterAll(() => stopPage(f));

  it('serves the page and its assets from the agent, with a policy that allows nothing from elsewhere', async () => {
    const html = await fetch(`${f.base}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
    const text = await html.text();
    expect(text).not.toMatch(/https?:\/\//);
    for (const asset of ['status.js', 'status.css', 'favicon.svg']) {
      expect(text).toContain(asset);
      const response = await fetch(`${f.base}/${asset}`);
      expect(response.status).toBe(200);
      const again = await fetch(`${f.base}/${asset}`, { headers: { 'if-none-match': response.headers.get('etag') ?? '' } });
      expect(again.status).toBe(304);
    }
    expect(f.page.routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /', 'GET /events', 'POST /query']));
  });

  it('refuses path traversal on the asset route with 400 and a logged reason; an unknown path is not the page’s', async () => {
    const attempts = ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/status.js%00.html', '/..\\..\\etc\\passwd', '/%E0%A4%A', '/./status.js'];
    for (const path of attempts) expect(await rawGet(f.port, path), path).toBe(400);
    for (const reason of ['dot segment in path', 'NUL in path', 'backslash in path', 'undecodable %-escape']) expect(f.logger.text()).toContain(reason);
    expect(await rawGet(f.port, '/etc/passwd')).toBe(404);
    expect(await rawGet(f.port, '/status.js')).toBe(200);
  });

  it('runs a query from the form: its result as JSON; a query that hangs answers UNKNOWN at the timeout while others are served', async () => {
    const hanging = postQuery(f.base, JSON.stringify({ command: 'check_hang', arguments: [] }));
    const ok = await postQuery(f.base, JSON.stringify({ command: 'check_ok', arguments: ['now'] }));
    expect(ok).toEqual({ status: 200, json: { command: 'check_ok', result: 0, state: 'OK', message: 'all good now', perf: "'load'=5%;80;90" } });
    const hung = await hanging;
    expect(hung.status).toBe(200);
    expect(hung.json).toMatchObject({ result: 3, state: 'UNKNOWN', message: 'check_hang timed out after 1s' });
    expect(f.logger.text()).toContain('check_hang timed out after 1s');
    expect((await postQuery(f.base, JSON.stringify({ command: 'check_nothing' }))).json).toMatchObject({ state: 'UNKNOWN' });
  });

  it('refuses malformed, oversized, mistyped query requests with the right status and a logged reason', async () => {
    expect((await postQuery(f.base, '{"command":')).status).toBe(400);
    expect((await postQuery(f.base, JSON.stringify({ command: 7 }))).status).toBe(400);
    expect((await postQuery(f.base, JSON.stringify({ command: 'check_ok', arguments: [1] }))).status).toBe(400);
    expect((await postQuery(f.base, JSON.stringify({ command: 'check_ok', arguments: ['x'.repeat(20000)] }))).status).toBe(413);
    expect((await postQuery(f.base, 'command=check_ok', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await fetch(`${f.base}/query`)).status).toBe(405);
    const text = f.logger.text();
    for (const reason of ['malformed JSON', 'command must be a non-empty string', 'arguments must be an array of strings', 'over 16384', 'is not application/json']) expect(text).toContain(reason);
    expect((await postQuery(f.base, JSON.stringify({ command: 'check_ok' }))).status).toBe(200);
  });

  it('keeps 1,000 live clients with bounded memory, sends each of them the update, and refuses the next one', async () => {
    const pool = new HttpAgent({ keepAlive: false, maxSockets: Infinity });
    const seen = new Set<number>();
    const responses: IncomingMessage[] = [];
    const snapshots = new Set<number>();
    const marker = `marker-${Date.now()}`;
    const open = (i: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const req = get(`${f.base}/events`, { agent: pool }, (res) => {
          responses.push(res);
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            if (buffered.includes('event: snapshot')) snapshots.add(i);
            if (buffered.includes(marker)) seen.add(i);
            // keep only a tail long enough to hold the marker across chunk boundaries
            if (buffered.length > 4096) buffered = buffered.slice(-256);
          });
          resolve();
        });
        req.on('error', reject);
      });
    try {
      for (let i = 0; i < 1000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => open(i + k)));
      await until(() => snapshots.size === 1000, 20000);
      expect(f.page.liveClients).toBe(1000);
      (globalThis as { gc?: () => void }).gc?.();
      const before = process.memoryUsage().heapUsed;

      const refused = await fetch(`${f.base}/events`);
      expect(refused.status).toBe(503);
      expect(f.logger.text()).toContain('live update refused: 1000 clients already connected');

      await f.agent.submit('passive', [{ command: marker, result: status.WARNING, message: 'for every client', perf: '', source: 'web-1' }]);
      await until(() => seen.size === 1000, 20000);
      const grown = process.memoryUsage().heapUsed - before;
      // one message serialized once for all; per client only its socket's buffer
      expect(grown).toBeLessThan(64 * 1024 * 1024);
    } finally {
      for (const res of responses) res.destroy();
      pool.destroy();
    }
    await until(() => f.page.liveClients === 0, 10000);
  }, 60000);

  it('holds back a live client that stops reading, and gives it the latest state in a snapshot once it reads again', async () => {
    const socket = connect(f.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => f.page.liveClients === 1, 5000);
    socket.pause();
    // far more than a socket buffers: the page stops writing to this client instead of queueing
    const big = 'x'.repeat(8000);
    for (let round = 0; round < 40; round++) {
      const payloads = Array.from({ length: 50 }, (_, i) => ({ command: `slow_${round}_${i}`, result: status.OK, message: big, perf: '', source: 'slow' }));
      await f.agent.submit('passive', payloads);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await f.agent.submit('passive', [{ command: 'slow_last', result: status.CRITICAL, message: 'the latest', perf: '', source: 'slow' }]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    // scanned as it streams (a tail kept across chunk boundaries): a second snapshot, then the latest result in it
    let tail = '';
    let snapshots = 0;
    let latestAfterSnapshot = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      const text = tail + chunk;
      const at = text.lastIndexOf('event: snapshot');
      if (at >= 0 && at >= tail.length - 'event: snapshot'.length) snapshots++;
      if (snapshots >= 2 && text.includes('the latest')) latestAfterSnapshot = true;
      tail = text.slice(-64);
    });
    socket.resume();
    await until(() => latestAfterSnapshot, 20000);
    socket.destroy();
    await until(() => f.page.liveClients === 0, 5000);
  }, 30000);
});

describeWithPrograms(['/usr/bin/chromium', '/usr/sbin/send_nsca'], 'status page in the real Chromium, a passive check from the real send_nsca', () => {
  let f: Fixture;
  let nscad: ServerNSCA;
  let nscaPort: number;
  let browser: Browser;
  const dir = tempDir();

  beforeAll(async () => {
    f = await startPage({}, 1);
    nscaPort = await freePort();
    // NSCA in front of the agent, the results submitted on the `passive` channel as an NSCA server module does.
    nscad = ServerNSCA.spawn({ kernel: f.agent.kernel, password: 'pagetest', encryption: 1, address: '127.0.0.1', port: nscaPort });
    nscad.results$.subscribe((r) => {
      void f.agent.submit('passive', [{ command: r.svc_description ?? 'host', result: status.OK === r.return_code ? status.OK : r.return_code === 1 ? status.WARNING : r.return_code === 2 ? status.CRITICAL : status.UNKNOWN, message: r.plugin_output, perf: '', source: r.host_name }]);
    });
    await until(() => nscad.getsockname() !== undefined, 5000);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 30000);

  afterAll(async () => {
    await browser?.close();
    nscad?.shutdown();
    await stopPage(f);
  });

  function sendNsca(line: string): Promise<number> {
    const config = join(dir, 'send_nsca.cfg');
    writeFileSync(config, 'password=pagetest\nencryption_method=1\n');
    const child = spawn('/usr/sbin/send_nsca', ['-H', '127.0.0.1', '-p', String(nscaPort), '-c', config], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(`${line}\n`);
    return new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  }

  it('shows modules and last results, a send_nsca result live without a reload, and a query run from the page', async () => {
    await f.agent.runQuery({ command: 'check_ok', arguments: [] });
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(f.base)) external.push(r.url());
    });
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${f.base}/`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10000 });
    await expect(page.locator('#modules li[data-alias="PageChecks"]').count()).resolves.toBe(1);
    const row = page.locator('#checks tr[data-key="check_ok"]');
    await row.waitFor({ timeout: 5000 });
    expect(await row.locator('.state').textContent()).toBe('OK');

    // a passive result through the real send_nsca, shown within a second, same page load
    expect(await sendNsca('web-7\tcheck_disk\t2\tDISK CRITICAL - / 97% used')).toBe(0);
    const passive = page.locator('#checks tr[data-key="web-7/check_disk"]');
    await passive.waitFor({ timeout: 1000 });
    expect(await passive.locator('.state').textContent()).toBe('CRITICAL');
    expect(await passive.locator('td.message').textContent()).toBe('DISK CRITICAL - / 97% used');
    await page.locator('#channels figure[data-channel="passive"]').waitFor({ timeout: 3000 });

    // a query by hand
    await page.fill('#query-command', 'check_ok "warn=load > 80"');
    await page.click('#query-form button');
    await page.locator('#query-result .state').waitFor({ timeout: 5000 });
    expect(await page.locator('#query-result').textContent()).toContain('OK all good warn=load > 80');

    // one that hangs: UNKNOWN at the agent's timeout
    await page.fill('#query-command', 'check_hang');
    await page.click('#query-form button');
    await page.locator('#query-result .state.UNKNOWN').waitFor({ timeout: 5000 });
    expect(await page.locator('#query-result').textContent()).toContain('timed out');

    await page.locator('#log li').first().waitFor({ timeout: 3000 });
    await page.screenshot({ path: join(dir, 'status-page.png'), fullPage: true });
    expect(loads).toBe(1);
    expect(external).toEqual([]);
    await context.close();
  }, 60000);
});
