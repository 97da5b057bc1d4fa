// Conformance: POE t/90_regression/averell-callback-ret.t (a callback returns its handler's value).
import { describe, expect, it } from 'vitest';
import { HEAP, KERNEL, Kernel, SESSION, Session, type Postback } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('averell-callback-ret', () => {
  it("calling a callback returns what its event's handler returned", async () => {
    const kernel = new Kernel();
    let retval: unknown;
    Session.create({
      kernel,
      heap: {} as { callback?: Postback },
      inline_states: {
        _start: (_) => {
          _[HEAP].callback = _[SESSION].callback('callback_event');
          _[KERNEL].yield('try_callback');
        },
        try_callback: (_) => {
          const callback = _[HEAP].callback!;
          delete _[HEAP].callback;
          retval = callback();
          // POE lets DESTROY end the callback's hold; JavaScript releases it by hand.
          callback.release();
        },
        callback_event: () => 42,
        _stop: () => {},
      },
    });
    await runBounded(kernel);
    expect(retval).toBe(42);
  });
});
