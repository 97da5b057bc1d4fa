// Conformance: POE t/90_regression/rt19908-merlyn-stop.t (a die() in _stop must not loop forever).
import { describe, expect, it } from 'vitest';
import { Kernel, Session, SessionDiedError } from '@poets/kernel';
import { runOutcome } from './helpers.js';

describe('rt19908-merlyn-stop', () => {
  it('an exception thrown by _stop ends run() with that exception, after exactly one _stop', async () => {
    const kernel = new Kernel();
    let started = false;
    let stopCount = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          started = true;
        },
        _stop: () => {
          stopCount++;
          throw new Error('stop');
        },
      },
    });
    const outcome = await runOutcome(kernel, 2000);
    expect(started).toBe(true);
    expect(outcome).toBeInstanceOf(SessionDiedError);
    expect((outcome as SessionDiedError).event).toBe('_stop');
    expect(((outcome as SessionDiedError).error as Error).message).toBe('stop');
    expect(stopCount).toBe(1);
  });
});
