// Conformance: POE t/90_regression/leolo-alarm-adjust.t (alarm_adjust and delay_adjust move a
// timer earlier). POE sets 10 s timers and adjusts them to ~1 s; here 1 s timers adjusted to ~0.1 s.
import { describe, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, STATE, Session, time } from '@poets/kernel';
import { runBounded } from './helpers.js';

interface Heap {
  started: number;
  alarm: number;
  delay: number;
}

describe('leolo-alarm-adjust', () => {
  it('alarm_adjust and delay_adjust bring timers forward, and the events come in the expected sequence', async () => {
    const kernel = new Kernel();
    const sequence: string[] = [];
    const took: Record<string, number> = {};
    // POE::Test::Sequence's generic session: _start and _default only, so _stop goes to _default too.
    Session.create<Heap>({
      kernel,
      heap: { started: 0, alarm: 0, delay: 0 },
      inline_states: {
        _start: (_) => {
          sequence.push(_[STATE]);
          const heap = _[HEAP];
          const now = (heap.started = time());
          heap.alarm = _[KERNEL].alarm_set('the_alarm', now + 1)!;
          heap.delay = _[KERNEL].delay_set('the_delay', 1)!;
          // Due halfway: the adjusted timers must ring before it, unadjusted ones would ring after
          // (ordering by due time, not wall-clock).
          _[KERNEL].delay_set('midway', 0.5);
          _[KERNEL].yield('adjust_them');
        },
        _default: (_) => {
          const event = _[ARG0] as string;
          sequence.push(event);
          const heap = _[HEAP];
          if (event === 'adjust_them') {
            _[KERNEL].delay_adjust(heap.delay, 0.1);
            _[KERNEL].alarm_adjust(heap.alarm, -0.9);
          } else if (event === 'the_alarm' || event === 'the_delay') {
            took[event] = time() - heap.started;
          }
        },
      },
    });
    await runBounded(kernel);
    expect(sequence).toEqual(['_start', 'adjust_them', 'the_alarm', 'the_delay', 'midway', '_stop']);
    // Timers never ring early: brought forward to ~0.1 s, not to now.
    expect(took.the_alarm).toBeGreaterThanOrEqual(0.09);
    expect(took.the_delay).toBeGreaterThanOrEqual(0.09);
  });
});
