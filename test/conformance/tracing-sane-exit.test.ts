// Conformance: POE t/90_regression/tracing-sane-exit.t (with full tracing on, run() still returns
// as soon as the work is done). POE waits 1 s with a 10 s limit; here 0.1 s with a 1 s limit.
import { describe, expect, it } from 'vitest';
import { KERNEL, Kernel, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('tracing-sane-exit', () => {
  it('with tracing and caller information on, run() returns promptly after the last timer', async () => {
    const lines: string[] = [];
    // POE silences the trace output with a __WARN__ handler; here the kernel's warn sink.
    const kernel = new Kernel({ callerInfo: true, warn: (line) => void lines.push(line) });
    const events: string[] = [];
    Session.create({
      kernel,
      options: { trace: true, debug: true, default: true },
      inline_states: {
        _start: (_) => {
          _[KERNEL].yield('do_test');
          return undefined;
        },
        do_test: (_) => {
          events.push('do_test');
          _[KERNEL].delay('done', 0.1);
          return undefined;
        },
        done: () => {
          events.push('done');
          return undefined;
        },
      },
    });
    const started = performance.now();
    // The bound is generous (no timing assertion): it only catches a kernel that never exits.
    await runBounded(kernel, 10_000);
    const elapsed = (performance.now() - started) / 1000;
    expect(events).toEqual(['do_test', 'done']);
    expect(elapsed).toBeGreaterThanOrEqual(0.09);
    expect(lines.length).toBeGreaterThan(0);
  });
});
