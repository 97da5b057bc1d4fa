// Conformance: POE::Test::Loops ses_session (events, _default, SENDER, heaps, postbacks and
// callbacks, object and package states, options, stop(), and running a kernel again).
import { afterAll, describe, expect, it } from 'vitest';
import {
  ARG0,
  ARG1,
  ARG2,
  ARG3,
  ARG4,
  ARG5,
  ARG6,
  ARG7,
  ARG8,
  ARG9,
  HEAP,
  KERNEL,
  Kernel,
  OBJECT,
  SENDER,
  SESSION,
  STATE,
  Session,
  type EventArgs,
  type Postback,
} from '@poets/kernel';
import { runBounded } from './helpers.js';

const EVENT_COUNT = 5;
const MACHINE_COUNT = 10;

afterAll(() => {
  // SIGPIPE was watched and unwatched here: keep this worker safe from a stray one afterwards.
  process.on('SIGPIPE', () => {});
});

describe('ses_session: simple signals', () => {
  it('SIGALRM and SIGPIPE sent to ourselves five times are each caught five times', async () => {
    const kernel = new Kernel();
    const caught = { ALRM: 0, PIPE: 0 };
    Session.create({
      kernel,
      heap: { killsToGo: EVENT_COUNT },
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('ALRM', 'sigalrm_target');
          _[KERNEL].sig('PIPE', 'sigpipe_target');
          _[KERNEL].delay('fire_signals', 0.02);
        },
        fire_signals: (_) => {
          if (_[HEAP].killsToGo-- > 0) {
            _[KERNEL].delay('fire_signals', 0.02);
            process.kill(process.pid, 'SIGALRM');
            process.kill(process.pid, 'SIGPIPE');
          } else {
            // Linger long enough to catch the last ones.
            _[KERNEL].delay('done_waiting', 0.05);
          }
        },
        sigalrm_target: (_) => {
          if (_[ARG0] === 'ALRM') caught.ALRM++;
          _[KERNEL].sig_handled();
        },
        sigpipe_target: (_) => {
          if (_[ARG0] === 'PIPE') caught.PIPE++;
          _[KERNEL].sig_handled();
        },
        done_waiting: (_) => {
          _[KERNEL].sig('ALRM');
          _[KERNEL].sig('PIPE');
        },
        _stop: () => {},
      },
    });
    await runBounded(kernel);
    expect(caught).toEqual({ ALRM: EVENT_COUNT, PIPE: EVENT_COUNT });
  });
});

interface TaskHeap {
  count: number;
  id?: number;
  got_heap: number;
}

/** Ten counting machines: yield/post to themselves, call() themselves, and send "bogus" events to _default. */
async function machines() {
  const kernel = new Kernel();
  const completions: number[] = [];
  let senderCount = 0;
  let defaultCount = 0;
  let gotHeapCount = 0;
  for (let i = 0; i < MACHINE_COUNT; i++) {
    Session.create<TaskHeap>({
      kernel,
      args: [i],
      heap: { count: 0, got_heap: i },
      inline_states: {
        _start: (_) => {
          _[HEAP].count = 0;
          _[KERNEL].yield('count', _[ARG0]);
        },
        count: (_) => {
          const k = _[KERNEL];
          const self = _[SESSION];
          const id = _[ARG0];
          if (_[SENDER] === self) senderCount++;
          if (_[HEAP].count & 1) k.yield('bogus', id);
          else k.post(self, 'bogus', id);
          if ((k.call(self, 'next_count', id) as number) < EVENT_COUNT) {
            if (_[HEAP].count & 1) k.yield('count', id);
            else k.post(self, 'count', id);
          } else {
            _[HEAP].id = id as number;
          }
        },
        next_count: (_) => ++_[HEAP].count,
        _default: (_) => {
          if (_[ARG0] === '_signal') return 0;
          if (_[STATE] === '_default') defaultCount++;
          return undefined;
        },
        _stop: (_) => {
          completions[_[HEAP].id!] = _[HEAP].count;
          if (_[HEAP].got_heap === _[HEAP].id) gotHeapCount++;
        },
      },
    });
  }
  await runBounded(kernel);
  return { completions, senderCount, defaultCount, gotHeapCount };
}

describe('ses_session: counting machines', () => {
  it('each of the ten machines counts to five', async () => {
    expect((await machines()).completions).toEqual(Array(MACHINE_COUNT).fill(EVENT_COUNT));
  });

  it('SENDER is the session itself for its yield()ed and post()ed events', async () => {
    expect((await machines()).senderCount).toBe(MACHINE_COUNT * EVENT_COUNT);
  });

  it('events without a handler reach _default, whose STATE is _default', async () => {
    expect((await machines()).defaultCount).toBe(MACHINE_COUNT * EVENT_COUNT);
  });

  it('the heap given to create() is the heap the handlers see', async () => {
    expect((await machines()).gotHeapCount).toBe(MACHINE_COUNT);
  });
});

