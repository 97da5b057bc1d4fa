// Conformance: POE::Test::Loops k_alarms (name-based and ID-based timers).
// Times are scaled down: POE waits 0.5 s where this suite waits WAIT.
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, EINVAL, EPERM, ESRCH, KERNEL, Kernel, Session, time, type EventArgs } from '@poets/kernel';
import { lcg, runBounded } from './helpers.js';

const WAIT = 0.05;

type Rings = Record<string, number[]>;

/** The name-based timer paths: each handler records the ARG0 it rang with. */
async function runPaths(): Promise<{ rings: Rings; elapsed: number; order: string[] }> {
  const kernel = new Kernel();
  const rings: Rings = {};
  let started = 0;
  let elapsed = -1;
  const order: string[] = [];
  const paths = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
  const inline: Record<string, (_: EventArgs) => unknown> = {
    _start: (_) => {
      const k = _[KERNEL];
      for (const p of paths) rings[p] = [];
      // 1: one alarm rings.
      k.alarm('path_one', time() + WAIT, 1.1);
      // 2: a second alarm() of the same name replaces the first.
      k.alarm('path_two', time() + WAIT, 2.1);
      k.alarm('path_two', time() + WAIT, 2.2);
      // 3: alarm_add() keeps both, and they ring in the order they were set.
      k.alarm_add('path_three', time() + WAIT, 3.1);
      k.alarm_add('path_three', time() + WAIT, 3.2);
      // 4: alarm() clears what alarm_add() queued before it.
      k.alarm('path_four', time() + WAIT, 4.1);
      k.alarm_add('path_four', time() + WAIT, 4.2);
      k.alarm('path_four', time() + WAIT, 4.3);
      k.alarm_add('path_four', time() + WAIT, 4.4);
      // 5: alarm() with no time clears the name.
      k.alarm('path_five', time() + WAIT, 5.1);
      k.alarm('path_five');
      // 6-8: the same with relative delays.
      k.delay('path_six', WAIT, 6.1);
      k.delay('path_seven', WAIT, 7.1);
      k.delay('path_seven', WAIT, 7.2);
      k.delay_add('path_eight', WAIT, 8.1);
      k.delay_add('path_eight', WAIT, 8.2);
      // 9: alarm()/alarm_add() with an epoch time long past: they ring at once.
      k.alarm('path_nine', WAIT, 9.1);
      k.alarm_add('path_nine', WAIT, 9.2);
      k.alarm('path_nine', WAIT, 9.3);
      k.alarm_add('path_nine', WAIT, 9.4);
      // 10: a delay cleared by alarm() with no time.
      k.delay('path_ten', WAIT, 10.1);
      k.alarm('path_ten');
      // Due after every path: the paths ring in parallel when they all come before it.
      k.delay('after_all', 2 * WAIT);
      started = time();
    },
    _stop: () => {
      elapsed = time() - started;
    },
  };
  for (const p of paths)
    inline[`path_${p}`] = (_) => {
      order.push(`path_${p}`);
      rings[p]!.push(_[ARG0] as number);
    };
  inline.after_all = () => void order.push('after_all');
  Session.create({ kernel, inline_states: inline });
  await runBounded(kernel);
  return { rings, elapsed, order };
}

const ORDER_ELEVEN = [
  'path_eleven_025_1',
  'path_eleven_025_2',
  'path_eleven_025_3',
  'path_eleven_050',
  'path_eleven_075',
  'path_eleven_100',
  'path_eleven_125',
  'path_eleven_150',
  'path_eleven_175',
  'path_eleven_200',
  'path_eleven_204',
  'path_eleven_205',
  'path_eleven_206',
  'path_eleven_225',
  'path_eleven_250',
  'path_eleven_275',
  'path_eleven_300',
  'path_eleven_325',
  'path_eleven_350',
];

/** Path 11: alarms set out of order (epoch times long past), with duplicates, micro-adjustments and a big filler. */
function setElevens(_: EventArgs): void {
  const k = _[KERNEL];
  const id253 = k.alarm_set('path_eleven_025_3', 25)!;
  k.alarm_set('path_eleven_025_2', 25);
  const id251 = k.alarm_set('path_eleven_025_1', 25)!;
  k.alarm_adjust(id251, -0.01);
  k.alarm_adjust(id253, 0.01);
  const random = lcg(11);
  for (let i = 0; i < 600; i++) k.alarm(`path_eleven_fill_${i}`, 1 + Math.floor(random() * 299));
  for (const t of [100, 200, 300, 50, 150, 250, 350, 75, 175, 275, 325, 225, 125]) {
    k.alarm(`path_eleven_${String(t).padStart(3, '0')}`, t);
  }
  const id206 = k.alarm_set('path_eleven_206', 205)!;
  k.alarm_set('path_eleven_205', 205);
  const id204 = k.alarm_set('path_eleven_204', 205)!;
  k.alarm_adjust(id204, -0.01);
  k.alarm_adjust(id206, 0.01);
  for (let i = 0; i < 600; i++) k.alarm(`path_eleven_fill_${i}`);
}

