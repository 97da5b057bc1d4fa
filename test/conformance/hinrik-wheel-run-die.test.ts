// Conformance: t/90_regression/hinrik-wheel-run-die.t — a function Program that dies gives its
// child a non-zero exit status, reported through sig_child to a wrapper session, which reports
// it to its parent and lets go once both the exit and the close have come.
import { expect, it } from 'vitest';
import { ARG0, ARG2, HEAP, KERNEL, Kernel, OBJECT, SESSION, Session, type EventArgs } from '@poets/kernel';
import { Run } from '@poets/kernel';
import { runBounded } from './helpers.js';
import { reapChildrenAfterEach } from '../support/index.js';

// Every child a test starts is killed after it, whatever happened.
const pids = reapChildrenAfterEach();

/** Runs a program in a session of its own and posts ExitEvent (ARG0 the wait status) to its creator. */
class WheelWrapper {
  private readonly parentId: number;
  private sessionId = 0;
  private wheel: Run | undefined;
  private alive = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly options: { Program: () => unknown; ExitEvent: string },
  ) {
    this.parentId = (kernel.get_active_session() as Session).ID();
    Session.create({ kernel, object_states: [this, ['_start', '_delete_wheel', '_child_signal', '_child_closed', '_shutdown']] });
  }

  _start(_: EventArgs): void {
    this.sessionId = _[SESSION].ID();
    _[KERNEL].refcount_increment(this.sessionId, 'WheelWrapper');
    // The dying child's message would go to this process's stderr (no StderrEvent, as in POE's test): keep the test output clean.
    const wheel = new Run({ CloseEvent: '_child_closed', StdoutEvent: 'dummy', Program: this.options.Program, RedirectStderr: '/dev/null' });
    pids.push(wheel.PID());
    this.wheel = wheel;
    this.alive = 2;
    _[KERNEL].sig_child(wheel.PID(), '_child_signal');
  }

  _child_signal(_: EventArgs): void {
    _[KERNEL].post(this.parentId, this.options.ExitEvent, _[ARG2]);
    _[KERNEL].yield('_delete_wheel');
  }

  _child_closed(_: EventArgs): void {
    _[KERNEL].yield('_delete_wheel');
  }

  _delete_wheel(_: EventArgs): void {
    const self = _[OBJECT] as WheelWrapper;
    if (--self.alive === 0) {
      self.wheel?.destroy();
      self.wheel = undefined;
    }
  }

  shutdown(): void {
    this.kernel.call(this.sessionId, '_shutdown');
  }

  _shutdown(_: EventArgs): void {
    _[KERNEL].refcount_decrement(this.sessionId, 'WheelWrapper');
  }
}

it('a dying function Program exits with a non-zero status', async () => {
  const kernel = new Kernel();
  const statuses: number[] = [];
  let timedOut = false;
  Session.create<{ quickie?: WheelWrapper }>({
    kernel,
    heap: {},
    inline_states: {
      _start: (_) => {
        _[HEAP].quickie = new WheelWrapper(kernel, {
          Program: () => {
            throw new Error('died');
          },
          ExitEvent: 'exit',
        });
        _[KERNEL].delay('timeout', 5);
      },
      exit: (_) => {
        statuses.push(_[ARG0] as number);
        _[KERNEL].delay('timeout');
        _[HEAP].quickie!.shutdown();
      },
      timeout: (_) => {
        timedOut = true;
        _[KERNEL].stop();
      },
    },
  });
  await runBounded(kernel, 5000);
  expect(timedOut).toBe(false);
  expect(statuses).toHaveLength(1);
  expect(statuses[0]! >> 8).not.toBe(0);
});
