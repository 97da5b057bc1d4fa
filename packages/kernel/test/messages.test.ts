import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, CALLER_FILE, CALLER_LINE, CALLER_STATE, HEAP, KERNEL, Kernel, SENDER, SESSION, STATE, Session, UsageError } from '../src/index.js';

describe('post, yield and call', () => {
  it('delivers posts and yields in FIFO order with their arguments', async () => {
    const kernel = new Kernel();
    const seen: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].yield('a', 1);
          _[KERNEL].post(_[SESSION], 'b', 2, 'two');
          _[KERNEL].yield('c');
        },
        a: (_) => seen.push(['a', ..._.slice(ARG0)]),
        b: (_) => seen.push(['b', ..._.slice(ARG0)]),
        c: (_) => seen.push(['c', ..._.slice(ARG0)]),
      },
    });
    await kernel.run();
    expect(seen).toEqual([['a', 1], ['b', 2, 'two'], ['c']]);
  });

  it('fills the handler slots as POE does', async () => {
    const kernel = new Kernel();
    let slots: unknown[] = [];
    let sender: unknown;
    const receiver = Session.create({
      kernel,
      heap: { mine: true },
      inline_states: { _start: (_) => void _[KERNEL].alias_set('rx'), got: (_) => void (slots = [..._]) },
    });
    const poster = Session.create({
      kernel,
      inline_states: {
        _start: (_) => _[KERNEL].yield('send'),
        send: (_) => {
          sender = _[SESSION];
          _[KERNEL].post('rx', 'got', 'x');
          _[KERNEL].alias_remove('nothing');
        },
      },
    });
    await kernel.run();
    expect(slots[SESSION]).toBe(receiver);
    expect(slots[KERNEL]).toBe(kernel);
    expect(slots[HEAP]).toEqual({ mine: true });
    expect(slots[STATE]).toBe('got');
    expect(slots[SENDER]).toBe(poster);
    expect(sender).toBe(poster);
    expect(slots[CALLER_STATE]).toBe('send');
    expect(slots[CALLER_FILE]).toBeUndefined();
    expect(slots[ARG0]).toBe('x');
  });

  it('fills caller file and line only when asked for', async () => {
    const kernel = new Kernel({ callerInfo: true });
    let file: unknown;
    let line: unknown;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => _[KERNEL].yield('here'),
        here: (_) => {
          file = _[CALLER_FILE];
          line = _[CALLER_LINE];
        },
      },
    });
    await kernel.run();
    expect(String(file)).toMatch(/messages\.test\.ts$/);
    expect(line).toEqual(expect.any(Number));
  });

  it('call runs at once, returns the handler value and nests', async () => {
    const kernel = new Kernel();
    const order: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].alias_set('math'),
        double: (_) => {
          order.push('double');
          return (_[ARG0] as number) * 2;
        },
        quad: (_) => (_[KERNEL].call(_[SESSION], 'double', _[ARG0]) as number) * 2,
      },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          order.push('before');
          order.push(String(_[KERNEL].call('math', 'quad', 5)));
          order.push('after');
          _[KERNEL].alias_remove('math');
        },
      },
    });
    expect(order).toEqual(['before', 'double', '20', 'after']);
    await kernel.run();
  });

  it('refuses a missing destination with ESRCH and keeps running the others', async () => {
    const kernel = new Kernel();
    const results: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          results.push(_[KERNEL].post('nobody', 'x'));
          results.push(_[KERNEL].lastError?.code);
          results.push(_[KERNEL].call(9999, 'x'));
          results.push(_[KERNEL].signal('nobody', 'USR1'));
          _[KERNEL].yield('still');
        },
        still: () => void results.push('still running'),
      },
    });
    await kernel.run();
    expect(results).toEqual([false, 'ESRCH', undefined, false, 'still running']);
  });

  it('resolves destinations by Session, ID, numeric string and alias', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    const target = Session.create({
      kernel,
      inline_states: { _start: (_) => void _[KERNEL].alias_set('t'), hit: (_) => void got.push(_[ARG0]) },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          k.post(target, 'hit', 'session');
          k.post(target.ID(), 'hit', 'id');
          k.post(String(target.ID()), 'hit', 'id string');
          k.post('t', 'hit', 'alias');
          k.yield('done');
        },
        done: (_) => _[KERNEL].post('t', 'bye'),
      },
    });
    Session.create({ kernel, inline_states: { _start: () => {} } });
    target.option('default', false);
    await kernel.run_while(() => got.length < 4);
    expect(got).toEqual(['session', 'id', 'id string', 'alias']);
  });

  it('never loses an event whose destination was alive when it was posted', async () => {
    const kernel = new Kernel();
    let received = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('sink');
          for (let i = 0; i < 1000; i++) _[KERNEL].yield('one');
        },
        one: (_) => {
          received++;
          if (received === 1000) _[KERNEL].alias_remove('sink');
        },
      },
    });
    await kernel.run();
    expect(received).toBe(1000);
  });

  it('yield outside a session is a usage error', () => {
    const kernel = new Kernel();
    expect(() => kernel.yield('x')).toThrow(UsageError);
    expect(() => kernel.delay('x', 1)).toThrow(/running session/);
  });

  it('sends unknown events to _default with the name and the argument list', async () => {
    const kernel = new Kernel();
    const seen: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => _[KERNEL].yield('mystery', 1, 2),
        _default: (_) => {
          if (_[ARG0] === 'mystery') seen.push(_[ARG0], _[ARG1], _[STATE]);
          return 0;
        },
      },
    });
    await kernel.run();
    expect(seen).toEqual(['mystery', [1, 2], '_default']);
  });

  it('warns of an unhandled event when the default option is on', async () => {
    const lines: string[] = [];
    const kernel = new Kernel({ warn: (line) => lines.push(line) });
    Session.create({
      kernel,
      options: { default: true },
      inline_states: { _start: (_) => _[KERNEL].yield('nobody_handles_this') },
    });
    await kernel.run();
    expect(lines.join('\n')).toMatch(/'nobody_handles_this' event .* has neither a handler for it nor one for _default/);
  });

  it('traces dispatches when the trace option is on', async () => {
    const lines: string[] = [];
    const kernel = new Kernel({ warn: (line) => lines.push(line) });
    Session.create({ kernel, options: { trace: true }, inline_states: { _start: (_) => _[KERNEL].yield('step'), step: () => {} } });
    await kernel.run();
    expect(lines.some((line) => /^\d+ -> step \(from .*messages\.test\.ts at \d+\)$/.test(line))).toBe(true);
  });
});
