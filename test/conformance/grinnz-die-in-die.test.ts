// Conformance: POE t/90_regression/grinnz-die-in-die.t (a DIE handler that dies itself).
import { describe, expect, it } from 'vitest';
import { ARG1, KERNEL, Kernel, Session, type DieInfo } from '@poets/kernel';
import { runOutcome } from './helpers.js';

describe('grinnz-die-in-die', () => {
  async function dieInDie() {
    const kernel = new Kernel();
    const caught: { event?: string; error?: string } = {};
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('DIE', 'sig_DIE');
          throw new Error('original error');
        },
        sig_DIE: (_) => {
          const info = _[ARG1] as DieInfo;
          caught.event = info.event;
          caught.error = info.error_str;
          throw new Error('error in error handler');
          // Never reached: the throw above bypasses sig_handled().
        },
      },
    });
    const outcome = await runOutcome(kernel, 2000);
    return { caught, message: outcome instanceof Error ? outcome.message : String(outcome) };
  }

  it('the DIE handler learns which event died', async () => {
    const { caught } = await dieInDie();
    expect(caught.event).toBe('_start');
    expect(caught.error).toMatch(/original error/);
  });

  it("run() rejects with an error that contains the original error", async () => {
    expect((await dieInDie()).message).toMatch(/original error/);
  });

  it("run() rejects with an error that also contains the DIE handler's own error", async () => {
    expect((await dieInDie()).message).toMatch(/error in error handler/);
  });
});
