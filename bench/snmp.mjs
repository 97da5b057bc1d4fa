// SNMPSession (POE::Component::SNMP::Session on net-snmp) beside the same work done with the npm
// `net-snmp` engine directly (the baseline), in the same run, against the same real snmpd
// (Debian /usr/sbin/snmpd on 127.0.0.1, a free port, a temp config: the interop helper's).
// Figures: v2c gets/s with 1 request outstanding and with 50 outstanding, and whole-tree
// bulkwalks (walks/s, maxRepetitions 20; objects per walk printed; the two sides interleaved in
// batches of 10 walks so that both meet the same load). Target: ratio ≥ 85%.
// Fan-out: FANOUT targets (SNMPSession components, one per target, in one kernel), each doing one
// get and one ifTable bulkwalk, all at once; the baseline is FANOUT net-snmp sessions doing a get
// and a subtree walk. The targets are snmpd's FANOUT_PORTS UDP ports on 127.0.0.1 (one snmpd
// process listening on all of them; target i uses port i mod FANOUT_PORTS). Creation and
// finish/close are inside the timing on both sides.
// The C tool: `snmpbulkwalk -v2c -c public -Cr20 -On 127.0.0.1:<port> .1.3.6.1` (MIBS empty),
// timed with process.hrtime around spawn → exit, so each figure includes process start-up;
// `snmpget` of one object, timed the same way, estimates that start-up cost.
//
//   BENCH_RUNS=3 node bench/snmp.mjs      (medians of BENCH_RUNS alternating runs)
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNS, compare, median, report, seconds } from './lib.mjs';

const SNMPD = '/usr/sbin/snmpd';
const SNMPGET = '/usr/bin/snmpget';
const SNMPBULKWALK = '/usr/bin/snmpbulkwalk';
const FANOUT = Number(process.env.SNMP_BENCH_FANOUT ?? 200);
const FANOUT_PORTS = Number(process.env.SNMP_BENCH_FANOUT_PORTS ?? 4);
const C_WALKS = Number(process.env.SNMP_BENCH_C_WALKS ?? 20);
const IFTABLE = '.1.3.6.1.2.1.2.2';
const TARGET = 0.85;
const GETS_1 = Number(process.env.SNMP_BENCH_GETS_1 ?? 3000);
const GETS_50 = Number(process.env.SNMP_BENCH_GETS_50 ?? 10000);
const WALKS = Number(process.env.SNMP_BENCH_WALKS ?? 300);
const OID = '1.3.6.1.2.1.1.5.0'; // sysName.0
const REPS = 20;
const ROOT = '.1.3.6.1'; // everything the agent's view holds

function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

