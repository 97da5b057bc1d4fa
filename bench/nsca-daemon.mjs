// poets-nscad --daemon (a pool of node:cluster workers, one per core the server may use; the
// primary writes the command file) beside poets-nscad --single and the real nsca 2.10 in both of
// its modes (--single: one process, a select loop; --daemon: a forked child per connection), all
// given the same cores (NSCA_BENCH_SERVER_CORES, default 0) and driven by the shared NSCA load
// generator in the same run: 10,000 connections × 1 packet, 20 at once (XOR).
//
// Figures: checks/s that reached the command file, each poets mode's ratio to nsca's best mode of
// the run, checks lost, and server CPU per check (user + system of the whole process tree: the
// server, its workers or forked children, those already reaped included).
//
//   BENCH_RUNS=3 node --expose-gc bench/run.mjs nsca-daemon
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { RUNS, fmt, median } from './lib.mjs';
import { NSCA, SERVER_CORES, SHAPES, errorsText, loadgenPath, measure, nscad } from './nsca.mjs';

const KINDS = [
  { kind: 'nsca', name: 'nsca 2.10 --single' },
  { kind: 'nsca-daemon', name: 'nsca 2.10 --daemon' },
  { kind: 'poets', name: 'poets-nscad --single' },
  { kind: 'poets-daemon', name: 'poets-nscad --daemon' },
  // the ceiling of any Node daemon here: bare net + the codec + the writer, no kernel, one process
  { kind: 'node', name: "Node's floor (bare net)" },
];

/** How many workers poets-nscad --daemon starts under the server's cores (availableParallelism there). */
function workersOnServerCores() {
  const r = spawnSync('taskset', ['-c', SERVER_CORES, process.execPath, '-p', 'require("node:os").availableParallelism()'], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : availableParallelism();
}

export async function run() {
  if (!existsSync(loadgenPath) || !existsSync(NSCA) || !existsSync(nscad)) {
    console.log('nsca-daemon: skipped (needs ../shared/bench-tools, /usr/sbin/nsca and a build: npx tsc -b)');
    return;
  }
  // 10000 conns x 1 packet, 20 at once; a run is cut after 60 s (nsca --daemon stalls here at times), what arrived counted
  const shape = { ...SHAPES[2], maxSeconds: 60 };
  const results = new Map(KINDS.map(({ kind }) => [kind, []]));
  for (let i = 0; i < RUNS; i++) for (const { kind } of KINDS) results.get(kind).push(await measure(kind, shape));
  const rate = (kind) => median(results.get(kind).map((m) => m.rate));
  const cpu = (kind) => median(results.get(kind).map((m) => m.cpuPerCheck));
  const best = rate('nsca') >= rate('nsca-daemon') ? 'nsca' : 'nsca-daemon';
  const bestName = KINDS.find((k) => k.kind === best).name;
  const workers = workersOnServerCores();
  const pool = workers > 1 ? `${workers} workers` : 'one CPU, so one process';
  console.log(`nsca 10000 conns x 1 packet, 20 at once; servers on cores ${SERVER_CORES} (poets-nscad --daemon: ${pool}); ratios to nsca's best mode here, ${bestName}`);
  for (const { kind, name } of KINDS) {
    const list = results.get(kind);
    const ratio = rate(kind) / rate(best);
    const verdict = kind.startsWith('poets') || kind === 'node' ? `ratio ${(ratio * 100).toFixed(1)}%  ${ratio >= 1 ? 'ok' : 'BELOW'} (target ≥ 100%)` : `${(ratio * 100).toFixed(1)}% of the best`;
    console.log(
      `  ${name.padEnd(24)} ${fmt(rate(kind)).padStart(8)} checks/s   ${verdict}; CPU per check ${cpu(kind).toFixed(1)} µs; lost per run ${list.map((m) => m.lost).join('/')} of ${list[0].total}${errorsText(list.map((m) => m.errors))}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
