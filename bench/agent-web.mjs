// The WEBServer module: REST query of a check over keep-alive HTTP (requests/s and p99) beside a
// bare node:http server answering the same JSON in the same run; and /metrics scrape time with
// 1,000 checks and 50 fetch_metrics providers loaded.
import { once } from 'node:events';
import { Agent as HttpAgent, createServer, get } from 'node:http';
import { Kernel, silentLogger } from '@poets/kernel';
import { Agent, SettingsStore, restQueryResult, webServerOf } from '@poets/agent';
import { freePort, median, report, RUNS } from './lib.mjs';

const CONCURRENCY = 16;
const REQUESTS = 4000;

const checks = {
  name: 'BenchChecks',
  load(plugin) {
    plugin.agent.registerQuery(plugin, 'check_bench', (r) => ({ command: r.command, result: 0, message: `ok ${r.arguments.join(' ')}`, perf: "'load'=5%;80;90" }));
    for (let i = 0; i < 1000; i++) plugin.agent.registerQuery(plugin, `check_${i}`, (r) => ({ command: r.command, result: i % 4, message: 'm', perf: '' }));
    // 50 providers of fetch_metrics, as 50 scripts register them, 4 numbers each.
    for (let s = 0; s < 50; s++) plugin.agent.registry.fetchers.push({ owner: plugin, handler: () => ({ [`script${s}.a`]: s, [`script${s}.b`]: s * 2, [`script${s}.c`]: 1.5, [`script${s}.d`]: 7 }) });
  },
};

/** CONCURRENCY keep-alive clients sending REQUESTS GETs in all; requests/s and p99 latency (ms). */
async function load(port, path, headers) {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  let next = 0;
  const one = () => new Promise((resolve, reject) => {
    const t = performance.now();
    get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - t);
        resolve();
      });
    }).on('error', reject);
  });
  const worker = async () => {
    while (next++ < REQUESTS) await one();
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rate: REQUESTS / secs, p99: latencies[Math.floor(latencies.length * 0.99)] };
}

export async function run() {
  const port = await freePort();
  const settings = SettingsStore.fromText(`[/modules]\nBenchChecks = enabled\nWEBServer = enabled\n[/settings/WEB/server]\nport = ${port}\npassword = bench\n`);
  const agent = new Agent({ kernel: new Kernel({ logger: silentLogger }), logger: silentLogger, settings, modules: [], metricsInterval: 0 });
  agent.addModule(checks);
  await agent.start();
  const body = JSON.stringify(restQueryResult('check_bench', 0, 'ok warn=load>80', "'load'=5%;80;90"));
  const bare = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body));
  bare.listen(0, '127.0.0.1');
  await once(bare, 'listening');
  const path = '/api/v1/queries/check_bench/commands/execute?warn=load%3E80';
  const ours = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(await load(bare.address().port, path, {}));
    ours.push(await load(port, path, { password: 'bench' }));
  }
  report('REST query, keep-alive x16', 'req/s', { ours: median(ours.map((r) => r.rate)), baseline: median(base.map((r) => r.rate)) }, 0.7, 'bare node:http, same JSON');
  report('REST query p99 (lower is better)', 'ms', { ours: median(ours.map((r) => r.p99)), baseline: median(base.map((r) => r.p99)) }, undefined, 'bare node:http p99');

  // Every check run once, so each has its counter series.
  for (let i = 0; i < 1000; i++) await agent.simple_query(`check_${i}`);
  const metrics = webServerOf(agent.findPlugin('WEBServer')).metrics;
  const times = [];
  let size = 0;
  for (let i = 0; i < Math.max(RUNS, 5) * 4; i++) {
    const t = performance.now();
    size = (await metrics.scrape()).length;
    times.push(performance.now() - t);
  }
  const scrape = median(times);
  console.log(`${'/metrics, 1,000 checks, 50 scripts'.padEnd(34)} ${scrape.toFixed(2).padStart(8)} ms   ${size} bytes   ${scrape <= 20 ? 'ok' : 'ABOVE'} (target ≤ 20 ms)`);
  bare.close();
  await agent.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