/** The ID-based API session of k_alarms: returns what its handlers saw. */
async function runIdApi() {
  const kernel = new Kernel();
  const seen = {
    removed14: undefined as unknown,
    removed15: undefined as unknown,
    before15: 0,
    after15: 0,
    arg13: undefined as unknown,
    adjusted: [] as (number | undefined)[],
    removedFired: [] as string[],
    dispatched: [] as unknown[],
    stopped: false,
  };
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        const k = _[KERNEL];
        k.alarm_set('test_13', 1, 13);
        const id14 = k.alarm_set('test_14', 1, 14)!;
        seen.removed14 = k.alarm_remove(id14);
        seen.before15 = time();
        const id15 = k.delay_set('test_15', WAIT, 15)!;
        seen.removed15 = k.alarm_remove(id15);
        seen.after15 = time();
      },
      test_13: (_) => {
        const k = _[KERNEL];
        seen.arg13 = _[ARG0];
        k.delay('test_16', WAIT);
        k.delay('test_17', WAIT);
        k.alarm_remove_all();
        const a = seen.adjusted;
        let id = k.alarm_set('test_18', 50, 18)!;
        a.push(k.alarm_adjust(id, -1), k.alarm_adjust(id, 1));
        id = k.alarm_set('test_19', 52, 19)!;
        a.push(k.alarm_adjust(id, -4), k.alarm_adjust(id, 4));
        id = k.alarm_set('test_20', 49, 20)!;
        a.push(k.alarm_adjust(id, 2), k.alarm_adjust(id, 2), k.alarm_adjust(id, -2));
        const filler: number[] = [];
        for (let t = 1; t <= 100; t++) filler.push(k.alarm_set('filler', t)!);
        id = k.alarm_set('test_21', 50, 21)!;
        a.push(k.alarm_adjust(id, -10), k.alarm_adjust(id, 20), k.alarm_adjust(id, -100));
        id = k.alarm_set('test_22', 50, 22)!;
        a.push(k.alarm_adjust(id, 100));
        for (const f of filler) k.alarm_remove(f);
      },
      test_14: () => void seen.removedFired.push('test_14'),
      test_15: () => void seen.removedFired.push('test_15'),
      test_16: () => void seen.removedFired.push('test_16'),
      test_17: () => void seen.removedFired.push('test_17'),
      _default: (_) => {
        if (/test_\d+/.test(_[ARG0] as string)) seen.dispatched.push((_[ARG1] as unknown[])[0]);
        _[KERNEL].sig_handled();
      },
      _stop: () => {
        seen.stopped = true;
      },
    },
  });
  await runBounded(kernel);
  return seen;
}

describe('k_alarms: name-based timers (alarm, alarm_add, delay, delay_add)', () => {
  it('a single alarm rings once with its argument', async () => {
    expect((await runPaths()).rings.one).toEqual([1.1]);
  });

  it('a second alarm() of the same name supersedes the first', async () => {
    expect((await runPaths()).rings.two).toEqual([2.2]);
  });

  it('two alarm_add() alarms both ring, in order', async () => {
    expect((await runPaths()).rings.three).toEqual([3.1, 3.2]);
  });

  it('interleaved alarm()/alarm_add(): only those after the last alarm() ring, in order', async () => {
    expect((await runPaths()).rings.four).toEqual([4.3, 4.4]);
  });

  it('alarm(name) with no time squelches the alarm', async () => {
    expect((await runPaths()).rings.five).toEqual([]);
  });

  it('a single delay rings once with its argument', async () => {
    expect((await runPaths()).rings.six).toEqual([6.1]);
  });

  it('a second delay() of the same name supersedes the first', async () => {
    expect((await runPaths()).rings.seven).toEqual([7.2]);
  });

  it('two delay_add() delays both ring, in order', async () => {
    expect((await runPaths()).rings.eight).toEqual([8.1, 8.2]);
  });

  it('interleaved alarm()/alarm_add() at a past epoch time: the last two ring, in order', async () => {
    expect((await runPaths()).rings.nine).toEqual([9.3, 9.4]);
  });

  it('a delay squelched by alarm(name) does not ring', async () => {
    expect((await runPaths()).rings.ten).toEqual([]);
  });

  it('all paths run in parallel and finish promptly', async () => {
    const { elapsed, order } = await runPaths();
    expect(elapsed).toBeGreaterThanOrEqual(WAIT - 0.005);
    // Ordering, not wall-clock: every ring comes before one timer due at twice the wait.
    expect(order.at(-1)).toBe('after_all');
    expect(order.filter((event) => event === 'after_all')).toHaveLength(1);
    expect(order.length).toBeGreaterThan(10);
  });
});

