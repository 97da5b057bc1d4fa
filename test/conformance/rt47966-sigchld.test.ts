// Conformance: t/90_regression/rt47966-sigchld.t — many Run children waiting on their stdin are
// told to quit at once; a CHLD watcher sees every one of them exit, and nothing else is heard.
import { expect, it } from 'vitest';
import { ARG1, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { Run } from '@poets/kernel';
import { runBounded } from './helpers.js';
import { reapChildrenAfterEach } from '../support/index.js';

const N = 10; // POE: 60, and only under RELEASE_TESTING

// Every child a test starts is killed after it, whatever happened.
const pids = reapChildrenAfterEach();

it('detects the exit of every child with sig(CHLD)', async () => {
  type Heap = { byPid: Map<number, Run>; exited: number[]; unexpected: string[]; timer?: number; allGone: boolean };
  let final: Heap | undefined;
  const kernel = new Kernel();
  Session.create<Heap>({
    kernel,
    heap: { byPid: new Map(), exited: [], unexpected: [], allGone: false },
    inline_states: {
      _start: (_: EventArgs<Heap>) => {
        _[KERNEL].sig('CHLD', 'sig_CHLD');
        for (let n = 0; n < N; n++) {
          const wheel = new Run({
            Program: () => {
              process.stdin.once('data', () => process.exit(0));
            },
            StdoutEvent: 'chld_stdout',
            StderrEvent: 'chld_stderr',
          });
          pids.push(wheel.PID());
          _[HEAP].byPid.set(wheel.PID(), wheel);
        }
        _[KERNEL].delay('say_goodbye', 0.2);
      },
      chld_stdout: (_: EventArgs<Heap>) => void _[HEAP].unexpected.push(`stdout from ${String(_[ARG1])}`),
      chld_stderr: (_: EventArgs<Heap>) => void _[HEAP].unexpected.push(`stderr from ${String(_[ARG1])}`),
      say_goodbye: (_: EventArgs<Heap>) => {
        for (const wheel of _[HEAP].byPid.values()) wheel.put('die');
        _[HEAP].timer = _[KERNEL].delay_set('timeout', 5);
      },
      timeout: (_: EventArgs<Heap>) => {
        _[HEAP].unexpected.push('timed out waiting for the children');
        _[KERNEL].stop();
      },
      sig_CHLD: (_: EventArgs<Heap>) => {
        const pid = _[ARG1] as number;
        const wheel = _[HEAP].byPid.get(pid);
        if (wheel === undefined) {
          _[HEAP].unexpected.push(`CHLD for unknown PID ${pid}`);
          return;
        }
        _[HEAP].byPid.delete(pid);
        wheel.destroy();
        _[HEAP].exited.push(pid);
        if (_[HEAP].byPid.size === 0) {
          _[HEAP].allGone = true;
          _[KERNEL].alarm_remove(_[HEAP].timer!);
          _[KERNEL].sig('CHLD');
        }
      },
      _stop: (_: EventArgs<Heap>) => void (final = _[HEAP]),
    },
  });
  await runBounded(kernel, 8000);
  expect(final!.unexpected).toEqual([]);
  expect(final!.exited).toHaveLength(N);
  expect(new Set(final!.exited).size).toBe(N);
  expect(final!.allGone).toBe(true);
});