describe('ses_session: client and server with postbacks and callbacks', () => {
  async function clientServer() {
    const kernel = new Kernel();
    let postbackOk = true;
    let callbackOk = true;
    const atStop: { active?: unknown; self?: unknown; heap?: unknown; ownHeap?: unknown } = {};
    const responses: string[] = [];
    Session.create({
      kernel,
      heap: { response: 0 },
      inline_states: {
        _start: (_) => void _[KERNEL].alias_set('server'),
        // JavaScript has no DESTROY: the holder of a postback or callback releases it when done.
        sync_query: (_) => {
          const callback = _[ARG0] as Postback;
          callback(++_[HEAP].response);
          callback.release();
        },
        query: (_) => {
          const postback = _[ARG0] as Postback;
          postback(++_[HEAP].response);
          postback.release();
        },
        _stop: () => {},
      },
    });
    Session.create({
      kernel,
      heap: { cookie: 0, sync_called_back: false },
      inline_states: {
        _start: (_) => {
          _[KERNEL].yield('query');
          _[HEAP].cookie = 0;
        },
        query: (_) => {
          const k = _[KERNEL];
          const self = _[SESSION];
          k.post('server', 'query', self.postback('response', ++_[HEAP].cookie));
          _[HEAP].sync_called_back = false;
          k.call('server', 'sync_query', self.callback('sync_response', ++_[HEAP].cookie));
          if (!_[HEAP].sync_called_back) callbackOk = false;
        },
        sync_response: (_) => {
          const req = (_[ARG0] as number[])[0];
          const rsp = (_[ARG1] as number[])[0]! + 1;
          responses.push(`sync ${req}/${rsp}`);
          if (req !== rsp) callbackOk = false;
          _[HEAP].sync_called_back = true;
        },
        response: (_) => {
          const req = (_[ARG0] as number[])[0];
          const rsp = (_[ARG1] as number[])[0]! - 1;
          responses.push(`post ${req}/${rsp}`);
          if (req !== rsp) postbackOk = false;
          if (_[HEAP].cookie < 5) _[KERNEL].yield('query');
        },
        _stop: (_) => {
          const active = _[KERNEL].get_active_session();
          atStop.active = active;
          atStop.self = _[SESSION];
          atStop.heap = (active as Session).get_heap();
          atStop.ownHeap = _[HEAP];
        },
      },
    });
    await runBounded(kernel);
    return { postbackOk, callbackOk, atStop, responses };
  }

  it('a postback posts its event with ARG0 its creation arguments and ARG1 its call arguments', async () => {
    const { postbackOk, responses } = await clientServer();
    expect(postbackOk).toBe(true);
    expect(responses.filter((r) => r.startsWith('post'))).toEqual(['post 1/1', 'post 3/3', 'post 5/5']);
  });

  it('a callback calls its event synchronously, inside the call() that handed it over', async () => {
    const { callbackOk, responses } = await clientServer();
    expect(callbackOk).toBe(true);
    expect(responses.filter((r) => r.startsWith('sync'))).toEqual(['sync 2/2', 'sync 4/4', 'sync 6/6']);
  });

  it('get_active_session() in _stop is the stopping session, and get_heap() is its heap', async () => {
    const { atStop } = await clientServer();
    expect(atStop.active).toBe(atStop.self);
    expect(atStop.heap).toBe(atStop.ownHeap);
  });
});

interface CountHeap {
  count: number;
  id: number;
}

describe('ses_session: object and package states', () => {
  it('object_states and package_states, with an event list or an event → method map, each count to five with OBJECT bound', async () => {
    const objpack: number[] = [];
    type A = EventArgs<CountHeap>;
    const start = (_: A) => {
      _[KERNEL].yield('count');
      _[HEAP].count = 0;
      _[HEAP].id = _[ARG0] as number;
    };
    const stop = (_: A) => {
      objpack[_[HEAP].id] = _[HEAP].count;
    };
    const step = (_: A) => {
      if (++_[HEAP].count < EVENT_COUNT) _[KERNEL].yield('count');
    };
    class UnmappedObject {
      _start(_: A) {
        start(_);
      }
      count(_: A) {
        if (_[OBJECT] instanceof UnmappedObject) step(_);
      }
      _stop(_: A) {
        stop(_);
      }
    }
    class MappedObject {
      my_start(_: A) {
        start(_);
      }
      my_count(_: A) {
        if (_[OBJECT] instanceof MappedObject) step(_);
      }
      my_stop(_: A) {
        stop(_);
      }
    }
    class UnmappedPackage {
      static _start(_: A) {
        start(_);
      }
      static count(_: A) {
        if (_[OBJECT] === UnmappedPackage) step(_);
      }
      static _stop(_: A) {
        stop(_);
      }
    }
    class MappedPackage {
      static my_start(_: A) {
        start(_);
      }
      static my_count(_: A) {
        if (_[OBJECT] === MappedPackage) step(_);
      }
      static my_stop(_: A) {
        stop(_);
      }
    }
    const map = { _start: 'my_start', count: 'my_count', _stop: 'my_stop' };
    const kernel = new Kernel();
    Session.create<CountHeap>({ kernel, object_states: [new UnmappedObject(), ['_start', 'count', '_stop']], args: [0] });
    Session.create<CountHeap>({ kernel, object_states: [new MappedObject(), map], args: [1] });
    Session.create<CountHeap>({ kernel, package_states: [UnmappedPackage, ['_start', 'count', '_stop']], args: [2] });
    Session.create<CountHeap>({ kernel, package_states: [MappedPackage, map], args: [3] });
    await runBounded(kernel);
    expect(objpack).toEqual([EVENT_COUNT, EVENT_COUNT, EVENT_COUNT, EVENT_COUNT]);
  });
});

