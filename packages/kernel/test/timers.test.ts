import { describe, expect, it } from 'vitest';
import { ARG0, KERNEL, Kernel, Session, time } from '../src/index.js';

describe('timers', () => {
  it('fires delays in due order, and equal due times in the order they were set', async () => {
    const kernel = new Kernel();
    const fired: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          const at = time() + 0.03;
          k.alarm_add('tick', at, 'same-1');
          k.delay_add('tick', 0.01, 'early');
          k.alarm_add('tick', at, 'same-2');
          k.alarm_add('tick', at, 'same-3');
          k.delay_add('tick', 0.05, 'late');
        },
        tick: (_) => void fired.push(_[ARG0] as string),
      },
    });
    await kernel.run();
    expect(fired).toEqual(['early', 'same-1', 'same-2', 'same-3', 'late']);
  });

  it('fires an alarm due in the past at once, before later posts', async () => {
    const kernel = new Kernel();
    const fired: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].yield('posted');
          _[KERNEL].alarm('past', time() - 10);
        },
        posted: () => void fired.push('posted'),
        past: () => void fired.push('past'),
      },
    });
    await kernel.run();
    expect(fired).toEqual(['past', 'posted']);
  });

  it('alarm and delay replace timers of the same name; no time clears them', async () => {
    const kernel = new Kernel();
    const fired: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          k.delay('a', 0.01, 1);
          k.delay('a', 0.02, 2);
          k.alarm('b', time() + 0.01, 'b1');
          k.alarm('b');
          k.delay_add('c', 0.01, 'c1');
          k.delay_add('c', 0.01, 'c2');
          k.delay('c');
        },
        a: (_) => void fired.push(['a', _[ARG0]]),
        b: () => void fired.push('b'),
        c: () => void fired.push('c'),
      },
    });
    await kernel.run();
    expect(fired).toEqual([['a', 2]]);
  });

  it('alarm_set, alarm_adjust, delay_adjust and alarm_remove work by ID and return what POE returns', async () => {
    const kernel = new Kernel();
    const results: unknown[] = [];
    const fired: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          const base = time() + 100;
          const id = k.alarm_set('x', base, 'payload')!;
          results.push(typeof id);
          results.push(k.alarm_adjust(id, 5) === base + 5);
          const before = time();
          const due = k.delay_adjust(id, 0.02)!;
          results.push(due >= before + 0.02 && due <= time() + 0.02);
          const gone = k.delay_set('y', 50, 1, 2)!;
          const removed = k.alarm_remove(gone)!;
          results.push([removed[0], removed[2]]);
          results.push(k.alarm_remove(gone), k.lastError?.code);
          results.push(k.alarm_adjust(gone, 1), k.lastError?.code);
          results.push(k.alarm_set(undefined as unknown as string, 1), k.lastError?.code);
          results.push(k.alarm(undefined as unknown as string));
        },
        x: (_) => void fired.push(`x ${String(_[ARG0])}`),
        y: () => void fired.push('y'),
      },
    });
    await kernel.run();
    expect(results).toEqual(['number', true, true, ['y', [1, 2]], undefined, 'ESRCH', undefined, 'ESRCH', undefined, 'EINVAL', 'EINVAL']);
    expect(fired).toEqual(['x payload']);
  });

  it('alarm_remove_all returns every alarm as [name, time, ...args] and the session ends', async () => {
    const kernel = new Kernel();
    let removed: unknown[][] = [];
    let stopped = false;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].delay('one', 10, 'a');
          _[KERNEL].delay('two', 20, 'b', 'c');
          removed = _[KERNEL].alarm_remove_all();
        },
        _stop: () => void (stopped = true),
      },
    });
    await kernel.run();
    expect(removed.map(([name, , ...args]) => [name, ...args])).toEqual([['one', 'a'], ['two', 'b', 'c']]);
    expect(stopped).toBe(true);
  });

  it("cannot touch another session's alarms", async () => {
    const kernel = new Kernel();
    let id = 0;
    const results: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          id = _[KERNEL].delay_set('mine', 0.01)!;
        },
        mine: () => void results.push('fired'),
      },
    });
    Session.create({
      kernel,
      inline_states: { _start: (_) => void results.push(_[KERNEL].alarm_remove(id), _[KERNEL].lastError?.code) },
    });
    await kernel.run();
    expect(results).toEqual([undefined, 'EPERM', 'fired']);
  });

  it('reports the next event time and the event count', () => {
    const kernel = new Kernel();
    let next: number | undefined;
    let before = 0;
    let after = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          before = time();
          _[KERNEL].delay('later', 30);
          after = time();
          next = _[KERNEL].get_next_event_time();
        },
      },
    });
    expect(kernel.get_event_count()).toBe(2); // the timer and the new session's garbage-collection check
    // In _start the 30 s timer is the only event queued (the GC check is posted after _start):
    // its due time is 30 s after the delay() call, which lies between the two clock readings.
    expect(next).toBeDefined();
    expect(next!).toBeGreaterThanOrEqual(before + 30);
    expect(next!).toBeLessThanOrEqual(after + 30);
    kernel.stop();
    expect(kernel.get_event_count()).toBe(0);
  });
});
