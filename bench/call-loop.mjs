// Synchronous call() to another session by alias, beside a Map lookup and a function call.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { compare, report } from './lib.mjs';

const N = 1_000_000;
let sink = 0;

async function poets() {
  const kernel = new Kernel();
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => void _[KERNEL].alias_set('adder'),
      add: (_) => _[ARG0] + 1,
    },
  });
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        const k = _[KERNEL];
        for (let i = 0; i < N; i++) sink += k.call('adder', 'add', i);
      },
    },
  });
  kernel.stop();
}

function bare() {
  const sessions = new Map([['adder', new Map([['add', (args) => args[0] + 1]])]]);
  for (let i = 0; i < N; i++) sink += sessions.get('adder').get('add')([i]);
}

export async function run() {
  return report('call loop (1M calls)', 'calls/s', await compare(N, poets, bare), 0.25, 'Map lookup + function call');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
