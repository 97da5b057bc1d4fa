// Dispatch rate: one session yielding to itself N times, beside a bare ring-buffer dispatcher.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { compare, report } from './lib.mjs';

const N = 1_000_000;

async function poets() {
  const kernel = new Kernel();
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => _[KERNEL].yield('tick', 1),
      tick: (_) => {
        if (_[ARG0] < N) _[KERNEL].yield('tick', _[ARG0] + 1);
      },
    },
  });
  await kernel.run();
}

/** The same work without a kernel: a ring-buffer FIFO of records, handlers looked up in a Map. */
function bare() {
  let ring = new Array(1024);
  let mask = 1023;
  let head = 0;
  let tail = 0;
  const push = (name, args) => {
    if (tail - head === ring.length) {
      const next = new Array(ring.length * 2);
      for (let i = 0; i < ring.length; i++) next[i] = ring[(head + i) & mask];
      tail = ring.length;
      head = 0;
      mask = next.length - 1;
      ring = next;
    }
    ring[tail++ & mask] = { name, args };
  };
  const handlers = new Map([['tick', (args) => { if (args[0] < N) push('tick', [args[0] + 1]); }]]);
  push('tick', [1]);
  while (head !== tail) {
    const record = ring[head & mask];
    ring[head++ & mask] = undefined;
    handlers.get(record.name)(record.args);
  }
}

export async function run() {
  return report('yield loop (1M events)', 'ev/s', await compare(N, poets, bare), 0.25, 'bare ring-buffer dispatcher');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
