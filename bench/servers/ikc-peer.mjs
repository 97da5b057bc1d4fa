// The far side of bench/ikc.mjs, in its own process: an IKC kernel (or the raw NATS client doing
// the same work) that counts what arrives and prints the running count each time it reaches a
// multiple of the batch size, or answers calls.
//   node bench/servers/ikc-peer.mjs MODE NATS_URL BATCH [KERNELS]
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { IKC } from '@poets/ikc';

const [mode, servers, batchText, kernelsText] = process.argv.slice(2);
const batch = Number(batchText);
let count = 0;
const tick = () => {
  if (++count % batch === 0) process.stdout.write(`${count}\n`);
};
const quiet = { log() {} };

async function ikcKernel(name, options = {}) {
  const kernel = new Kernel({ logger: quiet });
  const ikc = IKC.spawn({ name, servers, kernel, logger: quiet, ...options });
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        _[KERNEL].alias_set('sink');
        ikc.publish('sink', ['take', 'echo']);
      },
      take: () => tick(),
      echo: (_) => _[ARG0],
    },
  });
  void kernel.run();
  await ikc.ready;
  return ikc;
}

if (mode === 'ikc') await ikcKernel('R');
else if (mode === 'ikc-durable') await ikcKernel('R', { durable: { stream: 'BENCH_IKC' } });
else if (mode === 'ikc-fanout') {
  for (let i = 0; i < Number(kernelsText); i++) await ikcKernel(`F${i}`);
} else if (mode === 'raw' || mode === 'raw-reply') {
  const nc = await connect({ servers });
  nc.subscribe('raw.bench', {
    callback: (_e, m) => {
      const value = JSON.parse(m.string());
      if (m.reply) m.respond(JSON.stringify(value));
      else tick();
    },
  });
  await nc.flush();
} else if (mode === 'raw-fanout') {
  for (let i = 0; i < Number(kernelsText); i++) {
    const nc = await connect({ servers });
    nc.subscribe('raw.fanout', { callback: (_e, m) => void (JSON.parse(m.string()), tick()) });
    await nc.flush();
  }
} else if (mode === 'raw-js') {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'BENCH_RAW', subjects: ['rawjs.>'], retention: 'workqueue', duplicate_window: 120e9 }).catch(() => undefined);
  await jsm.consumers.add('BENCH_RAW', { durable_name: 'raw', ack_policy: AckPolicy.Explicit, filter_subject: 'rawjs.bench', max_ack_pending: 1000 });
  const consumer = await jetstream(nc).consumers.get('BENCH_RAW', 'raw');
  const messages = await consumer.consume({ max_messages: 256 });
  void (async () => {
    for await (const m of messages) {
      JSON.parse(m.string());
      m.ack();
      tick();
    }
  })();
} else throw new Error(`unknown mode ${mode}`);
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
