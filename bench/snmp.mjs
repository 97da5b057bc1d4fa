// SNMPSession (POE::Component::SNMP::Session on net-snmp) beside the same work done with the npm
// `net-snmp` engine directly (the baseline), in the same run, against the same real snmpd
// (Debian /usr/sbin/snmpd on 127.0.0.1, a free port, a temp config: the interop helper's).
// Figures: v2c gets/s with 1 request outstanding and with 50 outstanding, and whole-tree
// bulkwalks (walks/s, maxRepetitions 20; objects per walk printed). Target: ratio ≥ 85%.
//
//   BENCH_RUNS=3 node bench/snmp.mjs      (medians of BENCH_RUNS alternating runs)
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, report } from './lib.mjs';

const SNMPD = '/usr/sbin/snmpd';
const SNMPGET = '/usr/bin/snmpget';
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

async function startSnmpd() {
  const dir = mkdtempSync(join(tmpdir(), 'poets-snmpd-bench-'));
  const port = await freeUdpPort();
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
  const child = spawn(SNMPD, ['-f', '-Lf', join(dir, 'log'), '-C', '-c', conf, '-p', join(dir, 'pid'), `udp:127.0.0.1:${port}`], {
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
  return { port, stop };
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
  const snmpd = await startSnmpd();
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
    report(`snmp v2c bulkwalk whole tree (view)`, 'walks/s', await compare(WALKS, () => drive(WALKS, 1, oursWalk), () => drive(WALKS, 1, directWalk)), TARGET, 'net-snmp session.walk');
    console.log(`${''.padEnd(34)} (${objects} objects per walk ours, ${directObjects} direct; maxRepetitions ${REPS})`);
  } finally {
    ours.finish();
    direct.close();
    await snmpd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