describe('ses_session: options', () => {
  it('option(name, value) returns the previous value and sets the new one; option(name) reads it', async () => {
    const kernel = new Kernel({ warn: () => {} });
    const got: unknown[] = [];
    Session.create({
      kernel,
      options: { default: true },
      inline_states: {
        _start: (_) => {
          const self = _[SESSION];
          const orig = self.option('default', true);
          got.push(orig, self.option('default'), self.option('default', orig), self.option('default'));
          _[KERNEL].yield('idle');
        },
        idle: () => {},
        _stop: () => {},
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([true, true, true, true]);
  });
});

describe('ses_session: create() arguments', () => {
  it('create() refuses malformed arguments: no states at all, or an object_states list of odd length', () => {
    const kernel = new Kernel();
    expect(() => Session.create({ kernel })).toThrow(TypeError);
    expect(() => Session.create({ kernel, object_states: [{}, ['a'], {}] })).toThrow(TypeError);
  });
});

describe('ses_session: the kernel outside run()', () => {
  it('get_active_session() is the kernel before run() and after it returns', async () => {
    const kernel = new Kernel();
    Session.create({ kernel, inline_states: { _start: (_) => void _[KERNEL].yield('x'), x: () => {} } });
    const before = kernel.get_active_session();
    await runBounded(kernel);
    expect(before).toBe(kernel);
    expect(kernel.get_active_session()).toBe(kernel);
  });
});

describe('ses_session: ARG constants', () => {
  it('ARG0..ARG9 are consecutive', () => {
    const args = [ARG0, ARG1, ARG2, ARG3, ARG4, ARG5, ARG6, ARG7, ARG8, ARG9];
    expect(args.map((a, i) => a - ARG0 - i)).toEqual(Array(10).fill(0));
  });
});

/** Four nested sessions, each holding an hour-long timer and an alias; the outermost calls stop(). */
function nestedForStop(kernel: Kernel) {
  const counts = { stop: 0, parent: 0, childLose: 0 };
  const level = (depth: number): Record<string, (_: EventArgs) => unknown> => ({
    _start: (_) => {
      if (depth < 4) Session.create({ kernel, inline_states: level(depth + 1) });
      _[KERNEL].delay('nonexistent', 3600);
      _[KERNEL].alias_set(`test${depth}`);
      if (depth === 1) _[KERNEL].yield('stop');
    },
    _parent: () => void counts.parent++,
    _child: (_) => {
      if (_[ARG0] === 'lose') counts.childLose++;
    },
    _stop: () => void counts.stop++,
    ...(depth === 1 ? { stop: (_: EventArgs) => _[KERNEL].stop() } : {}),
  });
  Session.create({ kernel, inline_states: level(1) });
  return counts;
}

describe('ses_session: stop()', () => {
  it('stop() ends run() at once, and every session gets _stop, children before parents', async () => {
    const kernel = new Kernel();
    const counts = nestedForStop(kernel);
    await runBounded(kernel);
    expect(counts.stop).toBe(4);
    expect(counts.childLose).toBe(3);
    expect(counts.parent).toBe(0);
  });

  it('after stop(), the same kernel runs a new session (trace, default and debug on) normally', async () => {
    const lines: string[] = [];
    const kernel = new Kernel({ warn: (line) => void lines.push(line) });
    nestedForStop(kernel);
    await runBounded(kernel);
    const seen: string[] = [];
    Session.create({
      kernel,
      options: { trace: true, default: true, debug: true },
      inline_states: {
        _start: (_) => {
          seen.push('_start');
          _[KERNEL].yield('woot');
          _[KERNEL].delay('narf', 0.05);
        },
        woot: () => void seen.push('woot'),
        narf: () => void seen.push('narf'),
        _stop: () => void seen.push('_stop'),
      },
    });
    await runBounded(kernel);
    expect(seen).toEqual(['_start', 'woot', 'narf', '_stop']);
    expect(lines.some((line) => line.includes('woot'))).toBe(true);
  });
});
