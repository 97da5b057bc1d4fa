// Conformance: t/90_regression/rt56417-wheel-run.t — a Program that cannot be executed is no
// exception: the child exits with a non-zero status, a real one with zero, and both sessions end.
import { expect, it } from 'vitest';
import { ARG0, ARG2, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { Run } from '@poets/kernel';
import { runBounded } from './helpers.js';
import { reapChildrenAfterEach } from '../support/index.js';

// Every child a test starts is killed after it, whatever happened.
const pids = reapChildrenAfterEach();

it('reports exit status 0 for a real program and a non-zero one for a made-up path; both sessions stop', async () => {
  const kernel = new Kernel();
  const statuses = new Map<string, number>();
  const stopped: string[] = [];
  type Heap = { wheel?: Run; type: string };
  for (const type of ['real', 'fake']) {
    Session.create<Heap>({
      kernel,
      args: [type],
      heap: { type: '' },
      inline_states: {
        _start: (_: EventArgs<Heap>) => {
          _[HEAP].type = String(_[ARG0]);
          const program = type === 'fake' ? '/COMPLETELY/MADE/UP/PATH/TO/NODE' : process.execPath;
          const wheel = new Run({
            Program: [program, '-e', '1'],
            StdoutEvent: 'stdout',
            StderrEvent: 'stderr',
            ErrorEvent: 'error',
            CloseEvent: 'closed',
          });
          _[HEAP].wheel = wheel;
          pids.push(wheel.PID());
          _[KERNEL].sig_child(wheel.PID(), 'child');
          _[KERNEL].delay('timeout', 5);
        },
        stdout: () => {},
        stderr: () => {},
        error: () => {},
        closed: (_: EventArgs<Heap>) => {
          _[HEAP].wheel!.destroy();
          delete _[HEAP].wheel;
        },
        child: (_: EventArgs<Heap>) => {
          statuses.set(_[HEAP].type, _[ARG2] as number);
          _[KERNEL].sig_handled();
          _[KERNEL].delay('timeout');
        },
        timeout: () => {
          throw new Error('the child was never reaped');
        },
        _stop: (_: EventArgs<Heap>) => void stopped.push(_[HEAP].type),
      },
    });
  }
  await runBounded(kernel, 5000);
  expect(statuses.get('real')).toBe(0);
  expect(statuses.get('fake')).toBeGreaterThan(0);
  expect(stopped.sort()).toEqual(['fake', 'real']);
});