async function startSnmpd(extraPorts = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'poets-snmpd-bench-'));
  const port = await freeUdpPort();
  const ports = [port];
  while (ports.length < extraPorts + 1) {
    const p = await freeUdpPort();
    if (!ports.includes(p)) ports.push(p);
  }
  const conf = join(dir, 'snmpd.conf');
  // The agent's whole tree is its view: system, interfaces, snmp and ifMIB. The full default view
  // (host resources, tcp/udp tables, processes) runs to >100,000 objects on a busy shared
  // machine and changes while it is walked: no stable figure.
  writeFileSync(
    conf,
    [
      'view benchview included .1.3.6.1.2.1.1',
      'view benchview included .1.3.6.1.2.1.2',
      'view benchview included .1.3.6.1.2.1.11',
      'view benchview included .1.3.6.1.2.1.31',
      'rocommunity public 127.0.0.1 -V benchview',
      '',
    ].join('\n'),
  );
  const child = spawn(SNMPD, ['-f', '-Lf', join(dir, 'log'), '-C', '-c', conf, '-p', join(dir, 'pid'), ports.map((p) => `udp:127.0.0.1:${p}`).join(',')], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = await new Promise((resolve) =>
      execFile(SNMPGET, ['-v2c', '-c', 'public', '-t', '0.3', '-r', '0', '-On', `127.0.0.1:${port}`, `.${OID}`], { timeout: 5000 }, (_e, stdout) => resolve(stdout ?? '')),
    );
    if (out.includes(OID)) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`snmpd did not answer on 127.0.0.1:${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, ports, stop };
}

/** Wall-clock seconds of one child process, spawn to exit (start-up included); rejects unless it exits 0. Returns [seconds, stdout lines]. */
function timedSpawn(file, args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env: { ...process.env, MIBS: '' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    child.stdout.on('data', (chunk) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      if (code === 0) resolve([secs, lines]);
      else reject(new Error(`${file} exited ${code}`));
    });
  });
}

/** `total` operations, at most `width` in flight; `op(done)` starts one and calls done(error). */
function drive(total, width, op) {
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    let failed = false;
    const next = () => {
      if (started >= total) return;
      started++;
      op((error) => {
        if (failed) return;
        if (error) {
          failed = true;
          return reject(error);
        }
        if (++finished === total) resolve();
        else next();
      });
    };
    for (let i = 0; i < Math.min(width, total); i++) next();
  });
}

/**
 * Like lib.mjs's compare, but the two sides alternate in batches of `batch` operations within each
 * of the RUNS runs (which side goes first alternating too), so that both see the same load: on a
 * busy shared machine, a whole 1-second sample of one side can land in a burst of other work
 * that the other side's sample misses. Returns the median rates.
 */
async function compareInterleaved(total, batch, oursOne, baseOne) {
  const oursRates = [];
  const baseRates = [];
  // this process's CPU time per operation, each side: what the load does not change
  const cpu = { ours: 0, baseline: 0 };
  const timed = async (side, n, one) => {
    const before = process.cpuUsage();
    const secs = await seconds(() => drive(n, 1, one));
    const used = process.cpuUsage(before);
    cpu[side] += (used.user + used.system) / 1e6;
    return secs;
  };
  for (let run = 0; run < RUNS; run++) {
    let oursTime = 0;
    let baseTime = 0;
    for (let done = 0, k = 0; done < total; done += batch, k++) {
      const n = Math.min(batch, total - done);
      if (k % 2 === 0) {
        baseTime += await timed('baseline', n, baseOne);
        oursTime += await timed('ours', n, oursOne);
      } else {
        oursTime += await timed('ours', n, oursOne);
        baseTime += await timed('baseline', n, baseOne);
      }
    }
    oursRates.push(total / oursTime);
    baseRates.push(total / baseTime);
  }
  return { ours: median(oursRates), baseline: median(baseRates), cpuOurs: cpu.ours / (total * RUNS), cpuBaseline: cpu.baseline / (total * RUNS) };
}

export async function run() {
  if (!existsSync(SNMPD) || !existsSync(SNMPGET)) {
    console.log('snmp: skipped (/usr/sbin/snmpd or /usr/bin/snmpget not installed)');
    return;
  }
  const { Kernel } = await import('@poets/kernel');
  const { SNMPSession } = await import('@poets/snmp-session');
  // the same net-snmp module the package uses
  const require = createRequire(new URL('../packages/snmp-session/package.json', import.meta.url));
  const snmp = require('net-snmp');
  const snmpd = await startSnmpd(FANOUT_PORTS - 1);
  const options = { timeout: 2000, retries: 1, port: snmpd.port, version: snmp.Version2c };
  const ours = SNMPSession.create({ Alias: 'snmp-bench', DestHost: '127.0.0.1', RemotePort: snmpd.port, Version: '2c', Timeout: 2_000_000, Retries: 1, kernel: new Kernel() });
  const direct = snmp.createSession('127.0.0.1', 'public', options);
  try {
    // both warm up (JIT, net-snmp's first socket use, our MIB index)
    let objects = 0;
    await ours.bulkWalk(0, REPS, [[ROOT]]).then(([list]) => (objects = list.length));
    await new Promise((resolve, reject) => direct.walk(ROOT.slice(1), REPS, () => {}, (e) => (e ? reject(e) : resolve())));

    const oursGet = (done) => ours.get([[`.${OID}`]]).then(() => done(), done);
    const directGet = (done) => direct.get([OID], (error, varbinds) => done(error ?? (snmp.isVarbindError(varbinds[0]) ? new Error('varbind error') : null)));
    await drive(500, 50, oursGet);
    await drive(500, 50, directGet);

    report('snmp v2c get, 1 outstanding', 'gets/s', await compare(GETS_1, () => drive(GETS_1, 1, oursGet), () => drive(GETS_1, 1, directGet)), TARGET, 'net-snmp direct');
    report('snmp v2c get, 50 outstanding', 'gets/s', await compare(GETS_50, () => drive(GETS_50, 50, oursGet), () => drive(GETS_50, 50, directGet)), TARGET, 'net-snmp direct');

    let directObjects = 0;
    const oursWalk = (done) => ours.bulkWalk(0, REPS, [[ROOT]]).then(([list]) => ((objects = list.length), done()), done);
    const directWalk = (done) => {
      let n = 0;
      direct.walk(ROOT.slice(1), REPS, (varbinds) => {
        for (const vb of varbinds) if (!snmp.isVarbindError(vb)) n++;
      }, (error) => ((directObjects = n), done(error)));
    };
    // interleaved in batches of 10 walks (about 30 ms a side): see compareInterleaved
    const walks = await compareInterleaved(WALKS, 10, oursWalk, directWalk);
    report(`snmp v2c bulkwalk whole tree (view)`, 'walks/s', walks, TARGET, 'net-snmp session.walk');
    console.log(`${''.padEnd(34)} (${objects} objects per walk ours, ${directObjects} direct; maxRepetitions ${REPS})`);
    console.log(
      `${''.padEnd(34)} (CPU of this process per walk: ours ${(walks.cpuOurs * 1000).toFixed(3)} ms, direct ${(walks.cpuBaseline * 1000).toFixed(3)} ms: ratio ${((walks.cpuBaseline / walks.cpuOurs) * 100).toFixed(1)}%)`,
    );

    // Fan-out: FANOUT targets at once, one get + one ifTable bulkwalk each.
    let fanObjects = 0;
    let directFanObjects = 0;
    const oursFanout = async () => {
      const kernel = new Kernel();
      const sessions = Array.from({ length: FANOUT }, (_, i) =>
        SNMPSession.create({ Alias: `fan-${i}`, DestHost: '127.0.0.1', RemotePort: snmpd.ports[i % snmpd.ports.length], Version: '2c', Timeout: 2_000_000, Retries: 1, kernel }),
      );
      try {
        const results = await Promise.all(sessions.map((s) => Promise.all([s.get([[`.${OID}`]]), s.bulkWalk(0, REPS, [[IFTABLE]])])));
        fanObjects = results.reduce((n, [, [list]]) => n + list.length, 0);
      } finally {
        for (const s of sessions) s.finish();
      }
    };
    const directFanout = async () => {
      const sessions = Array.from({ length: FANOUT }, (_, i) => snmp.createSession('127.0.0.1', 'public', { ...options, port: snmpd.ports[i % snmpd.ports.length] }));
      let n = 0;
      try {
        await Promise.all(
          sessions.flatMap((s) => [
            new Promise((resolve, reject) => s.get([OID], (e, vbs) => (e ? reject(e) : snmp.isVarbindError(vbs[0]) ? reject(new Error('varbind error')) : resolve()))),
            new Promise((resolve, reject) =>
              s.subtree(IFTABLE.slice(1), REPS, (vbs) => {
                for (const vb of vbs) if (!snmp.isVarbindError(vb)) n++;
              }, (e) => (e ? reject(e) : resolve())),
            ),
          ]),
        );
        directFanObjects = n;
      } finally {
        for (const s of sessions) s.close();
      }
    };
    await oursFanout();
    await directFanout();
    report(`snmp fan-out ${FANOUT} targets`, 'fanouts/s', await compare(1, oursFanout, directFanout), TARGET, `${FANOUT} net-snmp sessions`);
    console.log(`${''.padEnd(34)} (each target: get + ifTable bulkwalk; ${fanObjects} ifTable objects in all ours, ${directFanObjects} direct; ${snmpd.ports.length} snmpd ports)`);

    // The C tool over the same view, spawn included.
    if (existsSync(SNMPBULKWALK)) {
      const target = `127.0.0.1:${snmpd.port}`;
      const cWalk = ['-v2c', '-c', 'public', `-Cr${REPS}`, '-On', target, ROOT];
      const cGet = ['-v2c', '-c', 'public', '-On', target, `.${OID}`];
      let cLines = 0;
      await timedSpawn(SNMPBULKWALK, cWalk);
      const cTimes = [];
      const getTimes = [];
      const oursTimes = [];
      for (let i = 0; i < C_WALKS; i++) {
        const [secs, lines] = await timedSpawn(SNMPBULKWALK, cWalk);
        cTimes.push(secs);
        cLines = lines;
        getTimes.push((await timedSpawn(SNMPGET, cGet))[0]);
        const start = process.hrtime.bigint();
        await ours.bulkWalk(0, REPS, [[ROOT]]).then(([list]) => (objects = list.length));
        oursTimes.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
      const ms = (v) => `${(median(v) * 1000).toFixed(2)} ms`;
      const cNet = median(cTimes) - median(getTimes);
      console.log(
        `${'snmp bulkwalk view vs C tool'.padEnd(34)} ours ${ms(oursTimes).padStart(9)}/walk   snmpbulkwalk -Cr${REPS} ${ms(cTimes).padStart(9)}/run (spawn included; medians of ${C_WALKS})`,
      );
      console.log(
        `${''.padEnd(34)} (snmpget of one object, i.e. start-up, ${ms(getTimes)}; C walk less start-up ≈ ${(cNet * 1000).toFixed(2)} ms; ${objects} objects ours, ${cLines} lines C)`,
      );
    } else console.log(`snmp bulkwalk vs C tool: skipped (${SNMPBULKWALK} not installed)`);
  } finally {
    ours.finish();
    direct.close();
    await snmpd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
