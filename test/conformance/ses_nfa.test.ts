// poe-test-loops ses_nfa: a pushbutton light as an NFA (package and object states), an NFA that
// stops itself, a Fibonacci servlet driven through call_state/return_state by a plain session,
// and an NFA given a handler by the kernel's state() the way a wheel adds one, with option(),
// callback and postback. Plus POE's t/10_units/03_base/16_nfa_usage.t: spawn()'s refusals.
import { describe, expect, it } from 'vitest';
import { ARG0, EVENT, HEAP, KERNEL, Kernel, MACHINE, NFA, OBJECT, RUNSTATE, SENDER, Session, type EventArgs, type NFAEventArgs } from '@poets/kernel';
import { runBounded } from './helpers.js';

type Light = NFAEventArgs;

interface Seen {
  objects: unknown[];
  visibility: boolean[];
  fib: [number, number][];
  stopped: boolean;
  dynamic: string[];
}

async function scenario(): Promise<Seen> {
  const kernel = new Kernel();
  const seen: Seen = { objects: [], visibility: [], fib: [], stopped: false, dynamic: [] };

  // The light: package states for 'off', object states for 'on'.
  class Switch {
    static _default() {
      return 0;
    }
    static off_enter(_: Light) {
      seen.objects.push(_[OBJECT] === Switch ? 'package' : _[OBJECT]);
      _[KERNEL].post(_[ARG0] as Session, 'visibility', 0);
    }
    static off_pushed(_: Light) {
      _[MACHINE].goto_state('on', 'enter', _[SENDER]);
    }
    enter(_: Light) {
      seen.objects.push(_[OBJECT] instanceof Switch ? 'object' : _[OBJECT]);
      _[KERNEL].post(_[ARG0] as Session, 'visibility', 1);
    }
    pushed(_: Light) {
      _[MACHINE].goto_state('off', 'enter', _[SENDER]);
    }
    _default() {
      return 0;
    }
  }
  NFA.spawn({
    kernel,
    inline_states: {
      initial: {
        start: (_: Light) => {
          seen.objects.push(_[OBJECT] === undefined ? 'no object' : _[OBJECT]);
          _[KERNEL].alias_set('switch');
          _[MACHINE].goto_state('off');
        },
        _default: () => 0,
      },
    },
    package_states: { off: [Switch, { enter: 'off_enter', pushed: 'off_pushed', _default: '_default' }] },
    object_states: { on: [new Switch(), ['enter', 'pushed', '_default']] },
  }).goto_state('initial', 'start');

  // stop(): the machine ends at once, _stop ignored.
  const stopper = NFA.spawn({ kernel, inline_states: { initial: { start: (_: Light) => _[MACHINE].stop() } } });
  stopper.goto_state('initial', 'start');

  // The operator pushes the button ten times, checking the light each time.
  Session.create<{ push_count: number }>({
    kernel,
    heap: { push_count: 0 },
    inline_states: {
      _start: (_) => {
        _[KERNEL].alias_set('operator');
        _[KERNEL].yield('push');
      },
      push: (_) => {
        _[HEAP].push_count++;
        _[KERNEL].post('switch', 'pushed');
      },
      visibility: (_: EventArgs<{ push_count: number }, [number]>) => {
        seen.visibility.push((_[HEAP].push_count & 1) === _[ARG0]);
        if (_[HEAP].push_count < 10) _[KERNEL].yield('push');
        else {
          _[KERNEL].alias_remove('operator');
          _[KERNEL].post('switch', 'done');
        }
      },
      _stop: () => 0,
    },
  });
  // The light's alias keeps it alive; the test ends it when the operator is done.
  kernel.post('switch', 'noop');

  // The Fibonacci servlet.
  type Fib = NFAEventArgs<{ client?: Session; f?: number[]; n?: number; target?: number }>;
  NFA.spawn({
    kernel,
    runstate: {} as { client?: Session; f?: number[]; n?: number; target?: number },
    inline_states: {
      initial: {
        start: (_: Fib) => {
          _[KERNEL].alias_set('server');
          _[MACHINE].goto_state('listen');
        },
        _default: () => 0,
      },
      listen: {
        request: (_: Fib) => {
          _[RUNSTATE].client = _[SENDER] as Session;
          _[MACHINE].call_state('answer', 'calculate', 'start', _[ARG0]);
        },
        answer: (_: Fib) => {
          const client = _[RUNSTATE].client!;
          delete _[RUNSTATE].client;
          _[KERNEL].post(client, 'fib', _[ARG0]);
        },
        stop: (_: Fib) => _[KERNEL].alias_remove('server'),
        _default: () => 0,
      },
      calculate: {
        start: (_: Fib) => {
          if (_[ARG0] === 0) return _[MACHINE].return_state(0);
          if (_[ARG0] === 1) return _[MACHINE].return_state(1);
          _[RUNSTATE].f = [0, 1];
          _[RUNSTATE].n = 1;
          _[RUNSTATE].target = _[ARG0] as number;
          _[KERNEL].yield('next');
        },
        next: (_: Fib) => {
          const r = _[RUNSTATE];
          r.n!++;
          r.f![2] = r.f![0]! + r.f![1]!;
          r.f!.shift();
          if (r.n === r.target) _[MACHINE].return_state(r.f![1]);
          else _[KERNEL].yield('next');
        },
        _default: () => 0,
      },
    },
  }).goto_state('initial', 'start');

  const tests: [number, number][] = [[0, 0], [1, 1], [2, 1], [3, 2], [4, 3], [5, 5], [17, 1597], [23, 28657], [29, 514229], [43, 433494437]];
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        _[KERNEL].alias_set('client');
        _[KERNEL].yield('next_test');
      },
      next_test: (_) => _[KERNEL].post('server', 'request', tests[0]![0]),
      fib: (_) => {
        seen.fib.push([tests[0]![0], _[ARG0] as number]);
        tests.shift();
        if (tests.length > 0) _[KERNEL].yield('next_test');
        else {
          _[KERNEL].alias_remove('client');
          _[KERNEL].post('server', 'stop');
        }
      },
      _stop: () => 0,
    },
  });

  // state() on an NFA, as a wheel adds its handlers; option(); callback and postback.
  NFA.spawn({
    kernel,
    inline_states: {
      initial: {
        start: (_: Light) => {
          _[MACHINE].goto_state('listen', 'send');
          _[KERNEL].state('test_wheel_event', (inner: Light) => inner[KERNEL].yield('happened'));
          const orig = _[MACHINE].option('default', 1);
          seen.dynamic.push(`set ${_[MACHINE].option('default')}`);
          seen.dynamic.push(`reset ${_[MACHINE].option('default', orig)}`);
          seen.dynamic.push(`back ${String(_[MACHINE].option('default'))}`);
          // JavaScript has no DESTROY: a callback or postback is released by hand.
          const callback = _[MACHINE].callback('callback');
          callback();
          callback.release();
          const postback = _[MACHINE].postback('postback');
          postback();
          postback.release();
        },
        _default: () => 0,
        callback: () => void seen.dynamic.push('callback in initial'),
        postback: () => void seen.dynamic.push('postback in initial'),
      },
      listen: {
        send: (_: Light) => _[KERNEL].yield('test_wheel_event'),
        happened: (_: Light) => {
          seen.dynamic.push('wheel event happened');
          seen.dynamic.push(`current ${_[MACHINE].get_current_state() === _[NFA.STATE]}`);
          seen.dynamic.push(`runstate ${_[MACHINE].get_runstate() === _[RUNSTATE]}`);
          seen.dynamic.push(`event ${_[EVENT]}`);
        },
        callback: () => void seen.dynamic.push('callback in listen'),
        postback: () => void seen.dynamic.push('postback in listen'),
      },
    },
  }).goto_state('initial', 'start');

  // The switch has no 'done' or 'noop' handler of its own: its states' _default takes them.
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => _[KERNEL].delay('end', 0.5),
      end: (_) => {
        const light = _[KERNEL].alias_resolve('switch') as NFA | undefined;
        if (light !== undefined) _[KERNEL].call(light, 'poe_nfa_stop');
      },
    },
  });

  await runBounded(kernel, 10_000);
  seen.stopped = !kernel.ID_session_to_id(stopper);
  return seen;
}

