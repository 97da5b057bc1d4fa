// Conformance: POE::Test::Loops k_signals_rerun (a die in _stop ends run(); run() works again after).
// POE runs its children with Wheel::Run; here a plain spawned child, its exit seen through
// watchChildProcess() and a CHLD watcher, with an extra refcount holding the session meanwhile.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARG1, ARG2, HEAP, KERNEL, Kernel, SESSION, Session, SessionDiedError } from '@poets/kernel';
import { runOutcome } from './helpers.js';

interface ChildHeap {
  pids: Set<number>;
  programExit?: number;
}

/** One round of the POE test: a parent whose child session runs `exit <code>` and judges it in _stop. */
function createRound(kernel: Kernel, dieOnBadExit: boolean, exitCode: number): void {
  Session.create({
    kernel,
    inline_states: {
      _start: () => {
        Session.create<ChildHeap>({
          kernel,
          heap: { pids: new Set() },
          inline_states: {
            _start: (_) => {
              const k = _[KERNEL];
              k.sig('CHLD', 'sigchld_handler');
              const child = spawn('sh', ['-c', `exit ${exitCode}`], { stdio: 'ignore' });
              k.watchChildProcess(child);
              _[HEAP].pids.add(child.pid!);
              k.refcount_increment(_[SESSION].ID(), 'running_processes');
            },
            sigchld_handler: (_) => {
              const k = _[KERNEL];
              const pid = _[ARG1] as number;
              if (!_[HEAP].pids.has(pid)) return;
              k.refcount_decrement(_[SESSION].ID(), 'running_processes');
              _[HEAP].pids.delete(pid);
              k.sig('CHLD');
              _[HEAP].programExit = _[ARG2] as number;
            },
            _parent: () => {},
            _stop: (_) => {
              if (_[HEAP].pids.size > 0) throw new Error('running process leak');
              if (dieOnBadExit && (_[HEAP].programExit! >> 8) !== 0) throw new Error('bad exit');
            },
          },
        });
      },
      _stop: () => {},
      _child: () => {},
      _parent: () => {},
    },
  });
}

/** What each of the four runs (exit codes 0, 1, 0, 0) of one kernel ended with. */
async function fourRuns(dieOnBadExit: boolean) {
  const kernel = new Kernel();
  const outcomes: unknown[] = [];
  for (const exitCode of [0, 1, 0, 0]) {
    createRound(kernel, dieOnBadExit, exitCode);
    outcomes.push(await runOutcome(kernel));
  }
  return outcomes;
}

describe('k_signals_rerun: run() again after it returned, with and without an exception from _stop', () => {
  it('without die_on_bad_exit: four runs in a row, each returns without error', async () => {
    expect(await fourRuns(false)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('with die_on_bad_exit: only the run whose child exited 1 fails, with the _stop error; the runs after it work', async () => {
    const outcomes = await fourRuns(true);
    expect(outcomes[0]).toBeUndefined();
    expect(outcomes[1]).toBeInstanceOf(SessionDiedError);
    const died = outcomes[1] as SessionDiedError;
    expect(died.event).toBe('_stop');
    expect((died.error as Error).message).toBe('bad exit');
    expect(outcomes.slice(2)).toEqual([undefined, undefined]);
  });
});
