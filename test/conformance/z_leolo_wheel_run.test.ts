// Conformance: poe-test-loops z_leolo_wheel_run — a child that writes, pauses, then writes a long
// line and a last one: its last line, its close and its exit each come exactly once.
import { expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { Run } from '@poets/kernel';
import { runBounded } from './helpers.js';
import { reapChildrenAfterEach } from '../support/index.js';

// Every child a test starts is killed after it, whatever happened.
const pids = reapChildrenAfterEach();

it('pipe conduit: done, close and CHLD each seen once', async () => {
  type Heap = { wheel?: Run; seen: Record<string, number>; timer?: number; stderr: unknown[] };
  let final: Heap | undefined;
  const kernel = new Kernel();
  const seen = (_: EventArgs<Heap>, what: string) => {
    const heap = _[HEAP];
    heap.seen[what] = (heap.seen[what] ?? 0) + 1;
    if (Object.keys(heap.seen).length === 3) {
      heap.wheel?.destroy();
      delete heap.wheel;
      if (heap.timer !== undefined) _[KERNEL].alarm_remove(heap.timer);
      delete heap.timer;
    }
  };
  Session.create<Heap>({
    kernel,
    heap: { seen: {}, stderr: [] },
    inline_states: {
      _start: (_: EventArgs<Heap>) => {
        const wheel = new Run({
          StderrEvent: 'stderr',
          StdoutEvent: 'stdout',
          CloseEvent: 'closeE',
          Conduit: 'pipe',
          Program: () => {
            console.log('hello');
            setTimeout(() => {
              console.log('hello world'.repeat(1024));
              console.log('done');
            }, 100);
          },
        });
        _[HEAP].wheel = wheel;
        pids.push(wheel.PID());
        _[KERNEL].sig_child(wheel.PID(), 'CHLD');
        _[HEAP].timer = _[KERNEL].delay_set('timeout', 5);
      },
      timeout: (_: EventArgs<Heap>) => {
        _[HEAP].wheel?.destroy();
        delete _[HEAP].wheel;
        delete _[HEAP].timer;
      },
      closeE: (_: EventArgs<Heap>) => seen(_, 'close'),
      CHLD: (_: EventArgs<Heap>) => {
        seen(_, 'CHLD');
        _[KERNEL].sig_handled();
      },
      stdout: (_: EventArgs<Heap>) => {
        if (_[ARG0] === 'done') seen(_, 'done');
      },
      stderr: (_: EventArgs<Heap>) => {
        _[HEAP].stderr.push(_[ARG0]);
        seen(_, 'error');
      },
      _stop: (_: EventArgs<Heap>) => void (final = _[HEAP]),
    },
  });
  await runBounded(kernel, 5000);
  expect(final!.stderr).toEqual([]);
  expect(final!.seen).toEqual({ done: 1, close: 1, CHLD: 1 });
});
