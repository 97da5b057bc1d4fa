// poets-nscad and the real nsca 2.10 (--single) under attack, each run under
// `prlimit --nofile=1024` (soft and hard), fed the same attacks from this process in the same run:
//
//   idle      2,000 connections that never send (kept at 2,000: one closed is opened again)
//   garbage   50 connections writing random bytes as fast as they are read
//   password  50 connections sending well-formed packets under a wrong password
//   slowloris 900 connections sending one byte a second
//   flood     connections of one bad-version packet each, 20 at a time, as fast as they go
//
// while one well-behaved client (connect, one check, close) starts every 50 ms. Printed per attack
// and server: RSS before the attack, at its peak, and 3 s after it stopped (its connections
// closed); the good clients whose check reached the command file during the attack; and, for
// poets-nscad, the bytes it logged during the attack (nsca logs to syslog). A figure, not a
// timing: the machine is shared, the ratio of good clients served is what compares.
//
//   node bench/nsca-attacks.mjs                       (every attack, both servers)
//   NSCA_ATTACKS=idle,flood node bench/nsca-attacks.mjs
//   NSCA_ATTACK_SECONDS=8 (default)  NSCA_ATTACK_NOFILE=1024 (default)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib.mjs';

const dist = fileURLToPath(new URL('../packages/server-nsca/dist/', import.meta.url));
const nscad = join(dist, 'cli/nscad.js');
const { encodePacket, createCryptStream } = await import(join(dist, 'index.js'));
const NSCA = '/usr/sbin/nsca';
const PASSWORD = 'attack-Pw_1';
const SECONDS = Number(process.env.NSCA_ATTACK_SECONDS ?? 8);
const NOFILE = Number(process.env.NSCA_ATTACK_NOFILE ?? 1024);
const ATTACKS = (process.env.NSCA_ATTACKS ?? 'idle,garbage,password,slowloris,flood').split(',');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(/(\d+)/.exec(line)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

function config(dir, port) {
  const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
  return [
    'server_address=127.0.0.1', `server_port=${port}`, `nsca_user=${userInfo().username}`, `nsca_group=${group}`,
    `command_file=${join(dir, 'cmd')}`, `alternate_dump_file=${join(dir, 'dump')}`, 'append_to_file=1', 'aggregate_writes=0',
    'max_packet_age=30', `password=${PASSWORD}`, 'decryption_method=1', '',
  ].join('\n');
}

async function canConnect(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function startServer(kind, dir) {
  const port = await freePort();
  const cfg = join(dir, 'nsca.cfg');
  writeFileSync(cfg, config(dir, port));
  writeFileSync(join(dir, 'cmd'), '');
  const nodeArgs = (process.env.NSCA_ATTACK_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const command = kind === 'nsca' ? [NSCA, '-f', '-c', cfg, '--single'] : [process.execPath, ...nodeArgs, nscad, '-c', cfg];
  const child = spawn('prlimit', [`--nofile=${NOFILE}`, ...command], { stdio: ['ignore', 'ignore', 'pipe'] });
  let logBytes = 0;
  child.stderr.on('data', (d) => (logBytes += d.length));
  const end = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`${kind} did not start`);
    await sleep(50);
  }
  return { child, port, cmd: join(dir, 'cmd'), logBytes: () => logBytes };
}

async function stopServer(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Connects, reads the init packet, sends `packets(iv, timestamp)`, ends; resolves when closed (false after 5 s). */
function client(port, packets) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => { s.destroy(); resolve(false); }, 5000);
    s.on('error', () => {});
    s.on('data', (d) => {
      if (got.length >= 132) return;
      got = Buffer.concat([got, d]);
      if (got.length >= 132) s.end(packets(got.subarray(0, 128), got.readUInt32BE(128)));
    });
    s.on('close', () => { clearTimeout(timer); resolve(true); });
  });
}

function packet(iv, timestamp, host, password = PASSWORD) {
  const plain = Buffer.from(encodePacket({ timestamp, host_name: host, svc_description: 'attack', return_code: 0, plugin_output: 'good client' }));
  createCryptStream(1, password, iv).encrypt(plain, 0);
  return plain;
}