describe('k_alarms: queue order of alarms (path eleven)', () => {
  it('pending alarms are queued in due-time order, ties in set order, micro-adjustments respected', async () => {
    // POE peeks at its queue; the portable observation is alarm_remove_all(), which lists the
    // session's pending alarms as the queue holds them.
    const kernel = new Kernel();
    let names: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          setElevens(_);
          names = _[KERNEL].alarm_remove_all().map((alarm) => alarm[0] as string);
        },
      },
    });
    await runBounded(kernel);
    expect(names).toEqual(ORDER_ELEVEN);
  });

  it('past-due alarms ring in due-time order, after fillers were cleared by name', async () => {
    const kernel = new Kernel();
    const rang: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: setElevens,
        _default: (_) => void rang.push(_[ARG0] as string),
        _stop: () => {},
      },
    });
    await runBounded(kernel);
    expect(rang).toEqual(ORDER_ELEVEN);
  });
});

describe('k_alarms: ID-based timers (alarm_set, delay_set, alarm_adjust, alarm_remove, alarm_remove_all)', () => {
  it('alarm_remove returns the removed alarm: name, due time, arguments', async () => {
    const seen = await runIdApi();
    expect(seen.removed14).toEqual(['test_14', 1, [14]]);
  });

  it('alarm_remove of a delay_set timer returns its name, an absolute due time and its arguments', async () => {
    const seen = await runIdApi();
    const removed = seen.removed15 as [string, number, unknown[]];
    expect(removed[0]).toBe('test_15');
    expect(removed[1]).toBeGreaterThanOrEqual(seen.before15);
    expect(removed[1]).toBeLessThanOrEqual(seen.after15 + 3);
    expect(removed[2]).toEqual([15]);
  });

  it('an alarm_set alarm is dispatched with its argument', async () => {
    expect((await runIdApi()).arg13).toBe(13);
  });

  it('alarm_adjust returns the new due time, on small and big queues, inside and outside the range', async () => {
    expect((await runIdApi()).adjusted).toEqual([49, 50, 48, 52, 51, 53, 51, 40, 60, -40, 150]);
  });

  it('removed alarms (alarm_remove, alarm_remove_all) are never dispatched', async () => {
    expect((await runIdApi()).removedFired).toEqual([]);
  });

  it('the adjusted alarms are dispatched in due-time order: 21, 18, 20, 19, 22', async () => {
    const seen = await runIdApi();
    expect(seen.dispatched).toEqual([21, 18, 20, 19, 22]);
    expect(seen.stopped).toBe(true);
  });
});

// Documented in POE::Kernel's POD (Timer Events) and implemented in POE::Queue::Array.
describe('k_alarms: documented failures of the timer API', () => {
  it('alarm() and delay() return 0 on success and EINVAL for an undefined event name', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          got.push(k.alarm('x', time() + 10), k.delay('x'));
          got.push(k.alarm(undefined as unknown as string, 1), k.delay(undefined as unknown as string, 1));
          got.push(k.alarm_add(undefined as unknown as string, 1), k.delay_add(undefined as unknown as string, 1));
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([0, 0, EINVAL, EINVAL, EINVAL, EINVAL]);
  });

  it('alarm_remove/alarm_adjust/delay_adjust of an alarm that is gone fail with ESRCH', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          const id = k.delay_set('gone', 10)!;
          k.alarm_remove(id);
          got.push(k.alarm_remove(id), k.lastError?.code);
          got.push(k.alarm_adjust(id, 1), k.lastError?.code);
          got.push(k.delay_adjust(id, 1), k.lastError?.code);
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([undefined, ESRCH, undefined, ESRCH, undefined, ESRCH]);
  });

  it("alarm_remove/alarm_adjust of another session's alarm fail with EPERM and leave it pending", async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    const rang: string[] = [];
    let foreignId = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          foreignId = _[KERNEL].delay_set('mine', 0.01)!;
        },
        mine: () => void rang.push('mine'),
      },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          got.push(k.alarm_remove(foreignId), k.lastError?.code);
          got.push(k.alarm_adjust(foreignId, 1), k.lastError?.code);
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([undefined, EPERM, undefined, EPERM]);
    expect(rang).toEqual(['mine']);
  });

  it('alarm_set/delay_set return undefined with EINVAL for an undefined event name', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          got.push(k.alarm_set(undefined as unknown as string, 1), k.lastError?.code);
          got.push(k.delay_set(undefined as unknown as string, 1), k.lastError?.code);
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([undefined, EINVAL, undefined, EINVAL]);
  });
});


