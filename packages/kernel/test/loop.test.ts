import { createServer, connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, SESSION, Session, poe_kernel } from '../src/index.js';

describe('the run loop', () => {
  it('resolves run() when no session is left, and runs again afterwards', async () => {
    const kernel = new Kernel();
    await kernel.run(); // no sessions: returns at once
    for (const round of [1, 2, 3]) {
      let ticks = 0;
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => _[KERNEL].delay('tick', 0.001),
          tick: (_) => {
            if (++ticks < round) _[KERNEL].delay('tick', 0.001);
          },
        },
      });
      await kernel.run();
      expect(ticks).toBe(round);
    }
  });

  it('a session that yields to itself forever does not starve a real socket or a real timer', async () => {
    const kernel = new Kernel();
    const server = createServer((socket) => socket.end('hello\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let spins = 0;
    const outside: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('spinner');
          _[KERNEL].yield('spin');
        },
        spin: (_) => {
          spins++;
          _[KERNEL].yield('spin');
        },
        outside: (_) => {
          outside.push(_[ARG0] as string);
          if (outside.length === 2) _[KERNEL].stop();
        },
      },
    });
    setTimeout(() => kernel.post('spinner', 'outside', 'timer'), 20);
    const client = connect(port, '127.0.0.1');
    client.on('data', (data) => kernel.post('spinner', 'outside', `socket ${data.toString().trim()}`));
    const deadline = setTimeout(() => kernel.stop(), 15_000); // a bound for a loaded machine, not a timing assertion
    await kernel.run();
    clearTimeout(deadline);
    client.destroy();
    server.close();
    expect(outside.sort()).toEqual(['socket hello', 'timer']);
    expect(spins).toBeGreaterThan(1000);
  });

  it('run_while stops when its condition turns false; run_one_timeslice runs one batch', async () => {
    const kernel = new Kernel();
    let count = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('counter');
          _[KERNEL].yield('step');
        },
        step: (_) => {
          count++;
          _[KERNEL].yield('step');
        },
        halt: (_) => void _[KERNEL].stop(),
      },
    });
    await kernel.run_while(() => count < 50);
    expect(count).toBeGreaterThanOrEqual(50);
    const before = count;
    expect(kernel.run_one_timeslice()).toBe(true);
    expect(count).toBe(before + 1);
    kernel.post('counter', 'halt');
    kernel.run_one_timeslice();
    expect(kernel.run_one_timeslice()).toBe(false);
  });

  it('stop() ends every session, children before parents', async () => {
    const kernel = new Kernel();
    const order: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('parent');
          Session.create({ inline_states: { _start: (c) => void c[KERNEL].alias_set('child'), _stop: () => void order.push('child') } });
          _[KERNEL].delay('end', 0.01);
        },
        end: (_) => _[KERNEL].stop(),
        _stop: () => void order.push('parent'),
      },
    });
    await kernel.run();
    expect(order).toEqual(['child', 'parent']);
  });

  it('keeps isolated kernels apart, and Session.create joins the kernel that is dispatching', async () => {
    const a = new Kernel();
    const b = new Kernel();
    const seen: string[] = [];
    const make = (kernel: Kernel, name: string) =>
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => {
            _[KERNEL].alias_set('same-alias');
            Session.create({ inline_states: { _start: (c) => void seen.push(`${name} child in ${c[KERNEL] === kernel ? 'same' : 'other'} kernel`) } });
            _[KERNEL].delay('done', 0.005);
          },
          done: (_) => {
            seen.push(`${name} done`);
            _[KERNEL].alias_remove('same-alias');
          },
        },
      });
    make(a, 'a');
    make(b, 'b');
    expect(a.alias_resolve('same-alias')).not.toBe(b.alias_resolve('same-alias'));
    await Promise.all([a.run(), b.run()]);
    expect(seen.sort()).toEqual(['a child in same kernel', 'a done', 'b child in same kernel', 'b done']);
    expect(poe_kernel.get_event_count()).toBe(0);
  });

  it('postbacks hold their session until released, and post ARG0 given / ARG1 called args', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    let stopped = false;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const postback = _[SESSION].postback('answer', 'req-1');
          setTimeout(() => {
            postback('reply', 42);
            postback.release();
            postback.release();
          }, 10);
        },
        answer: (_) => void got.push(_[ARG0], _[ARG1]),
        _stop: () => void (stopped = true),
      },
    });
    await kernel.run();
    expect(got).toEqual([['req-1'], ['reply', 42]]);
    expect(stopped).toBe(true);
  });

  it('callbacks call synchronously and return the handler value', async () => {
    const kernel = new Kernel();
    let result: unknown;
    Session.create({
      kernel,
      heap: { base: 10 },
      inline_states: {
        _start: (_) => {
          const callback = _[SESSION].callback('add', 5);
          setTimeout(() => {
            result = callback(7);
            callback.release();
          }, 5);
        },
        add: (_) => _[HEAP].base + (_[ARG0] as number[])[0]! + (_[ARG1] as number[])[0]!,
      },
    });
    await kernel.run();
    expect(result).toBe(22);
  });

  it('session options can be read and changed', () => {
    const kernel = new Kernel();
    const s = Session.create({ kernel, options: { trace: false }, inline_states: { _start: () => {} } });
    expect(s.option('trace')).toBe(false);
    expect(s.option('debug', true)).toBeUndefined();
    expect(s.option('debug')).toBe(true);
    expect(s.get_heap()).toEqual({});
    kernel.stop();
  });
});
