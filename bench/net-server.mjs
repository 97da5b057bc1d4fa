// @poets/net-server's process models beside their baselines, in the same run, driven by the shared
// line load generator: PreFork against Perl's own Net::Server PreFork (Debian libnet-server-perl,
// the same echo server and settings), and Multiplex against the raw `net` echo server. Two shapes:
// one line per connection (connections per second) and 50 keep-alive connections (lines per second).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, median, RUNS } from './lib.mjs';

const tools = fileURLToPath(new URL('../../shared/bench-tools/', import.meta.url));
const ours = fileURLToPath(new URL('./servers/net-server-echo.mjs', import.meta.url));
const perl = fileURLToPath(new URL('./servers/net-server-echo.pl', import.meta.url));
const clusterEcho = fileURLToPath(new URL('./servers/cluster-echo.mjs', import.meta.url));
const havePerl = spawnSync('perl', ['-MNet::Server::PreFork', '-e', '1']).status === 0;
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

async function startServer(command, args, children) {
  // The server gets core 0 (a pool: all its processes), the load generator core 1.
  const child = pin ? spawn('taskset', ['-c', '0', command, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // ready once listening and every child of the pool said so from its child_init_hook
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')}: not ready in 60 s`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('listening') && (out.match(/child ready/g) ?? []).length >= children) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited ${code}`)));
  });
  child.stdout.resume();
  await new Promise((r) => setTimeout(r, 200));
  return child;
}

function loadgen(port, args) {
  return new Promise((resolve, reject) => {
    const cmd = [`${tools}loadgen-lines.mjs`, '--port', String(port), ...args, '--timeout', '90'];
    const child = pin ? spawn('taskset', ['-c', '1', process.execPath, ...cmd], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, cmd, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const rate = /(lines|conns)\/s ([\d.]+)/.exec(out);
      if (code !== 0 || !rate) reject(new Error(`loadgen failed (${code}): ${out}`));
      else resolve(Number(rate[2]));
    });
  });
}

async function measure(server, loadArgs) {
  const port = await freePort();
  const [command, args, children] = server(port);
  const child = await startServer(command, args, children);
  try {
    return await loadgen(port, loadArgs);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}

async function compare(name, unit, server, baseline, loadArgs, target, baselineName) {
  const o = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(await measure(baseline, loadArgs));
    o.push(await measure(server, loadArgs));
  }
  const ratio = median(o) / median(b);
  const shown = target >= 1 ? `${target}×` : `${target * 100}%`;
  console.log(
    `${name.padEnd(34)} ${fmt(median(o)).padStart(8)} ${unit}   ${baselineName.padEnd(28)} ${fmt(median(b)).padStart(8)} ${unit}   ratio ${(ratio * 100).toFixed(1)}%  ${ratio >= target ? 'ok' : 'BELOW'} (target ≥ ${shown})`,
  );
  return ratio;
}

/** The same pool settings for both PreForks: `n` children at once, none recycled during a run. */
function pool(n) {
  return ['--min_servers', String(n), '--max_servers', String(n + 4), '--min_spare_servers', '1', '--max_spare_servers', String(n + 2), '--max_requests', '1000000', '--serialize', 'none'];
}

export async function run() {
  if (!existsSync(`${tools}loadgen-lines.mjs`)) {
    console.log('net-server: skipped (../shared/bench-tools not found beside the repository)');
    return;
  }
  const connect = ['--connect', '-k', '5000', '-c', '8'];
  const keepAlive = ['-c', '50', '-m', '4000'];
  if (havePerl) {
    const poetsPreFork = (n) => (port) => [process.execPath, [ours, 'PreFork', String(port), ...pool(n)], n];
    const perlPreFork = (n) => (port) => ['perl', [perl, String(port), ...pool(n)], n];
    await compare('net-server PreFork, 1 line/conn', 'conns/s', poetsPreFork(8), perlPreFork(8), connect, 3, 'Perl Net::Server PreFork');
    await compare('net-server PreFork, 50 keep-alive', 'lines/s', poetsPreFork(50), perlPreFork(50), keepAlive, 3, 'Perl Net::Server PreFork');
    // the ceiling on this core: one raw `net` process, no pool at all, against the same Perl pool
    const rawNet = (port) => [process.execPath, [`${tools}node-echo-server.mjs`, String(port), 'cork'], 0];
    await compare('(raw net, 1 process), 1 line/conn', 'conns/s', rawNet, perlPreFork(8), connect, 3, 'Perl Net::Server PreFork');
    // the ceiling of a Node pool: bare node:cluster workers sharing the socket, no Net::Server flow
    const bareCluster = (n) => (port) => [process.execPath, [clusterEcho, String(port), String(n)], n];
    await compare('(bare node:cluster x8), 1 line/conn', 'conns/s', bareCluster(8), perlPreFork(8), connect, 3, 'Perl Net::Server PreFork');
    await compare('(bare node:cluster x50), keep-alive', 'lines/s', bareCluster(50), perlPreFork(50), keepAlive, 3, 'Perl Net::Server PreFork');
  } else console.log("net-server PreFork: Perl's Net::Server is not installed (apt-get install libnet-server-perl): skipped");
  const multiplex = (port) => [process.execPath, [ours, 'Multiplex', String(port)], 0];
  const raw = (port) => [process.execPath, [`${tools}node-echo-server.mjs`, String(port), 'cork'], 0];
  await compare('net-server Multiplex, 1 line/conn', 'conns/s', multiplex, raw, connect, 0.7, 'raw net echo (cork)');
  await compare('net-server Multiplex, 50 keep-alive', 'lines/s', multiplex, raw, keepAlive, 0.7, 'raw net echo (cork)');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
