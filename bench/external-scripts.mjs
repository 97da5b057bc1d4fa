// CheckExternalScripts: check_dummy runs per second through the agent (query → Wheel::Run child →
// exit status and output parsed), beside a bare child_process.spawn loop running the same
// plugin with the same number in flight, in the same run.
//   node --expose-gc bench/run.mjs external-scripts   (BENCH_RUNS alternating runs, medians)
// EXTERNAL_SCRIPTS_BENCH (runs per measurement, default 300), EXTERNAL_SCRIPTS_CONCURRENCY (default 4).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Kernel } from '@poets/kernel';
import { Agent, SettingsStore } from '@poets/agent';
import { compare, report } from './lib.mjs';

const PLUGIN = '/usr/lib/nagios/plugins/check_dummy';
const N = Number(process.env.EXTERNAL_SCRIPTS_BENCH ?? 300);
const K = Number(process.env.EXTERNAL_SCRIPTS_CONCURRENCY ?? 4);
const quiet = { log() {} };

async function inFlight(n, k, one) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: k }, worker));
}

function bareRun() {
  return new Promise((resolve, reject) => {
    const child = spawn(PLUGIN, ['0', 'bench'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out.startsWith('OK') ? resolve() : reject(new Error(`check_dummy: ${code} ${out}`))));
  });
}

export async function run() {
  if (!existsSync(PLUGIN)) {
    console.log('external-scripts: skipped (monitoring-plugins-basic is not installed)');
    return;
  }
  const settings = SettingsStore.fromText(`[/modules]\nCheckExternalScripts = enabled\n[/settings/external scripts]\nallow arguments = true\n[/settings/external scripts/scripts]\ndummy = ${PLUGIN} $ARG1$ $ARG2$\n`);
  const agent = new Agent({ kernel: new Kernel({ logger: quiet }), logger: quiet, settings, metricsInterval: 0 });
  await agent.start();
  const ours = () =>
    inFlight(N, K, async () => {
      const [code, message] = await agent.simple_query('dummy', ['0', 'bench']);
      if (code !== 0 || message !== 'OK: bench') throw new Error(`dummy: ${code} ${message}`);
    });
  const baseline = () => inFlight(N, K, bareRun);
  try {
    report(`check_dummy via CheckExt.. (${K} fl.)`, 'runs/s', await compare(N, ours, baseline), undefined, `bare child_process.spawn`);
  } finally {
    await agent.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
