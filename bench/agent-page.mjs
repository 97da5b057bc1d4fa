// What the live status page costs the agent: its process's CPU % while 100 clients (in another
// process) watch the page's server-sent events under a steady submission rate, beside the same
// agent, same page mounted, same submissions, with no client, alternating in the same run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { Kernel, silentLogger } from '@poets/kernel';
import { Agent, LogRing, createStatusPage } from '@poets/agent';
import { median, report, RUNS } from './lib.mjs';

const CLIENTS = 100;
const RATE = 1000; // submissions per second
const CHECKS = 200; // distinct checks they cycle over
const SECONDS = Number(process.env.BENCH_PAGE_SECONDS ?? 3);

const subscriber = {
  name: 'BenchChannel',
  load(plugin) {
    plugin.agent.subscribe(plugin, 'passive', () => true);
  },
};

/** Submits RATE results a second, in 10 ms batches, for `seconds`; returns how many it sent. */
async function steadySubmissions(agent, seconds) {
  let sent = 0;
  const perTick = RATE / 100;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    for (let i = 0; i < perTick; i++, sent++) {
      void agent.submit('passive', [{ command: `check_${sent % CHECKS}`, result: sent % 4, message: `result ${sent}`, perf: `'n'=${sent}`, source: 'bench' }]);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return sent;
}

/** CPU % of this process over `fn` (100% = one core). */
async function cpuPercent(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) / 1000 / (performance.now() - start)) * 100;
}

async function startWatchers(url) {
  const child = spawn(process.execPath, [new URL('./clients/sse-watchers.mjs', import.meta.url).pathname, url, String(CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`watchers exited with ${code}`)));
  });
  const ready = await next();
  if (ready !== 'ready') throw new Error(`watchers said ${ready}`);
  return {
    async stop() {
      const summary = next();
      child.stdin.end();
      const { min, max } = JSON.parse(await summary);
      await once(child, 'exit');
      return { min, max };
    },
  };
}

export async function run() {
  const ring = new LogRing(silentLogger);
  const agent = new Agent({ kernel: new Kernel({ logger: ring }), logger: ring, modules: [subscriber], metricsInterval: 0 });
  await agent.start();
  await agent.load_module('BenchChannel');
  const page = createStatusPage(agent, { log: ring });
  const server = createServer((req, res) => {
    if (!page.handle(req, res)) res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}/events`;

  const watched = [];
  const alone = [];
  let fewest = Infinity;
  for (let i = 0; i < RUNS; i++) {
    alone.push(await cpuPercent(() => steadySubmissions(agent, SECONDS)));
    const watchers = await startWatchers(url);
    watched.push(await cpuPercent(() => steadySubmissions(agent, SECONDS)));
    const { min } = await watchers.stop();
    fewest = Math.min(fewest, min);
  }
  const cost = { ours: median(watched), baseline: median(alone) };
  report(`page: ${CLIENTS} live clients, ${RATE}/s`, '% CPU', cost, undefined, 'same agent, no client');
  console.log(`${''.padEnd(34)} the page's cost: ${(cost.ours - cost.baseline).toFixed(1)} points of one core`);
  // Every client must have had the deltas: about 4 a second (one per 250 ms) while it watched.
  console.log(`${''.padEnd(34)} fewest deltas one client received in ${SECONDS}s: ${fewest} (one per 250 ms is ${SECONDS * 4})`);

  page.close();
  server.closeAllConnections();
  server.close();
  await agent.stop();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
