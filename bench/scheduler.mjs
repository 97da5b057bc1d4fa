// Scheduler: 1,000 schedules at 1 s on one agent, sustained (SCHEDULER_BENCH_SECONDS, default 60),
// each run's result submitted on a channel whose subscriber counts them: results delivered per
// second, runs missed (due but not delivered) and skipped, the agent's CPU and memory. Beside it,
// in the same run and for as long: the same 1,000 checks and the same counting subscriber driven
// by 1,000 bare setInterval timers (no kernel, no agent) — what the timers alone cost.
//   node --expose-gc bench/run.mjs scheduler
// SCHEDULER_BENCH_SCHEDULES (default 1000), SCHEDULER_BENCH_SECONDS (default 60).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '@poets/kernel';
import { Agent, SettingsStore } from '@poets/agent';
import { fmt } from './lib.mjs';
import { PASSWORD, startNscad } from './agent-nsca.mjs';

const SCHEDULES = Number(process.env.SCHEDULER_BENCH_SCHEDULES ?? 1000);
const SECONDS = Number(process.env.SCHEDULER_BENCH_SECONDS ?? 60);
const quiet = { log() {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const check = () => [0, 'OK: fine', 'time=1ms'];

/** CPU (share of one core), memory and the count, measured over `SECONDS` while `counted()` grows. */
async function measure(counted) {
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const n0 = counted();
  const t0 = performance.now();
  let rssMax = rss0;
  for (let waited = 0; waited < SECONDS * 1000; waited += 500) {
    await sleep(500);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const delivered = counted() - n0;
  globalThis.gc?.();
  return { delivered, elapsed, cpu: (cpu.user + cpu.system) / 1e6 / elapsed, rssMax, rss0, heapAfterGc: process.memoryUsage().heapUsed - heap0 };
}

/** Lines poets-nscad wrote to its command file so far (counted by newlines, read as bytes). */
function lineCounter(file) {
  let offset = 0;
  let lines = 0;
  return () => {
    const buf = readFileSync(file);
    for (let i = offset; i < buf.length; i++) if (buf[i] === 10) lines++;
    offset = buf.length;
    return lines;
  };
}

/** The same schedules on channel NSCA: NSCAClient sends each to a poets-nscad, counted in its command file. */
async function nscaRun() {
  const dir = mkdtempSync(join(tmpdir(), 'poets-bench-sched-'));
  const nscad = await startNscad(dir, 1, ['append_to_file=1']);
  try {
    const lines = ['[/modules]', 'BenchChecks = enabled', 'NSCAClient = enabled', 'Scheduler = enabled', '[/settings/NSCA/client]', 'hostname = bench', `max queue = ${SCHEDULES * 10}`, '[/settings/NSCA/client/targets/default]', `address = 127.0.0.1:${nscad.port}`, 'encryption = xor', `password = ${PASSWORD}`, '[/settings/scheduler/schedules/default]', 'interval = 1s', 'channel = NSCA', 'randomness = 100%', '[/settings/scheduler/schedules]'];
    for (let i = 0; i < SCHEDULES; i++) lines.push(`s${i} = check_bench`);
    const checks = { name: 'BenchChecks', load: (plugin) => plugin.registry.simple_function('check_bench', check, 'a trivial check') };
    const agent = new Agent({ kernel: new Kernel({ logger: quiet }), logger: quiet, settings: SettingsStore.fromText(lines.join('\n') + '\n'), modules: [checks], metricsInterval: 0 });
    await agent.start();
    await sleep(1500);
    const m = await measure(lineCounter(join(dir, 'commands')));
    const stats = agent.findPlugin('Scheduler').instance.stats;
    await agent.stop();
    return { ...m, skipped: stats.skipped, errors: stats.errors };
  } finally {
    nscad.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function agentRun() {
  let got = 0;
  const counter = {
    name: 'BenchCounter',
    load(plugin) {
      plugin.registry.simple_function('check_bench', check, 'a trivial check');
      plugin.agent.subscribe(plugin, 'BENCH', (_channel, payloads) => {
        got += payloads.length;
        return true;
      });
    },
  };
  const lines = ['[/modules]', 'BenchCounter = enabled', 'Scheduler = enabled', '[/settings/scheduler/schedules/default]', 'interval = 1s', 'channel = BENCH', 'randomness = 100%', '[/settings/scheduler/schedules]'];
  for (let i = 0; i < SCHEDULES; i++) lines.push(`s${i} = check_bench`);
  const agent = new Agent({ kernel: new Kernel({ logger: quiet }), logger: quiet, settings: SettingsStore.fromText(lines.join('\n') + '\n'), modules: [counter], metricsInterval: 0 });
  await agent.start();
  await sleep(1500); // every schedule has fired once: the steady state is measured
  const m = await measure(() => got);
  const stats = agent.findPlugin('Scheduler').instance.stats;
  await agent.stop();
  return { ...m, skipped: stats.skipped, errors: stats.errors };
}

async function bareRun() {
  let got = 0;
  const subscriber = (payloads) => (got += payloads.length);
  const timers = [];
  for (let i = 0; i < SCHEDULES; i++) {
    timers.push(
      setTimeout(() => {
        timers[i] = setInterval(() => {
          const [result, message, perf] = check();
          subscriber([{ command: `s${i}`, result, message, perf, source: '' }]);
        }, 1000);
      }, Math.random() * 1000),
    );
  }
  await sleep(1500);
  const m = await measure(() => got);
  for (const t of timers) clearInterval(t);
  return { ...m, skipped: 0, errors: 0 };
}

export async function run() {
  const ours = await agentRun();
  const base = await bareRun();
  const expected = SCHEDULES * Math.floor(ours.elapsed);
  const row = (name, a, b, unit, f = fmt) => console.log(`${name.padEnd(34)} ${f(a).padStart(8)} ${unit.padEnd(6)} ${'bare setInterval (same run)'.padEnd(28)} ${f(b).padStart(8)} ${unit.padEnd(6)} ratio ${((a / b) * 100).toFixed(1)}%`);
  console.log(`scheduler: ${SCHEDULES} schedules at 1 s for ${SECONDS} s (one run each; SCHEDULER_BENCH_SECONDS to change)`);
  row('results delivered/s', ours.delivered / ours.elapsed, base.delivered / base.elapsed, 'res/s');
  console.log(`${'missed runs (due − delivered)'.padEnd(34)} ${String(Math.max(0, expected - ours.delivered)).padStart(8)} of ${expected}, skipped (overlap) ${ours.skipped}, errors ${ours.errors}`);
  row('CPU (share of one core)', ours.cpu * 100, base.cpu * 100, '%', (n) => n.toFixed(2));
  const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  // Memory is shown side by side without a ratio: the bare loop's growth is close to zero.
  console.log(`${'RSS peak growth while running'.padEnd(34)} ${mib(ours.rssMax - ours.rss0).padStart(12)}   bare setInterval ${mib(base.rssMax - base.rss0)}`);
  console.log(`${'heap growth (after GC, start→end)'.padEnd(34)} ${mib(ours.heapAfterGc).padStart(12)}   bare setInterval ${mib(base.heapAfterGc)}`);
  console.log(`${'agent RSS peak'.padEnd(34)} ${mib(ours.rssMax).padStart(12)}`);
  if (!existsSync(new URL('../packages/server-nsca/dist/cli/nscad.js', import.meta.url)) || process.env.SCHEDULER_BENCH_NSCA === '0') return;
  // Scheduler → NSCAClient → poets-nscad (its own process; the agent's CPU is this process's).
  const nsca = await nscaRun();
  const nexpected = SCHEDULES * Math.floor(nsca.elapsed);
  console.log(`${'→ NSCAClient → poets-nscad, lines/s'.padEnd(34)} ${fmt(nsca.delivered / nsca.elapsed).padStart(8)} res/s  beside the counting channel ${fmt(ours.delivered / ours.elapsed)} res/s, ratio ${((nsca.delivered / nsca.elapsed / (ours.delivered / ours.elapsed)) * 100).toFixed(1)}%`);
  console.log(`${'  missed (due − written)'.padEnd(34)} ${String(Math.max(0, nexpected - nsca.delivered)).padStart(8)} of ${nexpected}, skipped ${nsca.skipped}, errors ${nsca.errors}; agent CPU ${(nsca.cpu * 100).toFixed(2)}% of a core, RSS peak ${mib(nsca.rssMax)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
