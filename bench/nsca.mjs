// poets-nscad beside the real nsca 2.10 daemon (single mode, foreground), both driven by the shared
// NSCA load generator in the same run, XOR (method 1), in three shapes: many packets on one
// connection, 50 concurrent connections, and one packet per connection (20 at a time). Both write
// to a regular command file (append_to_file=1, aggregate_writes=0: nsca's defaults otherwise);
// arrivals are counted there.
//
// Figures: checks/s = checks that reached the command file / seconds from the first connect to the
// last line seen (the server's throughput; a client stalled by a server defect does not count
// against it), the ratio poets/nsca, and the checks lost (sent by the load generator, never
// written) for each, with the load generator's client-side errors (timeout_init: the server never
// sent its init packet). nsca's losses are part of what is measured, not hidden. Also printed:
// each server's CPU time (user + system, from /proc) per check written, steadier than checks/s on
// a busy machine. One connection (shape 1) is bound by the load generator as much as the server.
//
//   BENCH_RUNS=3 node bench/nsca.mjs          (medians of BENCH_RUNS alternating runs)
//   NSCA_BENCH_SHAPES=1,3 node bench/nsca.mjs    (only those shapes)
//   NSCA_BENCH_POETS_ONLY=1 node bench/nsca.mjs  (poets-nscad alone, no ratio: for quick A/B runs)
//   NSCA_BENCH_NODE_ARGS=--cpu-prof NSCA_BENCH_PROF_DIR=/tmp/prof node bench/nsca.mjs   (profile poets-nscad)
//   NSCA_BENCH_SERVER_CORES=0,1 NSCA_BENCH_LOADGEN_CORES=0,1 node bench/nsca.mjs   (taskset lists; default 0 and 1)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNS, fmt, freePort, median } from './lib.mjs';

