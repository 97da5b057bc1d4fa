// Conformance: POE::Test::Loops z_kogman_sig_order (how a signal propagates through a session tree,
// in which order watchers run, and which sessions an unhandled terminal signal stops).
import { describe, expect, it } from 'vitest';
import { ARG0, KERNEL, Kernel, SESSION, STATE, Session, type EventArgs } from '@poets/kernel';
import { runBounded } from './helpers.js';

type Entry = [string, ...unknown[]];

/** Logging handlers shared by every session of this file. */
function logging(log: Entry[], defaultSlot: number = ARG0): Record<string, (_: EventArgs) => unknown> {
  return {
    _child: (_) => void log.push(['child', _[SESSION]]),
    _stop: (_) => void log.push(['stop', _[SESSION]]),
    _default: (_) => void log.push(['default', _[defaultSlot], _[SESSION]]),
    foo: (_) => void log.push(['foo', _[SESSION]]),
  };
}

/** Replaces sessions in the log by their names, for readable comparisons. */
function named(log: Entry[], names: Map<unknown, string>): unknown[][] {
  return log.map((entry) => entry.map((item) => names.get(item) ?? item));
}

describe('z_kogman_sig_order', () => {
  it('a signal to one session that watches it', async () => {
    const kernel = new Kernel();
    const log: Entry[] = [];
    const session = Session.create({
      kernel,
      inline_states: {
        ...logging(log, STATE),
        _start: (_) => {
          log.push(['enter_start', _[SESSION]]);
          _[KERNEL].sig('foo', 'foo');
          _[KERNEL].signal(_[SESSION], 'foo');
          log.push(['leave_start', _[SESSION]]);
        },
      },
    });
    await runBounded(kernel);
    expect(named(log, new Map([[session, 'parent']]))).toEqual([
      ['enter_start', 'parent'],
      ['leave_start', 'parent'],
      ['foo', 'parent'],
      ['stop', 'parent'],
    ]);
  });

  it('a signal to a parent that watches it does not reach its child that does not', async () => {
    const kernel = new Kernel();
    const log: Entry[] = [];
    let child!: Session;
    const session = Session.create({
      kernel,
      inline_states: {
        ...logging(log),
        _start: (_) => {
          log.push(['enter_start', _[SESSION]]);
          child = Session.create({
            kernel,
            inline_states: {
              ...logging(log),
              _start: (c) => {
                log.push(['enter_start', c[SESSION]]);
                c[KERNEL].delay('bar', 0.05);
                log.push(['leave_start', c[SESSION]]);
              },
            },
          });
          _[KERNEL].sig('foo', 'foo');
          _[KERNEL].signal(_[SESSION], 'foo');
          log.push(['leave_start', _[SESSION]]);
        },
      },
    });
    await runBounded(kernel);
    expect(named(log, new Map<unknown, string>([[session, 'parent'], [child, 'child']]))).toEqual([
      ['enter_start', 'parent'],
      ['enter_start', 'child'],
      ['leave_start', 'child'],
      ['child', 'parent'],
      ['leave_start', 'parent'],
      ['foo', 'parent'],
      ['default', 'bar', 'child'],
      ['stop', 'child'],
      ['child', 'parent'],
      ['stop', 'parent'],
    ]);
  });

  it('a signal watched by parent and child reaches the child first, then the parent', async () => {
    const kernel = new Kernel();
    const log: Entry[] = [];
    let child!: Session;
    const session = Session.create({
      kernel,
      inline_states: {
        ...logging(log),
        _start: (_) => {
          log.push(['enter_start', _[SESSION]]);
          child = Session.create({
            kernel,
            inline_states: {
              ...logging(log),
              _start: (c) => {
                log.push(['enter_start', c[SESSION]]);
                c[KERNEL].delay('bar', 0.05);
                c[KERNEL].sig('foo', 'foo');
                log.push(['leave_start', c[SESSION]]);
              },
            },
          });
          _[KERNEL].sig('foo', 'foo');
          _[KERNEL].signal(_[SESSION], 'foo');
          log.push(['leave_start', _[SESSION]]);
        },
      },
    });
    await runBounded(kernel);
    expect(named(log, new Map<unknown, string>([[session, 'parent'], [child, 'child']]))).toEqual([
      ['enter_start', 'parent'],
      ['enter_start', 'child'],
      ['leave_start', 'child'],
      ['child', 'parent'],
      ['leave_start', 'parent'],
      ['foo', 'child'],
      ['foo', 'parent'],
      ['default', 'bar', 'child'],
      ['stop', 'child'],
      ['child', 'parent'],
      ['stop', 'parent'],
    ]);
  });

  it('TERM watched by both, with no handler for the watcher event (only _default), and never sig_handled: both stop, child first', async () => {
    const kernel = new Kernel();
    const log: Entry[] = [];
    let child!: Session;
    const session = Session.create({
      kernel,
      inline_states: {
        ...logging(log),
        _start: (_) => {
          log.push(['enter_start', _[SESSION]]);
          child = Session.create({
            kernel,
            inline_states: {
              ...logging(log),
              _start: (c) => {
                log.push(['enter_start', c[SESSION]]);
                c[KERNEL].delay('bar', 0.5);
                c[KERNEL].sig('TERM', 'TERM');
                log.push(['leave_start', c[SESSION]]);
              },
            },
          });
          _[KERNEL].sig('TERM', 'TERM');
          _[KERNEL].signal(_[SESSION], 'TERM');
          log.push(['leave_start', _[SESSION]]);
        },
      },
    });
    await runBounded(kernel);
    expect(named(log, new Map<unknown, string>([[session, 'parent'], [child, 'child']]))).toEqual([
      ['enter_start', 'parent'],
      ['enter_start', 'child'],
      ['leave_start', 'child'],
      ['child', 'parent'],
      ['leave_start', 'parent'],
      ['default', 'TERM', 'child'],
      ['default', 'TERM', 'parent'],
      ['stop', 'child'],
      ['child', 'parent'],
      ['stop', 'parent'],
    ]);
  });

  it('TERM that nobody watches stops the whole tree it was sent to, child first', async () => {
    const kernel = new Kernel();
    const log: Entry[] = [];
    let child!: Session;
    const session = Session.create({
      kernel,
      inline_states: {
        ...logging(log),
        _start: (_) => {
          log.push(['enter_start', _[SESSION]]);
          child = Session.create({
            kernel,
            inline_states: {
              ...logging(log),
              _start: (c) => {
                log.push(['enter_start', c[SESSION]]);
                c[KERNEL].delay('bar', 0.5);
                log.push(['leave_start', c[SESSION]]);
              },
            },
          });
          _[KERNEL].signal(_[SESSION], 'TERM');
          log.push(['leave_start', _[SESSION]]);
        },
      },
    });
    await runBounded(kernel);
    expect(named(log, new Map<unknown, string>([[session, 'parent'], [child, 'child']]))).toEqual([
      ['enter_start', 'parent'],
      ['enter_start', 'child'],
      ['leave_start', 'child'],
      ['child', 'parent'],
      ['leave_start', 'parent'],
      ['stop', 'child'],
      ['child', 'parent'],
      ['stop', 'parent'],
    ]);
  });

  /** Three generations; `childWatches` makes the middle one watch TERM. */
  async function threeGenerations(childWatches: boolean) {
    const kernel = new Kernel();
    const log: Entry[] = [];
    let child!: Session;
    let grandchild!: Session;
    const session = Session.create({
      kernel,
      inline_states: {
        ...logging(log),
        _start: (_) => {
          log.push(['enter_start', _[SESSION]]);
          child = Session.create({
            kernel,
            inline_states: {
              ...logging(log),
              _start: (c) => {
                log.push(['enter_start', c[SESSION]]);
                grandchild = Session.create({
                  kernel,
                  inline_states: {
                    ...logging(log),
                    _start: (g) => {
                      log.push(['enter_start', g[SESSION]]);
                      g[KERNEL].delay('bar', 0.5);
                      log.push(['leave_start', g[SESSION]]);
                    },
                  },
                });
                if (childWatches) c[KERNEL].sig('TERM', 'TERM');
                c[KERNEL].delay('bar', 0.5);
                log.push(['leave_start', c[SESSION]]);
              },
            },
          });
          _[KERNEL].signal(_[SESSION], 'TERM');
          log.push(['leave_start', _[SESSION]]);
        },
      },
    });
    await runBounded(kernel);
    const names = new Map<unknown, string>([
      [session, 'parent'],
      [child, 'child'],
      [grandchild, 'grandchild'],
    ]);
    return named(log, names);
  }

  it('TERM watched only by the middle generation (no handler, never handled): all three stop, grandchild first', async () => {
    expect(await threeGenerations(true)).toEqual([
      ['enter_start', 'parent'],
      ['enter_start', 'child'],
      ['enter_start', 'grandchild'],
      ['leave_start', 'grandchild'],
      ['child', 'child'],
      ['leave_start', 'child'],
      ['child', 'parent'],
      ['leave_start', 'parent'],
      ['default', 'TERM', 'child'],
      ['stop', 'grandchild'],
      ['child', 'child'],
      ['stop', 'child'],
      ['child', 'parent'],
      ['stop', 'parent'],
    ]);
  });

  it('TERM watched by no generation: all three stop, grandchild first', async () => {
    expect(await threeGenerations(false)).toEqual([
      ['enter_start', 'parent'],
      ['enter_start', 'child'],
      ['enter_start', 'grandchild'],
      ['leave_start', 'grandchild'],
      ['child', 'child'],
      ['leave_start', 'child'],
      ['child', 'parent'],
      ['leave_start', 'parent'],
      ['stop', 'grandchild'],
      ['child', 'child'],
      ['stop', 'child'],
      ['child', 'parent'],
      ['stop', 'parent'],
    ]);
  });
});
