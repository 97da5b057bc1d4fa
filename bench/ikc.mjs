// @poets/ikc beside the raw NATS client doing the same work, in the same run, through one local
// nats-server (started and stopped here, loopback only). Each figure has its far side in a second
// process (bench/servers/ikc-peer.mjs):
//   - remote post: posts/s from one kernel to another, beside raw publish + subscribe of the same
//     JSON payloads (target ≥ 70%);
//   - durable post: posts/s through JetStream, acknowledged after the handler, beside raw
//     JetStream publish (same window of 256 unacknowledged) + consume with ack (target ≥ 70%);
//   - remote call: p50/p99 round trip beside raw request/reply (target ≤ 1.3×);
//   - fan-out: one post to `*` reaching 20 kernels (20 connections), deliveries/s beside a raw
//     publish reaching 20 subscribers' connections.
//   node --expose-gc bench/run.mjs ikc        (BENCH_RUNS alternating runs, medians)
//   IKC_BENCH_ONLY=posts,calls node bench/ikc.mjs   (some figures only; IKC_BENCH_POSTS etc. set the sizes)
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kernel, Session } from '@poets/kernel';
import { IKC } from '@poets/ikc';
import { RUNS, fmt, median, report } from './lib.mjs';
import { NATS, startNats } from './nats.mjs';

const peerScript = fileURLToPath(new URL('./servers/ikc-peer.mjs', import.meta.url));
const PAYLOAD = { host_name: 'web1', svc_description: 'HTTP', return_code: 0, plugin_output: 'OK - 12 ms response time' };
const POSTS = Number(process.env.IKC_BENCH_POSTS ?? 100_000);
const DURABLE = Number(process.env.IKC_BENCH_DURABLE ?? 10_000);
const CALLS = Number(process.env.IKC_BENCH_CALLS ?? 2000);
const FANOUT_KERNELS = 20;
const FANOUT_POSTS = Number(process.env.IKC_BENCH_FANOUT ?? 5000);
const quiet = { log() {} };


/** A peer process; `waitFor(n)` resolves when its running count reaches n. */
async function peer(mode, url, batch, kernels = 0) {
  const child = spawn('node', [peerScript, mode, url, String(batch), String(kernels)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let count = 0;
  let waiter;
  let buffered = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`peer ${mode} exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'ready') resolve();
        else {
          count = Number(line);
          if (waiter && count >= waiter.n) waiter.resolve();
        }
      }
    });
  });
  await ready;
  return {
    waitFor(n, what) {
      if (count >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: ${count} of ${n} arrived in 120 s`)), 120_000);
        waiter = { n, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

async function sender(url, options = {}) {
  const kernel = new Kernel({ logger: quiet });
  const ikc = IKC.spawn({ name: 'S', servers: url, kernel, logger: quiet, ...options });
  Session.create({ kernel, inline_states: { _start: (_) => void _[2].alias_set('keep') } });
  void kernel.run();
  await ikc.ready;
  return ikc;
}

async function until(condition) {
  const end = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > end) throw new Error('peer not seen');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Alternates baseline and ours RUNS times; medians of units/s. */
async function alternate(units, ours, baseline) {
  const o = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await baseline(i);
    b.push(units / ((performance.now() - t) / 1000));
    t = performance.now();
    await ours(i);
    o.push(units / ((performance.now() - t) / 1000));
  }
  return { ours: median(o), baseline: median(b) };
}

async function posts(url) {
  const ikcPeer = await peer('ikc', url, POSTS);
  const rawPeer = await peer('raw', url, POSTS);
  const ikc = await sender(url);
  await until(() => ikc.kernels().includes('R'));
  const raw = await connect({ servers: url });
  const target = { kernel: 'R', session: 'sink', state: 'take' };
  const result = await alternate(
    POSTS,
    async (i) => {
      for (let n = 0; n < POSTS; n++) ikc.post(target, PAYLOAD);
      await ikcPeer.waitFor((i + 1) * POSTS, 'ikc posts');
    },
    async (i) => {
      for (let n = 0; n < POSTS; n++) raw.publish('raw.bench', JSON.stringify(PAYLOAD));
      await rawPeer.waitFor((i + 1) * POSTS, 'raw posts');
    },
  );
  report('ikc remote post (2 processes)', 'posts/s', result, 0.7, 'raw NATS pub/sub');
  await ikc.shutdown();
  await raw.close();
  ikcPeer.stop();
  rawPeer.stop();
}

