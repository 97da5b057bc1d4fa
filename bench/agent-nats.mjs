// poets-agent's NATSClient beside the raw client doing the same work, in the same run, through one
// local nats-server (started and stopped here, loopback only): results stored in JetStream per
// second, each submission answered only once JetStream acknowledged it.
//   - ours: `agent.simple_submit('NATS', ...)` for every result (the channel, the module's queue,
//     64 publishes in flight at most, msgIDs);
//   - baseline: `publishCheckResult` of the same check results straight on a NATS connection,
//     with the same window of 64 in flight.
//   node --expose-gc bench/run.mjs agent-nats   (BENCH_RUNS alternating runs, medians)
import { connect } from '@nats-io/transport-node';
import { Kernel } from '@poets/kernel';
import { Agent, SettingsStore } from '@poets/agent';
import { ensureCheckStream, publishCheckResult } from '@poets/ikc';
import { compare, report } from './lib.mjs';
import { NATS, startNats } from './nats.mjs';

const N = Number(process.env.AGENT_NATS_BENCH ?? 5000);
const WINDOW = 64;
const quiet = { log() {} };


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
