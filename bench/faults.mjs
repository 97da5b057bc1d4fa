// Fault figures for poets-nscad (not timed tests): what is lost, and what memory is used, when it
// is stopped or killed mid-load, when the Nagios pipe has no reader, and how fast a backlog drains
// once a reader is back. The real nsca 2.10 daemon (--single) runs the same loads where the figure
// applies to it, as the baseline. Everything on 127.0.0.1; every process stopped by PID.
//
//   node bench/faults.mjs                          (all scenarios)
//   FAULTS=term,kill node bench/faults.mjs         (some: term, kill, noreader, drain, memory, json)
//   FAULTS_NSCAD=/path/to/dist/cli/nscad.js node bench/faults.mjs   (another build: a before/after)
//   FAULTS_RUNS=3 node bench/faults.mjs            (runs per figure; medians and each run shown)
//   FAULTS_CONFIG=queue_max_bytes=16777216 node bench/faults.mjs   (more nsca.cfg keys)
//
// Vocabulary: a check is *fully sent* once the client's write of its packet completed and it
// ended the connection; *acknowledged* once the daemon closed the connection before the fault
// (a FIN seen after a SIGKILL may be the kernel's, closing a dead process's sockets); *lost* when
// it never reached the command file.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, freePort } from './lib.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const NSCAD = process.env.FAULTS_NSCAD ?? here('../packages/server-nsca/dist/cli/nscad.js');
const NSCA = '/usr/sbin/nsca';
const RUNS = Number(process.env.FAULTS_RUNS ?? 3);
const PASSWORD = 'faults-Bench_1';
const only = (process.env.FAULTS ?? 'term,kill,noreader,drain,memory,json').split(',');
const { encodePacket, createCryptStream } = await import(here('../packages/server-nsca/dist/index.js'));

/** FAULTS_CONFIG='queue_max_bytes=16777216,queue_max_age=60': more keys for poets-nscad's nsca.cfg. */
const extraConfig = Object.fromEntries((process.env.FAULTS_CONFIG ?? '').split(',').filter(Boolean).map((kv) => kv.split('=')));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const group = () => spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();

function writeConfig(dir, port, extra = {}, kind = 'poets') {
  const cfg = {
    pid_file: join(dir, 'nsca.pid'), server_address: '127.0.0.1', server_port: port, nsca_user: userInfo().username, nsca_group: group(),
    command_file: join(dir, 'cmd'), alternate_dump_file: join(dir, 'dump'), aggregate_writes: 0, append_to_file: 1, max_packet_age: 30,
    password: PASSWORD, decryption_method: 1, ...extra, ...(kind === 'poets' ? extraConfig : {}),
  };
  const path = join(dir, 'nsca.cfg');
  writeFileSync(path, `${Object.entries(cfg).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  return path;
}

function startServer(kind, cfg, options = {}) {
  const child = kind === 'nsca'
    ? spawn(NSCA, ['-f', '-c', cfg, '--single'], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [NSCAD, '-c', cfg, ...(options.json ? ['--json'] : [])], { stdio: ['ignore', options.json ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

async function listening(port, server, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`server exited before listening: ${server.stderr()}`);
    const ok = await new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listening on ${port}`);
    await sleep(30);
  }
}

async function stopServer(server, signal = 'SIGTERM') {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill(signal);
  const t = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
  const r = await server.exited;
  clearTimeout(t);
  return r;
}

function rss(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** One NSCA connection: reads the init packet, sends `packets`, ends; reports what happened. */
function connection(port, packets, outputBytes = 0) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const state = { sent: false, closedCleanly: false, closedAt: 0 };
    let init = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      if (init.length >= 132) return;
      init = Buffer.concat([init, chunk]);
      if (init.length < 132) return;
      const iv = init.subarray(0, 128);
      const timestamp = init.readUInt32BE(128);
      const crypt = createCryptStream(1, PASSWORD, iv);
      const data = Buffer.concat(packets.map((p) => {
        const plain = Buffer.from(encodePacket({ timestamp, host_name: 'h', svc_description: `s${p}`, return_code: p % 4, plugin_output: `check ${p}${'x'.repeat(outputBytes)}` }));
        crypt.encrypt(plain, 0);
        return plain;
      }));
      socket.write(data, (error) => { state.sent = !error; });
      socket.end();
    });
    socket.on('close', (hadError) => {
      state.closedCleanly = !hadError && state.sent;
      state.closedAt = Date.now();
      resolve(state);
    });
    setTimeout(() => socket.destroy(), 15_000);
  });
}

/**
 * Load until `until()` is true: `parallel` connections at a time of `perConnection` checks each.
 * Returns per-check records { sentAt, ackAt } (ackAt 0: not closed cleanly).
 */