async function durable(url) {
  const ikcPeer = await peer('ikc-durable', url, DURABLE);
  const rawPeer = await peer('raw-js', url, DURABLE);
  const ikc = await sender(url, { durable: { stream: 'BENCH_IKC' } });
  const raw = await connect({ servers: url });
  const js = jetstream(raw);
  const target = { kernel: 'R', session: 'sink', state: 'take', durable: true };
  let seq = 0;
  const result = await alternate(
    DURABLE,
    async (i) => {
      for (let n = 0; n < DURABLE; n++) ikc.post(target, PAYLOAD);
      await ikcPeer.waitFor((i + 1) * DURABLE, 'ikc durable posts');
    },
    async (i) => {
      // the same bounded window of unacknowledged publishes as IKC's
      let next = 0;
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (next < DURABLE) {
            next++;
            await js.publish('rawjs.bench', JSON.stringify(PAYLOAD), { msgID: `r${++seq}` });
          }
        }),
      );
      await rawPeer.waitFor((i + 1) * DURABLE, 'raw JetStream');
    },
  );
  report('ikc durable post (JetStream)', 'posts/s', result, 0.7, 'raw JetStream pub+consume+ack');
  await ikc.shutdown();
  await raw.close();
  ikcPeer.stop();
  rawPeer.stop();
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function calls(url) {
  const ikcPeer = await peer('ikc', url, 1e12);
  const rawPeer = await peer('raw-reply', url, 1e12);
  const ikc = await sender(url);
  await until(() => ikc.kernels().includes('R'));
  const raw = await connect({ servers: url });
  const p50 = { ours: [], baseline: [] };
  const p99 = { ours: [], baseline: [] };
  for (let run = 0; run < RUNS; run++) {
    // one call of each side in turn (which goes first alternating), so that both meet the same
    // moments of the machine: a GC or a busy neighbour lands on both tails alike
    const base = [];
    const ours = [];
    const rawCall = async () => {
      const t = performance.now();
      const reply = await raw.request('raw.bench', JSON.stringify(PAYLOAD), { timeout: 5000 });
      JSON.parse(reply.string());
      base.push(performance.now() - t);
    };
    const ikcCall = async () => {
      const t = performance.now();
      await ikc.request('poe://R/sink/echo', PAYLOAD);
      ours.push(performance.now() - t);
    };
    for (let n = 0; n < CALLS; n++) {
      if (n % 2 === 0) {
        await rawCall();
        await ikcCall();
      } else {
        await ikcCall();
        await rawCall();
      }
    }
    base.sort((a, b) => a - b);
    ours.sort((a, b) => a - b);
    p50.baseline.push(percentile(base, 0.5));
    p50.ours.push(percentile(ours, 0.5));
    p99.baseline.push(percentile(base, 0.99));
    p99.ours.push(percentile(ours, 0.99));
  }
  for (const [name, p] of [
    ['p50', p50],
    ['p99', p99],
  ]) {
    const ours = median(p.ours);
    const baseline = median(p.baseline);
    const ratio = ours / baseline;
    console.log(
      `${`ikc remote call ${name}`.padEnd(34)} ${`${(ours * 1000).toFixed(0)} µs`.padStart(8)}           ${'raw NATS request/reply'.padEnd(28)} ${`${(baseline * 1000).toFixed(0)} µs`.padStart(8)}           ratio ${ratio.toFixed(2)}×${ratio <= 1.3 ? '  ok (target ≤ 1.3×)' : '  ABOVE target ≤ 1.3×'}`,
    );
  }
  await ikc.shutdown();
  await raw.close();
  ikcPeer.stop();
  rawPeer.stop();
}

async function fanout(url) {
  const deliveries = FANOUT_POSTS * FANOUT_KERNELS;
  const ikcPeer = await peer('ikc-fanout', url, deliveries, FANOUT_KERNELS);
  const rawPeer = await peer('raw-fanout', url, deliveries, FANOUT_KERNELS);
  const ikc = await sender(url);
  await until(() => ikc.kernels().length >= FANOUT_KERNELS);
  const raw = await connect({ servers: url });
  const result = await alternate(
    deliveries,
    async (i) => {
      for (let n = 0; n < FANOUT_POSTS; n++) ikc.post('poe://*/sink/take', PAYLOAD);
      await ikcPeer.waitFor((i + 1) * deliveries, 'ikc fan-out');
    },
    async (i) => {
      for (let n = 0; n < FANOUT_POSTS; n++) raw.publish('raw.fanout', JSON.stringify(PAYLOAD));
      await rawPeer.waitFor((i + 1) * deliveries, 'raw fan-out');
    },
  );
  report(`ikc post to * (${FANOUT_KERNELS} kernels)`, 'deliv/s', result, undefined, `raw publish, ${FANOUT_KERNELS} subscribers`);
  await ikc.shutdown();
  await raw.close();
  ikcPeer.stop();
  rawPeer.stop();
}

export async function run() {
  if (NATS === undefined) {
    if (process.env.CI) throw new Error('ikc bench: nats-server is not installed');
    console.log('ikc: skipped (nats-server is not installed)');
    return;
  }
  if (spawnSync(NATS, ['--version']).status !== 0) throw new Error('ikc bench: nats-server does not run');
  const nats = await startNats();
  const only = (process.env.IKC_BENCH_ONLY ?? 'posts,durable,calls,fanout').split(',');
  try {
    if (only.includes('posts')) await posts(nats.url);
    if (only.includes('durable')) await durable(nats.url);
    if (only.includes('calls')) await calls(nats.url);
    if (only.includes('fanout')) await fanout(nats.url);
  } finally {
    await nats.stop();
  }
}

void fmt;
if (import.meta.url === `file://${process.argv[1]}`) await run();
