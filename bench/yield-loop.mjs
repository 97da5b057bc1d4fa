// Dispatch rate: one session yielding to itself N times, beside a bare ring-buffer dispatcher.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { BareDispatcher } from './bare-dispatcher.mjs';
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

function bare() {
  const d = new BareDispatcher();
  d.sessions.set('self', new Map([['tick', (args) => { if (args[0] < N) d.post('self', 'tick', [args[0] + 1]); }]]));
  d.post('self', 'tick', [1]);
  d.run();
}

export async function run() {
  return report('yield loop (1M events)', 'ev/s', await compare(N, poets, bare), 0.25, 'bare ring-buffer dispatcher');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
