// Two sessions posting to each other by alias, beside the bare dispatcher doing the same.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { BareDispatcher } from './bare-dispatcher.mjs';
import { compare, report } from './lib.mjs';

const N = 1_000_000;

async function poets() {
  const kernel = new Kernel();
  const player = (me, other, serve) =>
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set(me);
          if (serve) _[KERNEL].yield('serve');
        },
        serve: (_) => _[KERNEL].post(other, 'ball', 1),
        ball: (_) => {
          if (_[ARG0] < N) _[KERNEL].post(other, 'ball', _[ARG0] + 1);
          else {
            _[KERNEL].post(other, 'quit');
            _[KERNEL].alias_remove(me);
          }
        },
        quit: (_) => void _[KERNEL].alias_remove(me),
      },
    });
  player('ping', 'pong', false);
  player('pong', 'ping', true);
  await kernel.run();
}

function bare() {
  const d = new BareDispatcher();
  const player = (other) => new Map([['ball', (args) => { if (args[0] < N) d.post(other, 'ball', [args[0] + 1]); }]]);
  d.sessions.set('ping', player('pong'));
  d.sessions.set('pong', player('ping'));
  d.post('ping', 'ball', [1]);
  d.run();
}

export async function run() {
  return report('post ping-pong by alias (1M)', 'ev/s', await compare(N, poets, bare), 0.25, 'bare ring-buffer dispatcher');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