function load(port, { parallel, perConnection, total = Infinity, outputBytes = 0 }) {
  const checks = [];
  let next = 0;
  let running = true;
  const worker = async () => {
    while (running && next < total) {
      const numbers = Array.from({ length: Math.min(perConnection, total - next) }, () => next++);
      const state = await connection(port, numbers, outputBytes);
      for (const n of numbers) checks[n] = { sent: state.sent, ack: state.closedCleanly ? state.closedAt : 0 };
      if (!state.sent) await sleep(5);
    }
  };
  const workers = Array.from({ length: parallel }, worker);
  return { checks, stop: async () => { running = false; await Promise.all(workers); }, done: Promise.all(workers), count: () => next };
}

const linesOf = (path) => (existsSync(path) ? readFileSync(path, 'latin1').split('\n').slice(0, -1) : []);
const numbersOf = (lines) => new Set(lines.map((l) => Number(/;s(\d+);/.exec(l)?.[1] ?? -1)));
const WELL_FORMED = /^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;h;s\d+;[0-3];check \d+x*$/;

/** Checks sent (and acknowledged) before `at`, and how many of them never reached the command file. */
function losses(checks, at, written) {
  let sent = 0, sentLost = 0, acked = 0, ackedLost = 0;
  checks.forEach((c, n) => {
    if (c === undefined) return;
    if (c.sent) { sent++; if (!written.has(n)) sentLost++; }
    if (c.ack > 0 && c.ack < at) { acked++; if (!written.has(n)) ackedLost++; }
  });
  return { sent, sentLost, acked, ackedLost };
}

function dirFor(name) {
  return mkdtempSync(join(tmpdir(), `faults-${name}-`));
}

const rows = [];
function row(figure, ours, base) {
  rows.push([figure, ours, base]);
  console.log(`${figure.padEnd(58)} ${String(ours).padEnd(34)} ${base ?? ''}`);
}

// ---- TERM / INT: stop mid-load; every fully sent check must be written --------------------------

/** Stops the daemon with `signal` 1.5 s into a load; what it wrote, and what it lost of what was fully sent. */
async function signalRun(kind, shape, signal) {
  const dir = dirFor(signal === 'SIGTERM' ? 'term' : 'kill');
  const port = await freePort();
  writeFileSync(join(dir, 'cmd'), '');
  const server = startServer(kind, writeConfig(dir, port, {}, kind));
  try {
    await listening(port, server);
    const traffic = load(port, shape);
    await sleep(1500);
    const at = Date.now();
    server.child.kill(signal);
    await server.exited;
    await traffic.stop();
    const lines = linesOf(join(dir, 'cmd'));
    const bad = lines.filter((l) => !WELL_FORMED.test(l)).length;
    return { ...losses(traffic.checks, at, numbersOf(lines)), bad, lines: lines.length };
  } finally {
    await stopServer(server, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const summary = (runs, key, of) => `${median(runs.map((r) => r[key]))} of ${median(runs.map((r) => r[of]))} (runs: ${runs.map((r) => `${r[key]}/${r[of]}`).join(', ')})`;

async function term() {
  const shape = { parallel: 20, perConnection: 1 };
  const ours = [], base = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await signalRun('poets', shape, 'SIGTERM'));
    if (existsSync(NSCA)) base.push(await signalRun('nsca', shape, 'SIGTERM'));
  }
  row('SIGTERM mid-load, 1 check/conn: fully sent lost', summary(ours, 'sentLost', 'sent'), base.length ? `nsca ${summary(base, 'sentLost', 'sent')}` : '');
  row('  lines not well formed', ours.reduce((a, r) => a + r.bad, 0), base.length ? `nsca ${base.reduce((a, r) => a + r.bad, 0)}` : '');
}

async function kill() {
  for (const shape of [{ name: '1 check/conn', parallel: 20, perConnection: 1 }, { name: 'pipelined 10 conns x 500', parallel: 10, perConnection: 500 }]) {
    const ours = [], base = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await signalRun('poets', shape, 'SIGKILL'));
      if (existsSync(NSCA)) base.push(await signalRun('nsca', shape, 'SIGKILL'));
    }
    row(`SIGKILL mid-load, ${shape.name}: acknowledged lost`, summary(ours, 'ackedLost', 'acked'), base.length ? `nsca ${summary(base, 'ackedLost', 'acked')}` : '');
    row(`  fully sent lost`, summary(ours, 'sentLost', 'sent'), base.length ? `nsca ${summary(base, 'sentLost', 'sent')}` : '');
    row('  lines not well formed', ours.reduce((a, r) => a + r.bad, 0), base.length ? `nsca ${base.reduce((a, r) => a + r.bad, 0)}` : '');
  }
}

// ---- a FIFO with no reader: SIGTERM, restart, then a reader -------------------------------------

function fifoReader(path) {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(1 << 20);
  let text = '';
  return {
    read() {
      for (;;) {
        let n;
        try { n = readSync(fd, buf, 0, buf.length, null); } catch (e) { if (e.code === 'EAGAIN') return text; throw e; }
        if (n <= 0) return text;
        text += buf.toString('latin1', 0, n);
      }
    },
    close: () => closeSync(fd),
  };
}

