// Conformance: POE t/90_regression/kjeldahl-stop-start-polling.t, kjeldahl-stop-start-sig-nopipe.t
// and kjeldahl-stop-start-sig-pipe.t, their kernel part: stop() and then run() again. (The three
// differ only in how POE learns of SIGCHLD; the Wheel::Run part is out of the kernel's scope.)
import { describe, expect, it } from 'vitest';
import { ARG0, KERNEL, Kernel, SENDER, SESSION, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('kjeldahl-stop-start', () => {
  it('after stop() ended run(), a new session on the same kernel runs its timer and run() returns again', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].delay('never', 3600);
          _[KERNEL].yield('halt');
        },
        halt: (_) => _[KERNEL].stop(),
        never: () => void log.push('never'),
        _stop: () => void log.push('first _stop'),
      },
    });
    await runBounded(kernel);
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].delay('done', 0.05),
        done: () => void log.push('done'),
        _stop: () => void log.push('second _stop'),
      },
    });
    await runBounded(kernel);
    expect(log).toEqual(['first _stop', 'done', 'second _stop']);
  });

  // POE::Kernel::stop() makes the kernel the active session again "so new sessions will not be
  // child of the current defunct session" (Kernel.pm, sub stop).
  it('a session created right after stop(), in the same handler, is a child of the kernel and runs to its end', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    let stopper!: Session;
    stopper = Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].yield('halt'),
        halt: (_) => {
          _[KERNEL].stop();
          Session.create({
            kernel,
            inline_states: {
              _start: (s) => {
                log.push(`fresh _start from ${s[SENDER] === kernel ? 'kernel' : s[SENDER] === stopper ? 'stopped session' : '?'}`);
                s[KERNEL].delay('done', 0.05);
              },
              done: (s) => void log.push(`fresh done (active ${s[KERNEL].get_active_session() === s[SESSION] ? 'self' : '?'})`),
              _stop: () => void log.push('fresh _stop'),
            },
          });
        },
        _child: (_) => void log.push(`stopped session _child ${String(_[ARG0])}`),
        _stop: () => void log.push('stopper _stop'),
      },
    });
    await runBounded(kernel);
    expect(log).toEqual(['stopper _stop', 'fresh _start from kernel', 'fresh done (active self)', 'fresh _stop']);
  });
});
