// poets-agent with NRPEServer for bench/nrpe.mjs: `node poets-nrpe.mjs PORT SSL(true|false)`.
// check_ok answers in-process; check_spawn runs /bin/echo as a child process, the work nrpe does per query.
import { spawn } from 'node:child_process';
import { Kernel, silentLogger } from '@poets/kernel';
import { Agent, SettingsStore, status } from '@poets/agent';

const [port, ssl] = process.argv.slice(2);
const checks = {
  name: 'BenchChecks',
  load: (plugin) => {
    plugin.registry.simple_function('check_ok', () => [status.OK, 'OK', ''], 'in-process');
    plugin.registry.simple_function('check_spawn', () => new Promise((resolve) => {
      const child = spawn('/bin/echo', ['OK'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', (code) => resolve([code ?? 3, out.trim(), '']));
    }), 'child process');
  },
};
const settings = SettingsStore.fromText(`[/modules]\nBenchChecks = enabled\nNRPEServer = enabled\n[/settings/NRPE/server]\nport = ${port}\nbind to = 127.0.0.1\nuse ssl = ${ssl}\n`, 'bench.ini');
const agent = new Agent({ kernel: new Kernel({ logger: silentLogger }), logger: silentLogger, settings, metricsInterval: 0, modules: [checks] });
await agent.start();
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
