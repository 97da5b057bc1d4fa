// HUP restart under a steady load of new connections (each: connect, one line, its answer, close):
// connections refused or cut during the restart (target 0), and the time from the HUP to the first
// answer from the new process. poets Multiplex beside Perl's own Net::Server (2.x, which execs with
// its BOUND_SOCKETS) measured in the same run.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { RUNS, freePort, median } from './lib.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CONCURRENCY = 8;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function request(port, line) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\n')) socket.end();
    });
    socket.on('error', (error) => resolve({ error: error.code }));
    socket.on('close', () => resolve(data.includes('\n') ? { generation: data.split(':')[0] } : { error: 'cut' }));
  });
}

const readPid = (file) => {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
};

/** One HUP under load; returns { ms: HUP to first new-generation answer, failed: refused or cut connections, done: served }. */
async function oneHup(port, pidFile) {
  let stop = false;
  let failed = 0;
  let done = 0;
  let hupAt = 0;
  let firstNew = 0;
  let before;
  const seen = new Set();
  const loops = Array.from({ length: CONCURRENCY }, async () => {
    while (!stop) {
      const answer = await request(port, 'x');
      if (answer.error !== undefined) failed++;
      else {
        done++;
        if (hupAt === 0) before = answer.generation;
        else if (answer.generation !== before && firstNew === 0) firstNew = performance.now();
        seen.add(answer.generation);
      }
    }
  });
  const warm = Date.now() + 30_000;
  while (done < 50 && Date.now() < warm) await sleep(5);
  hupAt = performance.now();
  process.kill(readPid(pidFile), 'SIGHUP');
  const deadline = Date.now() + 30_000; // a server that never comes back is reported as Infinity
  while (firstNew === 0 && Date.now() < deadline) await sleep(2);
  await sleep(200);
  stop = true;
  await Promise.all(loops);
  return { ms: firstNew === 0 ? Infinity : firstNew - hupAt, failed, done };
}

async function measure(command, args, pidFile, port) {
  // Perl's Net::Server notes its own pid_file on stderr at each HUP: not shown
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', command === 'perl' ? 'ignore' : 'inherit'] });
  try {
    for (let i = 0; i < 300 && (await request(port, 'up')).error !== undefined; i++) await sleep(20);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oneHup(port, pidFile));
    return runs;
  } finally {
    const pid = readPid(pidFile);
    for (const p of new Set([pid, child.pid])) if (p !== undefined) try { process.kill(p, 'SIGTERM'); } catch {}
  }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hup-'));
  try {
    const perlOk = spawnSync('perl', ['-MNet::Server', '-e', '1']).status === 0;
    const port1 = await freePort();
    const oursPid = join(dir, 'poets.pid');
    const ours = await measure(process.execPath, [here('./servers/net-server-hup.mjs'), `--port=${port1}`, `--pid_file=${oursPid}`], oursPid, port1);
    let perl;
    if (perlOk) {
      const port2 = await freePort();
      const perlPid = join(dir, 'perl.pid');
      perl = await measure('perl', [here('./servers/net-server-hup.pl'), `port=${port2}`, `pid_file=${perlPid}`], perlPid, port2);
    }
    const line = (name, value, unit, base) =>
      console.log(`${name.padEnd(34)} ${String(value).padStart(8)} ${unit.padEnd(4)}  ${'Perl Net::Server 2 (HUP)'.padEnd(28)} ${String(base ?? 'n/a').padStart(8)} ${unit}`);
    const failed = (runs) => runs.reduce((n, r) => n + r.failed, 0);
    const served = (runs) => runs.reduce((n, r) => n + r.done, 0);
    line('HUP: conns refused/cut (target 0)', failed(ours), '', perl && failed(perl));
    line('HUP: conns served across HUPs', served(ours), '', perl && served(perl));
    const oursMs = median(ours.map((r) => r.ms));
    const perlMs = perl && median(perl.map((r) => r.ms));
    console.log(
      `${'HUP to serving from new process'.padEnd(34)} ${oursMs.toFixed(0).padStart(8)} ms    ${'Perl Net::Server 2 (HUP)'.padEnd(28)} ${(perlMs?.toFixed(0) ?? 'n/a').padStart(8)} ms   ratio ${perlMs ? ((oursMs / perlMs) * 100).toFixed(0) + '% of Perl\'s time' : 'n/a'}  (${RUNS} HUPs each, ${CONCURRENCY} connecting at once; 2 shared cores)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
