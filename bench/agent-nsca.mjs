// poets-agent's NSCAClient beside a raw Client::NSCA doing send_nsca's work, in the same run,
// both into one poets-nscad (started and stopped here, loopback only, commands to a temp file):
// checks per second, each answered once its packet was written to the server.
//   - ours: `agent.simple_submit('NSCA', ...)` for every check (the channel, the target's queue,
//     Client::NSCA underneath, packets batched on one connection);
//   - baseline: `sendChecks` (Client::NSCA's Promise helper) with the same checks on one
//     connection, as send_nsca sends its input sets.
// Both shapes: payload length 4096 (4304-byte packets, one connection) and 512 (720-byte packets:
// nsca takes one per connection, so one connection per check, for both).
//   node --expose-gc bench/run.mjs agent-nsca   (BENCH_RUNS alternating runs, medians)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '@poets/kernel';
import { Agent, SettingsStore } from '@poets/agent';
import { sendChecks } from '@poets/server-nsca';
import { compare, report } from './lib.mjs';

const N = Number(process.env.AGENT_NSCA_BENCH ?? 5000);
const N_LEGACY = Math.max(100, Math.floor(N / 10));
export const PASSWORD = 'bench-pw';
const quiet = { log() {} };
const nscadPath = fileURLToPath(new URL('../packages/server-nsca/dist/cli/nscad.js', import.meta.url));

export async function startNscad(dir, method, extraConfig = []) {
  const cfg = join(dir, 'nsca.cfg');
  writeFileSync(cfg, ['server_address=127.0.0.1', 'server_port=0', `password=${PASSWORD}`, `decryption_method=${method}`, `command_file=${join(dir, 'commands')}`, ...extraConfig, ''].join('\n'));
  writeFileSync(join(dir, 'commands'), '');
  const child = spawn(process.execPath, [nscadPath, '-c', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const end = Date.now() + 10_000;
  for (;;) {
    const m = /nscad: listening on 127\.0\.0\.1:(\d+)/.exec(output);
    if (m) return { child, port: Number(m[1]) };
    if (child.exitCode !== null || Date.now() > end) throw new Error(`poets-nscad did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function agentFor(port, payload, n, method) {
  const settings = SettingsStore.fromText(
    `[/modules]\nNSCAClient = enabled\n[/settings/NSCA/client]\nhostname = bench\nmax queue = ${n}\n[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${port}\nencryption = ${method}\npassword = ${PASSWORD}\npayload length = ${payload}\n`,
  );
  const agent = new Agent({ kernel: new Kernel({ logger: quiet }), logger: quiet, settings, metricsInterval: 0 });
  await agent.start();
  return agent;
}

async function shape(port, payload, n, method) {
  const agent = await agentFor(port, payload, n, method);
  let batch = 0;
  const ours = async () => {
    const b = batch++;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => agent.simple_submit('NSCA', 'load', 0, `check ${b}/${i}`, 'time=1ms')));
    if (answers.some(([ok]) => !ok)) throw new Error(`a submission failed: ${answers.find(([ok]) => !ok)[1]}`);
  };
  const baseline = async () => {
    const b = batch++;
    const checks = Array.from({ length: n }, (_, i) => ({ host_name: 'bench', svc_description: 'load', return_code: 0, plugin_output: `check ${b}/${i}|time=1ms` }));
    await sendChecks({ host: '127.0.0.1', port, password: PASSWORD, encryption: method, legacy: payload === 512, timeout: 30 }, checks);
  };
  try {
    report(`NSCAClient submit, ${payload}, method ${method}`, 'chk/s', await compare(n, ours, baseline), undefined, 'raw Client::NSCA (send_nsca)');
  } finally {
    await agent.stop();
  }
}

// XOR (what the nsca suite measures) and 14 (AES through OpenSSL's native CFB8): the module's cost,
// not the cipher's. Method 16 (NSClient++'s default `aes`, mcrypt's 32-byte-block Rijndael) runs in
// JavaScript at about 200 checks/s for both sides: the cipher is then all there is to measure.
export async function run() {
  for (const method of [1, 14]) {
    const dir = mkdtempSync(join(tmpdir(), 'poets-bench-agent-nsca-'));
    const { child, port } = await startNscad(dir, method);
    try {
      await shape(port, 4096, N, method);
      if (method === 1) await shape(port, 512, N_LEGACY, method);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
