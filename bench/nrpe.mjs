// NRPE: queries/s and p99 latency of NRPEServer in poets-agent beside the real nrpe daemon, both
// answering the same trivial command, driven by one load generator (this process) speaking NRPE v2
// without TLS and v4 with TLS (anonymous DH, as check_nrpe 4). nrpe runs a process per query; the
// agent answers check_ok in-process, and check_spawn through a child process (/bin/echo, as nrpe):
// both figures are printed. Each server runs in its own process; the generator keeps CONCURRENCY
// connections in flight, one query per connection as check_nrpe does.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { encodePacket, parsePacket, QUERY_PACKET } from '@poets/agent';
import { RUNS, fmt, freePort, median, report } from './lib.mjs';

const NRPE = '/usr/sbin/nrpe';
const QUERIES = Number(process.env.NRPE_BENCH_QUERIES ?? 1500);
/** TLS queries a run: each is a full anonymous-DH handshake on both sides, on a shared 2-core machine. */
const TLS_QUERIES = Number(process.env.NRPE_BENCH_TLS_QUERIES ?? 200);
const CONCURRENCY = Number(process.env.NRPE_BENCH_CONCURRENCY ?? 8);
const server = fileURLToPath(new URL('./servers/poets-nrpe.mjs', import.meta.url));
const ADH = 'ADH-AES256-GCM-SHA384:ADH-AES256-SHA256:ADH-AES128-SHA:@SECLEVEL=0';

function query(port, packet, tls) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, ciphers: ADH, maxVersion: 'TLSv1.2', rejectUnauthorized: false }, () => socket.write(packet))
      : connect(port, '127.0.0.1', () => socket.write(packet));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const out = parsePacket(Buffer.concat(chunks));
      if (out.kind !== 'packet' || out.packet.result !== 0) reject(new Error(`bad answer: ${JSON.stringify(out).slice(0, 200)}`));
      else resolve();
    });
  });
}

/** QUERIES queries, CONCURRENCY at a time: queries/s and the 99th percentile latency in ms. */
async function load(port, version, command, tls) {
  const total = tls ? TLS_QUERIES : QUERIES;
  const packet = encodePacket({ version, type: QUERY_PACKET, result: 0, text: command });
  const latencies = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const t = performance.now();
      await query(port, packet, tls);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: total / seconds, p99: latencies[Math.floor(latencies.length * 0.99)] };
}

async function ready(port, version, command, tls, child) {
  const end = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server on ${port} exited (${child.exitCode})`);
    try {
      await query(port, encodePacket({ version, type: QUERY_PACKET, result: 0, text: command }), tls);
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

async function nrpeDaemon(dir, tls) {
  const port = await freePort();
  const conf = join(dir, `nrpe-${port}.cfg`);
  writeFileSync(conf, `server_port=${port}\nserver_address=127.0.0.1\nallowed_hosts=127.0.0.1\nnrpe_user=nobody\nnrpe_group=nogroup\ncommand_timeout=10\nconnection_timeout=30\nlog_file=${join(dir, `nrpe-${port}.log`)}\npid_file=${join(dir, `nrpe-${port}.pid`)}\ncommand[check_ok]=/bin/echo OK\n`);
  chmodSync(conf, 0o644);
  const child = spawn(NRPE, ['-c', conf, '-f', ...(tls ? [] : ['-n'])], { stdio: 'ignore' });
  return { child, port };
}

async function poetsAgent(tls) {
  const port = await freePort();
  const child = spawn(process.execPath, [server, String(port), String(tls)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, port };
}

function line(name, ours, theirs, target, baselineName) {
  report(`${name} q/s`, 'q/s', { ours: median(ours.map((r) => r.rate)), baseline: median(theirs.map((r) => r.rate)) }, target, baselineName);
  const p = (rs) => median(rs.map((r) => r.p99)).toFixed(2);
  console.log(`${`${name} p99`.padEnd(34)} ${p(ours).padStart(8)} ms    ${baselineName.padEnd(28)} ${p(theirs).padStart(8)} ms`);
}

export async function run() {
  if (!existsSync(NRPE)) {
    console.log(`nrpe: skipped (${NRPE} not installed: apt-get install nagios-nrpe-server)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'poets-nrpe-bench-'));
  chmodSync(dir, 0o755);
  const started = [];
  // An interrupted run must not leave the servers behind.
  const killAll = () => started.forEach((child) => child.exitCode === null && child.kill('SIGKILL'));
  process.once('exit', killAll);
  try {
    for (const [tls, version, label] of [[false, 2, 'v2'], [true, 4, 'v4 TLS']]) {
      const ours = await poetsAgent(tls);
      const theirs = await nrpeDaemon(dir, tls);
      started.push(ours.child, theirs.child);
      await ready(ours.port, version, 'check_ok', tls, ours.child);
      await ready(theirs.port, version, 'check_ok', tls, theirs.child);
      const inProcess = [];
      const spawned = [];
      const nrpe = [];
      for (let i = 0; i < RUNS; i++) {
        nrpe.push(await load(theirs.port, version, 'check_ok', tls));
        inProcess.push(await load(ours.port, version, 'check_ok', tls));
        spawned.push(await load(ours.port, version, 'check_spawn', tls));
      }
      line(`nrpe ${label} in-process`, inProcess, nrpe, tls ? undefined : 1.0, `nrpe daemon ${label} (fork+exec)`);
      line(`nrpe ${label} child process`, spawned, nrpe, undefined, `nrpe daemon ${label} (fork+exec)`);
      await stop(ours.child);
      await stop(theirs.child);
    }
    console.log(`  (${QUERIES} queries a run, ${TLS_QUERIES} with TLS, ${CONCURRENCY} in flight, one connection each; load generator and servers share the machine's cores)`);
  } finally {
    for (const child of started) await stop(child);
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  }
}
