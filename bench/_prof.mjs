import { spawn } from 'node:child_process';
import { Kernel, Session } from '@poets/kernel';
import { IKC } from '@poets/ikc';
const url = process.argv[2];
const child = spawn('node', ['--cpu-prof', '--cpu-prof-dir=/tmp/ikcsmoke/prof', 'bench/servers/ikc-peer.mjs', 'ikc', url, '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
await new Promise((r) => child.stdout.on('data', (c) => { out += c; if (out.includes('ready')) r(); }));
const kernel = new Kernel({ logger: { log() {} } });
const ikc = IKC.spawn({ name: 'S', servers: url, kernel, logger: { log() {} } });
Session.create({ kernel, inline_states: { _start: (_) => void _[2].alias_set('keep') } });
void kernel.run();
await ikc.ready;
while (!ikc.kernels().includes('R')) await new Promise((r) => setTimeout(r, 10));
const PAYLOAD = { host_name: 'web1', svc_description: 'HTTP', return_code: 0, plugin_output: 'OK - 12 ms response time' };
for (let round = 1; round <= 3; round++) {
  const t = performance.now();
  for (let n = 0; n < 100000; n++) ikc.post({ kernel: 'R', session: 'sink', state: 'take' }, PAYLOAD);
  const sent = performance.now() - t;
  await new Promise((r) => { const check = () => (out.includes(`${round * 100000}\n`) ? r() : setTimeout(check, 5)); check(); });
  console.log(`round ${round}: sent in ${sent.toFixed(0)} ms, received after ${(performance.now() - t).toFixed(0)} ms`);
}
child.kill('SIGTERM');
await ikc.shutdown();
process.exit(0);