async function noReaderRun(kind, count, spool) {
  const dir = dirFor('noreader');
  const port = await freePort();
  const fifo = join(dir, 'cmd');
  execFileSync('mkfifo', [fifo]);
  const extra = spool ? { spool_directory: join(dir, 'spool') } : {};
  const cfg = writeConfig(dir, port, extra, kind);
  let server = startServer(kind, cfg);
  let reader;
  try {
    await listening(port, server);
    const traffic = load(port, { parallel: 20, perConnection: 1, total: count });
    await traffic.done;
    const sent = traffic.checks.filter((c) => c.sent).length;
    server.child.kill('SIGTERM');
    await server.exited;
    // the next start, with Nagios back
    server = startServer(kind, cfg);
    await listening(port, server);
    reader = fifoReader(fifo);
    const end = Date.now() + 15_000;
    let last = -1, since = Date.now();
    while (Date.now() < end) {
      const n = reader.read().length;
      if (n !== last) { last = n; since = Date.now(); }
      if (Date.now() - since > 1000) break;
      await sleep(20);
    }
    const lines = reader.read().split('\n').slice(0, -1);
    const got = numbersOf(lines);
    return { sent, arrived: got.size, lost: traffic.checks.filter((c, n) => c?.sent && !got.has(n)).length, duplicates: lines.length - got.size };
  } finally {
    reader?.close();
    await stopServer(server, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function noreader() {
  const count = 10_000;
  const ours = [await noReaderRun('poets', count, true)];
  const mem = [await noReaderRun('poets', count, false)];
  const base = existsSync(NSCA) ? [await noReaderRun('nsca', count, false)] : [];
  row(`no FIFO reader, ${count} checks, SIGTERM, restart, reader: lost`, `spool ${ours[0].lost} of ${ours[0].sent} (dups ${ours[0].duplicates})`, base.length ? `nsca ${base[0].lost} of ${base[0].sent}` : '');
  row('  without spool_directory (memory only)', `${mem[0].lost} of ${mem[0].sent}`, '');
}

// ---- a backlog drains at the reader's speed --------------------------------------------------

async function drainRun(spool) {
  const dir = dirFor('drain');
  const port = await freePort();
  const fifo = join(dir, 'cmd');
  execFileSync('mkfifo', [fifo]);
  const server = startServer('poets', writeConfig(dir, port, spool ? { spool_directory: join(dir, 'spool') } : {}));
  let reader;
  try {
    await listening(port, server);
    const count = 100_000;
    const traffic = load(port, { parallel: 10, perConnection: 1000, total: count });
    await traffic.done;
    await sleep(500);
    reader = fifoReader(fifo);
    const start = Date.now();
    let lines = 0;
    let seen = 0;
    while (lines < count && Date.now() - start < 60_000) {
      const text = reader.read();
      for (let at = text.indexOf('\n', seen); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
      seen = text.length;
      if (lines < count) await new Promise((r) => setImmediate(r));
    }
    return { rate: lines / ((Date.now() - start) / 1000), lines };
  } finally {
    reader?.close();
    await stopServer(server, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function drain() {
  for (const spool of [false, true]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await drainRun(spool));
    row(`backlog of 100,000 lines drained, ${spool ? 'from the spool' : 'from memory'}`, `${Math.round(median(runs.map((r) => r.rate)))} lines/s`, `(runs: ${runs.map((r) => Math.round(r.rate)).join(', ')})`);
  }
}

// ---- memory while the pipe has no reader, and --json with a stalled stdout ---------------------

async function memoryRun(spool, json) {
  const dir = dirFor('memory');
  const port = await freePort();
  const fifo = join(dir, 'cmd');
  execFileSync('mkfifo', [fifo]);
  const server = startServer('poets', writeConfig(dir, port, spool ? { spool_directory: join(dir, 'spool') } : {}), { json });
  try {
    await listening(port, server);
    const before = rss(server.child.pid);
    const count = Number(process.env.FAULTS_MEMORY_CHECKS ?? 60_000);
    const traffic = load(port, { parallel: 10, perConnection: 500, total: count, outputBytes: 4000 });
    await traffic.done;
    await sleep(1000);
    global.gc?.();
    return { before, after: rss(server.child.pid), count };
  } finally {
    await stopServer(server, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function memory() {
  for (const spool of [false, true]) {
    const r = await memoryRun(spool, false);
    row(`RSS, no FIFO reader, ${r.count} checks of 4 KB, ${spool ? 'spool' : 'memory only'}`, `${r.before.toFixed(0)} MB -> ${r.after.toFixed(0)} MB`, '');
  }
}

async function json() {
  const r = await memoryRun(false, true);
  row(`RSS, --json, stdout never read, ${r.count} checks of 4 KB`, `${r.before.toFixed(0)} MB -> ${r.after.toFixed(0)} MB`, '');
}

export async function run() {
  if (!existsSync(NSCAD)) {
    console.log('faults: skipped (build first: npx tsc -b)');
    return;
  }
  console.log(`poets-nscad fault figures (${NSCAD}; ${RUNS} runs where a median is shown)`);
  const scenarios = { term, kill, noreader, drain, memory, json };
  for (const name of only) await scenarios[name]?.();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
