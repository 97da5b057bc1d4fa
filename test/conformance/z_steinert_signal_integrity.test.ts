// Conformance: POE::Test::Loops z_steinert_signal_integrity (a signal dispatched to nested
// watchers gives each of them the signal's own arguments).
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, KERNEL, Kernel, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('z_steinert_signal_integrity', () => {
  it('a signal posted to the kernel before run() reaches both nested watchers with ARG0 the name and ARG1 its argument', async () => {
    const kernel = new Kernel();
    const received: unknown[][] = [];
    let sessionCount = 0;
    const startSession = (): void => {
      sessionCount++;
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => {
            if (sessionCount < 2) startSession();
            _[KERNEL].sig('MOO', 'got_signal');
            _[KERNEL].delay('timed_out', 0.5);
          },
          got_signal: (_) => {
            received.push([_[ARG0], _[ARG1]]);
            // Wait a little, in case of a spurious second signal.
            _[KERNEL].delay('timed_out', 0.025);
          },
          timed_out: (_) => _[KERNEL].sig('MOO'),
          _stop: () => {},
          _parent: () => {},
          _child: () => {},
        },
      });
    };
    startSession();
    kernel.signal(kernel, 'MOO', 99);
    await runBounded(kernel);
    expect(received).toEqual([
      ['MOO', 99],
      ['MOO', 99],
    ]);
  });
});