/** The attacks: each starts its connections and returns a stop function. */
const attacks = {
  idle(port) {
    const open = new Set();
    let stopped = false;
    const one = () => {
      if (stopped) return;
      const s = connect({ host: '127.0.0.1', port });
      open.add(s);
      s.on('error', () => {});
      s.resume();
      s.on('close', () => { open.delete(s); if (!stopped) setTimeout(one, 10); });
    };
    for (let i = 0; i < 2000; i++) one();
    return () => { stopped = true; for (const s of open) s.destroy(); };
  },
  garbage(port) {
    return loop(port, 50, (s) => {
      const block = randomBytes(4304);
      const pump = () => { while (!s.destroyed && s.write(block)); };
      s.on('drain', pump);
      s.once('connect', pump);
    });
  },
  password(port) {
    return loop(port, 50, (s) => {
      let got = Buffer.alloc(0);
      s.on('data', (d) => {
        if (got.length >= 132) return;
        got = Buffer.concat([got, d]);
        if (got.length < 132) return;
        const iv = got.subarray(0, 128);
        const ts = got.readUInt32BE(128);
        const crypt = createCryptStream(1, 'not the password', iv);
        const pump = () => {
          while (!s.destroyed) {
            const p = Buffer.from(encodePacket({ timestamp: ts, host_name: 'evil', return_code: 0, plugin_output: 'x' }));
            crypt.encrypt(p, 0);
            if (!s.write(p)) return;
          }
        };
        s.on('drain', pump);
        pump();
      });
    });
  },
  slowloris(port) {
    const open = new Set();
    let stopped = false;
    for (let i = 0; i < 900; i++) {
      const s = connect({ host: '127.0.0.1', port });
      open.add(s);
      s.on('error', () => {});
      s.resume();
      s.on('close', () => open.delete(s));
    }
    const timer = setInterval(() => { for (const s of open) if (!s.destroyed) s.write('x'); }, 1000);
    return () => { stopped = true; clearInterval(timer); for (const s of open) s.destroy(); };
  },
  flood(port) {
    let stopped = false;
    const one = async () => {
      while (!stopped) await client(port, () => Buffer.alloc(4304, 0x41));
    };
    for (let i = 0; i < 20; i++) void one();
    return () => { stopped = true; };
  },
};

/** `count` connections at a time, each set up by `setup`, reopened when closed. */
function loop(port, count, setup) {
  const open = new Set();
  let stopped = false;
  const one = () => {
    if (stopped) return;
    const s = connect({ host: '127.0.0.1', port });
    open.add(s);
    s.on('error', () => {});
    s.on('data', () => {});
    setup(s);
    s.on('close', () => { open.delete(s); if (!stopped) setTimeout(one, 5); });
  };
  for (let i = 0; i < count; i++) one();
  return () => { stopped = true; for (const s of open) s.destroy(); };
}

async function measure(kind, attack) {
  const dir = mkdtempSync(join(tmpdir(), `bench-attack-${kind}-`));
  const server = await startServer(kind, dir);
  const pid = server.child.pid;
  try {
    for (let i = 0; i < 20; i++) await client(server.port, (iv, ts) => packet(iv, ts, 'warmup'));
    await sleep(500);
    const before = rssMb(pid);
    const logBefore = server.logBytes();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMb(pid)); }, 50);
    // the attacker runs in a process of its own, so that it does not slow the good clients down
    const attacker = spawn(process.execPath, [fileURLToPath(import.meta.url), '--attacker', attack, String(server.port)], { stdio: 'ignore' });
    const stop = () => attacker.kill('SIGTERM');
    await sleep(300);
    let attempted = 0;
    const goods = [];
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const n = ++attempted;
      goods.push(client(server.port, (iv, ts) => packet(iv, ts, `good${n}`)));
      await sleep(50);
    }
    stop();
    await Promise.all([...goods, new Promise((r) => (attacker.exitCode !== null ? r() : attacker.once('exit', r)))]);
    const logged = server.logBytes() - logBefore;
    await sleep(3000);
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    const after = rssMb(pid);
    const text = existsSync(server.cmd) ? readFileSync(server.cmd, 'latin1') : '';
    const served = new Set([...text.matchAll(/;good(\d+);attack;/g)].map((m) => m[1])).size;
    return { before, peak, after, served, attempted, logged };
  } finally {
    await stopServer(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  if (!existsSync(NSCA) || spawnSync('prlimit', ['--version']).status !== 0) {
    console.log('nsca attacks: skipped (needs /usr/sbin/nsca and prlimit)');
    return;
  }
  console.log(`nsca attacks: ${SECONDS} s each, both servers under prlimit --nofile=${NOFILE}, a good client every 50 ms`);
  console.log(`${'attack'.padEnd(10)} ${'server'.padEnd(12)} ${'RSS before'.padStart(10)} ${'peak'.padStart(8)} ${'after'.padStart(8)}   good clients served   logged`);
  for (const attack of ATTACKS) {
    const results = {};
    for (const kind of process.env.NSCA_ATTACK_POETS_ONLY ? ['poets-nscad'] : ['nsca', 'poets-nscad']) {
      const r = (results[kind] = await measure(kind, attack));
      const mb = (n) => `${n.toFixed(1)} MB`;
      const log = kind === 'nsca' ? '(syslog)' : `${(r.logged / 1024).toFixed(1)} KB`;
      console.log(`${attack.padEnd(10)} ${kind.padEnd(12)} ${mb(r.before).padStart(10)} ${mb(r.peak).padStart(8)} ${mb(r.after).padStart(8)}   ${`${r.served}/${r.attempted}`.padStart(9)}             ${log}`);
    }
    if (results.nsca === undefined) continue;
    const share = (r) => r.served / Math.max(1, r.attempted);
    const ratio = share(results['poets-nscad']) / Math.max(share(results.nsca), 1 / 1000);
    console.log(`${attack.padEnd(10)} share of good clients served, poets-nscad / nsca: ${(ratio * 100).toFixed(0)}%`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--attacker') {
    const stop = attacks[process.argv[3]](Number(process.argv[4]));
    process.on('SIGTERM', () => {
      stop();
      process.exit(0);
    });
  } else {
    await run();
  }
}