const tools = fileURLToPath(new URL('../../shared/bench-tools/', import.meta.url));
// its real path: the load generator runs only when started by it (a worktree reaches it by a symlink)
export const loadgenPath = existsSync(`${tools}loadgen-nsca.mjs`) ? realpathSync(`${tools}loadgen-nsca.mjs`) : `${tools}loadgen-nsca.mjs`;
export const nscad = fileURLToPath(new URL('../packages/server-nsca/dist/cli/nscad.js', import.meta.url));
export const NSCA = '/usr/sbin/nsca';
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** The cores every server gets, and the load generator's (taskset lists; the same for every server in a run). */
export const SERVER_CORES = process.env.NSCA_BENCH_SERVER_CORES ?? '0';
const LOADGEN_CORES = process.env.NSCA_BENCH_LOADGEN_CORES ?? '1';
const PASSWORD = 'bench-Pw_1';
/** Node's floor: `net` + the codec + the command-file writer, nothing else. */
const bareServer = fileURLToPath(new URL('./servers/bare-nsca.mjs', import.meta.url));
const nodeArgs = (process.env.NSCA_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const profDir = process.env.NSCA_BENCH_PROF_DIR;
const poetsOnly = process.env.NSCA_BENCH_POETS_ONLY !== undefined;

export const SHAPES = [
  { name: 'nsca 1 conn x 40000 packets', args: ['--conns', '1', '--packets', '40000'] },
  { name: 'nsca 50 conns x 800 packets', args: ['--conns', '50', '--packets', '800'] },
  { name: 'nsca 10000 conns x 1 packet', args: ['--conns', '20', '--total-conns', '10000', '--packets', '1'] },
];

function pinned(core, command, args, options) {
  return pin ? spawn('taskset', ['-c', String(core), command, ...args], options) : spawn(command, args, options);
}

const group = () => spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();

function config(dir, port) {
  return [
    `pid_file=${join(dir, 'nsca.pid')}`,
    'server_address=127.0.0.1',
    `server_port=${port}`,
    `nsca_user=${userInfo().username}`,
    `nsca_group=${group()}`,
    'debug=0',
    `command_file=${join(dir, 'cmd')}`,
    `alternate_dump_file=${join(dir, 'dump')}`,
    'aggregate_writes=0',
    'append_to_file=1',
    'max_packet_age=30',
    `password=${PASSWORD}`,
    'decryption_method=1',
    '',
  ].join('\n');
}

/** Resolves once a TCP connect to the port succeeds (the probe closes at once), within `ms`. */
async function listening(port, child, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    const ok = await new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listening on ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child, ms = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

/** Exit status of the load generator when --max-seconds ended the run. */
const LOADGEN_ABORTED = 3;

/**
 * The load generator's figures; a run cut by `maxSeconds` (a server that stalls) is counted from
 * the command file: what arrived in that time, the rest lost.
 */
function loadgen(port, countFile, args, maxSeconds = 120) {
  return new Promise((resolve, reject) => {
    const arg = (name) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
    const total = (arg('--total-conns') ?? arg('--conns')) * arg('--packets');
    const child = pinned(LOADGEN_CORES, process.execPath, [loadgenPath, '--port', String(port), '--method', '1', '--password', PASSWORD,
      ...args, '--count-file', countFile, '--json', '--timeout-ms', '3000', '--settle-ms', '2000', '--max-seconds', String(maxSeconds)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    // 'close', not 'exit': stdout may still hold the JSON line when the process has exited
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === LOADGEN_ABORTED && line === undefined) {
        const arrived = readFileSync(countFile, 'latin1').split('\n').length - 1;
        return resolve({ packets_total: total, arrived, seconds: maxSeconds, errors: { [`cut_after_${maxSeconds}s`]: 1 } });
      }
      if (code !== 0 || line === undefined) reject(new Error(`loadgen failed (${code}): ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** The fields of /proc/<pid>/stat after the command name (state first), or undefined once it is gone. */
function statFields(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, seconds) of a server's process tree: the process, its children that
 * have ended and been reaped (cutime + cstime: nsca --daemon's per-connection children), and
 * every descendant still running (poets-nscad --daemon's workers). Linux /proc; NaN elsewhere.
 */
export function cpuSeconds(pid) {
  const root = statFields(pid);
  if (root === undefined) return Number.NaN;
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields === undefined) continue;
    const ppid = Number(fields[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push({ pid: Number(entry), fields });
  }
  // utime, stime, cutime, cstime in clock ticks (USER_HZ 100)
  const ticks = (f) => Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  let total = ticks(root);
  const walk = (p) => {
    for (const child of children.get(p) ?? []) {
      total += ticks(child.fields);
      walk(child.pid);
    }
  };
  walk(pid);
  return total / 100;
}


/**
 * One server, one shape: { rate, lost, errors, cpuPerCheck }. kind: nsca, nsca-daemon, poets,
 * poets-daemon or node (the floor).
 */
export async function measure(kind, shape) {
  const dir = mkdtempSync(join(tmpdir(), `bench-nsca-${kind}-`));
  const port = await freePort();
  const cfg = join(dir, 'nsca.cfg');
  const countFile = join(dir, 'cmd');
  writeFileSync(cfg, config(dir, port));
  writeFileSync(countFile, '');
  let child;
  /** poets-nscad says `listening on` once every worker of --daemon listens (their start-up is not counted). */
  let said = Promise.resolve();
  if (kind === 'nsca' || kind === 'nsca-daemon') {
    child = pinned(SERVER_CORES, NSCA, ['-f', '-c', cfg, kind === 'nsca' ? '--single' : '--daemon'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } else if (kind === 'node') {
    child = pinned(SERVER_CORES, process.execPath, [bareServer, String(port), countFile, PASSWORD, '1'], { stdio: ['ignore', 'ignore', 'ignore'] });
  } else {
    const prof = profDir === undefined ? [] : ['--cpu-prof-dir', profDir];
    const mode = kind === 'poets-daemon' ? ['--daemon'] : [];
    child = pinned(SERVER_CORES, process.execPath, [...nodeArgs, ...prof, nscad, '-c', cfg, ...mode], { stdio: ['ignore', 'ignore', 'pipe'] });
    said = new Promise((resolve) => child.stderr.on('data', (d) => { if (/listening on/.test(String(d))) resolve(); }));
    child.stderr.on('data', (d) => { if (!/listening on|running as uid/.test(String(d))) process.stderr.write(d); });
  }
  try {
    await listening(port, child);
    await Promise.race([said, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    const cpu0 = cpuSeconds(child.pid);
    const r = await loadgen(port, countFile, shape.args, shape.maxSeconds);
    const cpu = cpuSeconds(child.pid) - cpu0;
    const lost = r.packets_total - r.arrived;
    return { rate: r.arrived / (r.last_arrival_seconds || r.seconds), lost, total: r.packets_total, errors: r.errors, cpuPerCheck: (cpu / Math.max(1, r.arrived)) * 1e6 };
  } finally {
    await stop(child);
    // a stray line after the count (none expected) would show as a negative loss next time; the dir goes
    rmSync(dir, { recursive: true, force: true });
  }
}

export const errorsText = (list) => {
  const sum = {};
  for (const e of list) for (const [k, v] of Object.entries(e)) sum[k] = (sum[k] ?? 0) + v;
  const keys = Object.keys(sum);
  return keys.length === 0 ? '' : ` client errors ${keys.map((k) => `${k}×${sum[k]}`).join(', ')}`;
};

export async function run() {
  if (!existsSync(loadgenPath)) {
    console.log('nsca: skipped (../shared/bench-tools not found beside the repository)');
    return;
  }
  if (!existsSync(NSCA)) {
    console.log(`nsca: skipped (${NSCA} is not installed: apt-get install nsca)`);
    return;
  }
  if (!existsSync(nscad)) {
    console.log('nsca: skipped (build first: npx tsc -b)');
    return;
  }
  if (profDir !== undefined) mkdirSync(profDir, { recursive: true });
  const only = (process.env.NSCA_BENCH_SHAPES ?? '').split(',').filter(Boolean).map(Number);
  for (const [index, shape] of SHAPES.entries()) {
    if (only.length > 0 && !only.includes(index + 1)) continue;
    const ours = [];
    const base = [];
    const floor = [];
    for (let i = 0; i < RUNS; i++) {
      if (!poetsOnly) base.push(await measure('nsca', shape));
      ours.push(await measure('poets', shape));
      if (!poetsOnly) floor.push(await measure('node', shape));
    }
    if (poetsOnly) {
      console.log(`${shape.name.padEnd(34)} ${fmt(median(ours.map((m) => m.rate))).padStart(8)} checks/s   server CPU per check ${median(ours.map((m) => m.cpuPerCheck)).toFixed(1)} µs; lost per run ${ours.map((m) => m.lost).join('/')}`);
      continue;
    }
    const o = median(ours.map((m) => m.rate));
    const b = median(base.map((m) => m.rate));
    const ratio = o / b;
    const lost = (list) => `${list.map((m) => m.lost).join('/')} of ${list[0].total}`;
    console.log(
      `${shape.name.padEnd(34)} ${fmt(o).padStart(8)} checks/s   ${'nsca 2.10 --single'.padEnd(28)} ${fmt(b).padStart(8)} checks/s   ratio ${(ratio * 100).toFixed(1)}%  ${ratio >= 1 ? 'ok' : 'BELOW'} (target ≥ 100%)`,
    );
    console.log(
      `${''.padEnd(34)} server CPU per check: poets ${median(ours.map((m) => m.cpuPerCheck)).toFixed(1)} µs, nsca ${median(base.map((m) => m.cpuPerCheck)).toFixed(1)} µs; lost per run: poets ${lost(ours)}${errorsText(ours.map((m) => m.errors))}; nsca ${lost(base)}${errorsText(base.map((m) => m.errors))}`,
    );
    console.log(
      `${''.padEnd(34)} Node's floor (bare net + codec, no kernel): ${fmt(median(floor.map((m) => m.rate)))} checks/s, ${median(floor.map((m) => m.cpuPerCheck)).toFixed(1)} µs per check, ${(median(floor.map((m) => m.rate)) / b * 100).toFixed(1)}% of nsca`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
