// A ReadWrite+Line echo server on the kernel beside the raw `net` echo server (writing each input
// chunk's lines together), driven by the shared load generator in the same run: 1 and 50 connections.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, median, RUNS } from './lib.mjs';

const tools = fileURLToPath(new URL('../../shared/bench-tools/', import.meta.url));
const poetsServer = fileURLToPath(new URL('./servers/poets-echo.mjs', import.meta.url));
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function node(core, args, options = {}) {
  return pin ? spawn('taskset', ['-c', String(core), process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

async function startServer(args) {
  const child = node(0, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return child;
}

function loadgen(port, args) {
  return new Promise((resolve, reject) => {
    const child = node(1, [`${tools}loadgen-lines.mjs`, '--port', String(port), ...args, '--timeout', '60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const rate = /(lines|conns)\/s ([\d.]+)/.exec(out);
      if (code !== 0 || !rate) reject(new Error(`loadgen failed (${code}): ${out}`));
      else resolve(Number(rate[2]));
    });
  });
}


async function measure(serverArgs, loadArgs) {
  const port = await freePort();
  const server = await startServer([...serverArgs(port)]);
  try {
    return await loadgen(port, loadArgs);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

export async function compareServers(name, unit, poetsArgs, rawArgs, loadArgs, target, baselineName) {
  const ours = [];
  const raw = [];
  for (let i = 0; i < RUNS; i++) {
    raw.push(await measure(rawArgs, loadArgs));
    ours.push(await measure(poetsArgs, loadArgs));
  }
  const o = median(ours);
  const b = median(raw);
  const ratio = o / b;
  console.log(
    `${name.padEnd(34)} ${fmt(o).padStart(8)} ${unit}   ${baselineName.padEnd(28)} ${fmt(b).padStart(8)} ${unit}   ratio ${(ratio * 100).toFixed(1)}%  ${ratio >= target ? 'ok' : 'BELOW'} (target ≥ ${target * 100}%)`,
  );
  return ratio;
}

export async function run() {
  if (!existsSync(`${tools}loadgen-lines.mjs`)) {
    console.log('echo server: skipped (../shared/bench-tools not found beside the repository)');
    return;
  }
  const poets = (port) => [poetsServer, String(port)];
  const raw = (port) => [`${tools}node-echo-server.mjs`, String(port), 'cork'];
  await compareServers('ReadWrite+Line echo, 1 conn', 'lines/s', poets, raw, ['-c', '1', '-m', '200000'], 0.7, 'raw net echo (cork)');
  await compareServers('ReadWrite+Line echo, 50 conns', 'lines/s', poets, raw, ['-c', '50', '-m', '20000'], 0.7, 'raw net echo (cork)');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
