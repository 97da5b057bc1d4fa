// poets-agent's NATSClient beside the raw client doing the same work, in the same run, through one
// local nats-server (started and stopped here, loopback only): results stored in JetStream per
// second, each submission answered only once JetStream acknowledged it.
//   - ours: `agent.simple_submit('NATS', ...)` for every result (the channel, the module's queue,
//     64 publishes in flight at most, msgIDs);
//   - baseline: `publishCheckResult` of the same check results straight on a NATS connection,
//     with the same window of 64 in flight.
//   node --expose-gc bench/run.mjs agent-nats   (BENCH_RUNS alternating runs, medians)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Kernel } from '@poets/kernel';
import { Agent, SettingsStore } from '@poets/agent';
import { ensureCheckStream, publishCheckResult } from '@poets/ikc';
import { compare, freePort, report } from './lib.mjs';

const NATS = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
const N = Number(process.env.AGENT_NATS_BENCH ?? 5000);
const WINDOW = 64;
const quiet = { log() {} };

async function startNats() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'poets-bench-nats-'));
  const child = spawn(NATS, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 15_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (/Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function run() {
  if (NATS === undefined) {
    console.log('agent-nats: skipped (nats-server is not installed)');
    return;
  }
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  await ensureCheckStream(nc, { stream: 'BENCH_RAW', subject: 'bench.raw' });
  const settings = SettingsStore.fromText(`[/modules]\nNATSClient = enabled\n[/settings/NATS/client]\nservers = ${nats.url}\nhostname = bench\nstream = BENCH_AGENT\nsubject = bench.agent\nmax queue = ${N}\n`);
  const agent = new Agent({ kernel: new Kernel({ logger: quiet }), logger: quiet, settings, metricsInterval: 0 });
  await agent.start();
  await agent.findPlugin('NATS').instance.connected;
  let batch = 0;
  const ours = async () => {
    const b = batch++;
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => agent.simple_submit('NATS', 'load', 0, `check ${b}/${i}`, 'time=1ms')));
    if (answers.some(([ok]) => !ok)) throw new Error('a submission failed');
  };
  const baseline = async () => {
    const b = batch++;
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        await publishCheckResult(nc, { host_name: 'bench', svc_description: 'load', return_code: 0, plugin_output: `check ${b}/${i}|time=1ms` }, { stream: 'BENCH_RAW', subject: 'bench.raw', msgID: `raw-${b}-${i}` });
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  };
  try {
    report('NATSClient simple_submit, stored', 'res/s', await compare(N, ours, baseline), undefined, 'raw publishCheckResult, 64 fl.');
  } finally {
    await agent.stop();
    await nc.close();
    await nats.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
