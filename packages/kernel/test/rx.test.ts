import { Subject, bufferCount, type Subscription, firstValueFrom, interval, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ARG0, KERNEL, Kernel, SESSION, Session, dispatches, fromSessionEvent, postEach } from '../src/index.js';
import { runBounded } from '../../../test/support/index.js';

describe('rxjs bridge', () => {
  it('streams every dispatch with session, event, sender and time', async () => {
    const kernel = new Kernel();
    const records = firstValueFrom(dispatches(kernel).pipe(take(3), toArray()));
    let session: Session | undefined;
    session = Session.create({
      kernel,
      inline_states: { _start: (_) => _[KERNEL].yield('a', 1), a: (_) => _[KERNEL].yield('b'), b: () => {} },
    });
    await kernel.run();
    const got = await records;
    expect(got.map((d) => [d.session === session, d.event, d.args])).toEqual([
      [true, '_start', []],
      [true, 'a', [1]],
      [true, 'b', []],
    ]);
    expect(got[1]!.sender).toBe(session);
    expect(got[1]!.time).toBeGreaterThan(1.7e9);
  });

  it("turns a session's event into an Observable that completes when the session stops", async () => {
    const kernel = new Kernel();
    const s = Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('src');
          _[KERNEL].yield('go');
        },
        go: (_) => {
          for (let i = 1; i <= 3; i++) _[KERNEL].yield('value', i, `v${i}`);
          _[KERNEL].yield('end');
        },
        value: () => {},
        end: (_) => void _[KERNEL].alias_remove('src'),
      },
    });
    const values = firstValueFrom(fromSessionEvent(kernel, s, 'value').pipe(toArray()));
    await kernel.run();
    expect(await values).toEqual([
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v3'],
    ]);
    await expect(firstValueFrom(fromSessionEvent(kernel, 'gone', 'x'))).rejects.toThrow(/ESRCH/);
  });

  it('posts the values of an Observable, holding the session until it completes', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          postEach(interval(1).pipe(take(4), map((n) => n * 10), bufferCount(2)), _[KERNEL], _[SESSION], 'batch', { complete: 'done' });
        },
        batch: (_) => void got.push(_[ARG0]),
        done: () => void got.push('done'),
      },
    });
    await kernel.run();
    expect(got).toEqual([[0, 10], [20, 30], 'done']);
  });

  it('releases its hold when unsubscribed or errored', async () => {
    const kernel = new Kernel();
    const subject = new Subject<number>();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => void postEach(subject, _[KERNEL], _[SESSION], 'n', { error: 'failed' }),
        n: (_) => void got.push(_[ARG0]),
        failed: (_) => void got.push(`failed: ${(_[ARG0] as Error).message}`),
      },
    });
    const running = kernel.run();
    subject.next(1);
    setTimeout(() => subject.error(new Error('source broke')), 5);
    await running;
    expect(got).toEqual([1, 'failed: source broke']);
  });

  it('unsubscribing the returned Subscription ends the hold and the posts: run() returns with the source still open', async () => {
    const kernel = new Kernel();
    const subject = new Subject<number>();
    const got: unknown[] = [];
    let subscription: Subscription | undefined;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          subscription = postEach(subject, _[KERNEL], _[SESSION], 'n');
        },
        n: (_) => {
          got.push(_[ARG0]);
          if (_[ARG0] === 2) subscription?.unsubscribe();
        },
        _stop: () => void got.push('stopped'),
      },
    });
    const running = runBounded(kernel);
    subject.next(1);
    subject.next(2);
    // Never completed: only the unsubscribe can release the session.
    await running;
    expect(subject.observed).toBe(false);
    subject.next(3);
    expect(got).toEqual([1, 2, 'stopped']);
  });
});
