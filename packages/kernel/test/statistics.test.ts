import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { KERNEL, Kernel, Session, type KernelStatistics } from '../src/index.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('kernel statistics', () => {
  it('counts dispatched events by kind; _start, _stop and internal events are not counted', async () => {
    const kernel = new Kernel();
    let inside: KernelStatistics | undefined;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          k.alias_set('me');
          for (let i = 0; i < 3; i++) k.yield('tick');
          k.delay_set('due', 0.001);
          k.delay_set('due', 0.002);
          k.call('me', 'sync');
          k.sig('USR2', 'got_signal');
          inside = k.statistics();
        },
        tick: () => {},
        sync: () => {},
        due: (_) => {
          if (_[KERNEL].statistics().dispatched.alarm === 2) {
            _[KERNEL].signal('me', 'USR2');
          }
        },
        got_signal: (_) => {
          _[KERNEL].sig('USR2');
          _[KERNEL].alias_remove('me');
        },
      },
    });
    await kernel.run();
    expect(inside).toMatchObject({ dispatched: { post: 0, call: 1, signal: 0, alarm: 0 }, sessions: 1, timers: 2, queue: 3 });
    const after = kernel.statistics();
    expect(after.dispatched).toEqual({ post: 3, call: 1, signal: 1, alarm: 2 });
    expect(after).toMatchObject({ sessions: 0, timers: 0 });
    expect(kernel.stat_getdata().user_events).toBe(7);
  });

  it('measures how late a timer fired, and splits the run into user and idle seconds', async () => {
    const kernel = new Kernel();
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => _[KERNEL].yield('work'),
        work: (_) => {
          _[KERNEL].delay_set('late', 0.005);
          // the kernel cannot fire it before this handler returns: at least 45 ms late
          busy(50);
        },
        late: (_) => _[KERNEL].delay_set('idle_then', 0.03),
        idle_then: () => {},
      },
    });
    await kernel.run();
    const { lag } = kernel.statistics();
    expect(lag.max).toBeGreaterThanOrEqual(0.045);
    expect(lag.mean).toBeGreaterThan(0);
    expect(lag.mean).toBeLessThanOrEqual(lag.max);
    const data = kernel.stat_getdata();
    expect(data.blocked).toBeGreaterThanOrEqual(1);
    expect(data.blocked_seconds).toBeGreaterThanOrEqual(0.045);
    expect(data.avg_blocked_seconds).toBe(data.blocked_seconds / 1); // one interval so far
    expect(data.user_seconds).toBeGreaterThanOrEqual(0.045); // the busy handler ran inside a slice
    expect(data.idle_seconds).toBeGreaterThan(0); // waiting for the 30 ms timer
    expect(data.total_duration).toBeGreaterThanOrEqual(data.user_seconds);
    expect(data.interval).toBe(data.total_duration);
  });

  it('forgets lag and events once they are older than the window; the totals stay', async () => {
    const kernel = new Kernel({ statistics: { interval: 0.02, intervals: 2 } });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].delay_set('late', 0.001);
          busy(10);
        },
        late: () => {},
      },
    });
    await kernel.run();
    expect(kernel.statistics().lag.max).toBeGreaterThan(0);
    await sleep(100); // more than the 40 ms window
    const later = kernel.statistics();
    expect(later.lag).toMatchObject({ max: 0, mean: 0 });
    expect(later.dispatched.alarm).toBe(1);
    expect(later.window).toBeLessThan(0.1);
    const data = kernel.stat_getdata();
    expect(data).toMatchObject({ user_events: 0, blocked: 0, blocked_seconds: 0 });
    expect(data.interval).toBeCloseTo(data.total_duration / 2, 6);
  });
});
