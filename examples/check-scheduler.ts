// A small monitoring scheduler: it runs check commands as child processes every interval, reads
// their exit status through sig_child, prints Nagios states, and shuts down cleanly on INT or TERM
// (or after --rounds). Run: node examples/dist/check-scheduler.js --rounds 3 --interval 1
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Session, poe_kernel, type EventArgs } from '@poets/kernel';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, interval: { type: 'string', default: '1' } },
});
const rounds = Number(values.rounds);
const interval = Number(values.interval);

const checks: Record<string, string> = {
  'disk ok': 'exit 0',
  'load warning': 'sleep 0.2; exit 1',
  'web critical': 'exit 2',
};
const STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

interface Heap {
  round: number;
  running: Map<number, { name: string; started: number }>;
}
type Ev = EventArgs<Heap>;

Session.create<Heap>({
  heap: { round: 0, running: new Map() },
  inline_states: {
    _start: (_: Ev) => {
      _[KERNEL].alias_set('scheduler');
      _[KERNEL].sig('INT', 'shutdown');
      _[KERNEL].sig('TERM', 'shutdown');
      _[KERNEL].yield('round');
    },
    round: (_: Ev) => {
      const heap = _[HEAP];
      heap.round++;
      console.log(`-- round ${heap.round} of ${rounds}`);
      for (const [name, command] of Object.entries(checks)) {
        const child = spawn('sh', ['-c', command], { stdio: 'ignore' });
        _[KERNEL].watchChildProcess(child);
        _[KERNEL].sig_child(child.pid!, 'check_done');
        heap.running.set(child.pid!, { name, started: Date.now() });
      }
      if (heap.round < rounds) _[KERNEL].delay('round', interval);
      else _[KERNEL].alias_remove('scheduler');
    },
    check_done: (_: Ev) => {
      const pid = _[ARG1] as number;
      const status = _[ARG2] as number;
      const check = _[HEAP].running.get(pid);
      _[HEAP].running.delete(pid);
      const code = status >> 8;
      console.log(`${check?.name ?? pid}: ${STATES[code] ?? 'UNKNOWN'} (exit ${code}, ${Date.now() - (check?.started ?? Date.now())} ms)`);
    },
    shutdown: (_: Ev) => {
      console.log(`caught SIG${String(_[ARG0])}: no new rounds; waiting for ${_[HEAP].running.size} running check(s)`);
      _[KERNEL].delay('round');
      _[KERNEL].alias_remove('scheduler');
      _[KERNEL].sig_handled();
    },
    _stop: (_: Ev) => console.log(`scheduler stopped after ${_[HEAP].round} round(s)`),
  },
});

await poe_kernel.run();