describe('ses_nfa', () => {
  let outcome: Promise<Seen> | undefined;
  const run = () => (outcome ??= scenario());

  it('the light: OBJECT is undefined for inline states, the package for package states, the object for object states', async () => {
    const { objects } = await run();
    expect(objects[0]).toBe('no object');
    // goto_state('off') at start has no entry event: the first entry is 'on', by the first push.
    expect(objects.slice(1)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'object' : 'package')));
  });

  it('the light state matches what the operator expects after each of ten pushes', async () => {
    const { visibility } = await run();
    expect(visibility).toHaveLength(10);
    expect(visibility.every(Boolean)).toBe(true);
  });

  it('an NFA stops itself with stop()', async () => {
    expect((await run()).stopped).toBe(true);
  });

  it('the Fibonacci servlet answers every request through call_state and return_state', async () => {
    expect((await run()).fib).toEqual([[0, 0], [1, 1], [2, 1], [3, 2], [4, 3], [5, 5], [17, 1597], [23, 28657], [29, 514229], [43, 433494437]]);
  });

  it("the kernel's state() adds a handler to an NFA; option(), callback (now, in the current state) and postback (later, in the next)", async () => {
    expect((await run()).dynamic).toEqual([
      'set 1',
      'reset 1',
      'back undefined',
      'callback in initial',
      // Posted after goto_state's own post: it finds the machine in 'listen'.
      'postback in listen',
      'wheel event happened',
      'current true',
      'runstate true',
      'event happened',
    ]);
  });
});

describe('16_nfa_usage: spawn() refuses what POE::NFA->spawn croaks at', () => {
  const kernel = new Kernel();
  it.each([
    ['a non-object', 'foo', /options object/],
    ['no states', { crap: 'foo' }, /requires at least one of the following parameters: inline_states, object_states, package_states/],
    ['an unknown parameter', { inline_states: { initial: { start: () => 0 } }, crap: 'foo' }, /does not recognize these parameter names: crap/],
    ['state data that is not an array', { package_states: { initial: 'foo' } }, /the data for state 'initial' should be an array/],
    ['an odd state array', { package_states: { initial: ['Foo'] } }, /the array for state 'initial' has an odd number of elements/],
    ['events that are neither a list nor a map', { package_states: { initial: ['Foo', 'bar'] } }, /need to be a hash or array ref/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => NFA.spawn((typeof options === 'object' ? { kernel, ...options } : options) as never)).toThrow(message);
  });

  it('makes the most basic machine, one with package_states, and one with an array runstate', async () => {
    const basic = NFA.spawn({ kernel, inline_states: { initial: { start: () => 0 } } });
    expect(basic).toBeInstanceOf(NFA);
    const withPackage = NFA.spawn({ kernel, package_states: { initial: [class Foo {}, ['foo', 'bar']] } });
    expect(withPackage).toBeInstanceOf(NFA);
    const withArray = NFA.spawn({ kernel, package_states: { initial: [class Foo {}, ['foo', 'bar']] }, runstate: [] as unknown[] });
    expect(Array.isArray(withArray.get_runstate())).toBe(true);
    expect(basic.get_current_state()).toBe('(undef)');
    await runBounded(kernel);
  });
});
