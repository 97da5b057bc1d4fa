// Conformance: POE t/90_regression/leolo-sig-die.t, its portable part: call() returns a handler's
// value (scalar or list), and an exception thrown in a nested call() that nobody handles ends run().
// The $SIG{__DIE__} checks are Perl-only (see CONFORMANCE.md).
import { describe, expect, it } from 'vitest';
import { KERNEL, Kernel, SESSION, Session, SessionDiedError } from '@poets/kernel';
import { runOutcome } from './helpers.js';

async function scenario() {
  const kernel = new Kernel();
  const got: Record<string, unknown> = {};
  const after: string[] = [];
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => void _[KERNEL].yield('step2'),
      step2: (_) => {
        got.scalar = _[KERNEL].call(_[SESSION], 'scalar_ctx');
        got.list = _[KERNEL].call(_[SESSION], 'array_ctx');
        _[KERNEL].post(_[SESSION], 'step3');
      },
      scalar_ctx: () => 42,
      array_ctx: () => Array.from({ length: 17 }, (_, i) => i + 1),
      step3: (_) => {
        got.scalar3 = _[KERNEL].call(_[SESSION], 'scalar_ctx3');
        got.list3 = _[KERNEL].call(_[SESSION], 'array_ctx3');
        after.push('step3 went on after the call');
        _[KERNEL].yield('later');
      },
      scalar_ctx3: () => 42,
      array_ctx3: () => {
        throw new Error('array_ctx3\nmore\n');
      },
      later: () => void after.push('later'),
    },
  });
  const outcome = await runOutcome(kernel, 2000);
  return { got, after, outcome };
}

describe('leolo-sig-die', () => {
  it('call() returns the value a handler returns', async () => {
    const { got } = await scenario();
    expect(got.scalar).toBe(42);
    expect(got.scalar3).toBe(42);
  });

  it('call() returns the list a handler returns', async () => {
    const { got } = await scenario();
    expect(got.list).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  // POE's call() to the active session invokes the handler directly, without _dispatch_event's
  // eval (Kernel.pm, sub call): the exception leaves call() and surfaces in the calling handler.
  it('an exception in a nested call() that no DIE watcher handles ends run() with the thrown error', async () => {
    const { outcome } = await scenario();
    expect(outcome).toBeInstanceOf(SessionDiedError);
    expect(((outcome as SessionDiedError).error as Error).message).toBe('array_ctx3\nmore\n');
    expect((outcome as SessionDiedError).event).toBe('step3');
  });

  it('a call() to the session itself does not catch: the exception ends the calling handler there', async () => {
    const { got, after } = await scenario();
    expect('list3' in got).toBe(false);
    expect(after).toEqual([]);
  });

  // A call() to another session goes through _dispatch_event, which catches (CATCH_EXCEPTIONS,
  // POE's default): call() returns undef, the caller goes on, and DIE is queued for the callee.
  it('a call() to another session catches: call() returns undefined, the caller goes on, DIE names the callee event', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    const callee = Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].alias_set('callee'),
        array_ctx3: () => {
          throw new Error('array_ctx3\nmore\n');
        },
      },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].yield('step3'),
        step3: (_) => {
          got.push(_[KERNEL].call(callee, 'array_ctx3'));
          got.push('went on');
        },
      },
    });
    const outcome = await runOutcome(kernel, 2000);
    expect(got).toEqual([undefined, 'went on']);
    expect(outcome).toBeInstanceOf(SessionDiedError);
    expect((outcome as SessionDiedError).event).toBe('array_ctx3');
    expect((outcome as SessionDiedError).sessionId).toBe(callee.ID());
  });
});
