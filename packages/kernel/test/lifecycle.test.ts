import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Kernel, OBJECT, SESSION, Session, type EventArgs } from '../src/index.js';

describe('session lifecycle', () => {
  it('passes args to _start and stops an idle session with _stop', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create({
      kernel,
      args: ['a', 2],
      inline_states: {
        _start: (_) => void log.push(['start', ..._.slice(ARG0)]),
        _stop: () => void log.push('stop'),
      },
    });
    expect(log).toEqual([['start', 'a', 2]]);
    await kernel.run();
    expect(log).toEqual([['start', 'a', 2], 'stop']);
  });

  it('tells parents of children created and lost, with _start and _stop values', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    const child = (name: string, life: number) => ({
      args: [name],
      inline_states: {
        _start: (_: EventArgs) => {
          _[HEAP].name = _[ARG0];
          _[KERNEL].delay('end', life);
          return `${name} started`;
        },
        end: () => {},
        _stop: (_: EventArgs) => `${_[HEAP].name} stopped`,
      },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          Session.create({
            inline_states: {
              _start: (p) => {
                Session.create(child('short', 0.01));
                Session.create(child('long', 0.06));
                // Children hold their parent: this timer ends long before the parent does.
                p[KERNEL].delay('end', 0.03);
              },
              end: () => void log.push('parent timer'),
              _child: (p) => void log.push(['parent _child', p[ARG0], (p[ARG1] as Session).ID(), p[ARG2]]),
            },
          });
        },
        _child: (_) => void log.push(['grandparent _child', _[ARG0], (_[ARG1] as Session).ID(), _[ARG2]]),
      },
    });
    await kernel.run();
    // IDs: grandparent 1, parent 2, short 3, long 4.
    expect(log).toEqual([
      ['parent _child', 'create', 3, 'short started'],
      ['parent _child', 'create', 4, 'long started'],
      ['grandparent _child', 'create', 2, undefined],
      ['parent _child', 'lose', 3, 'short stopped'],
      'parent timer',
      ['parent _child', 'lose', 4, 'long stopped'],
      ['grandparent _child', 'lose', 2, undefined],
    ]);
  });

  it('holds a session while events it sent are pending elsewhere', async () => {
    const kernel = new Kernel();
    const order: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].alias_set('sink'),
        got: (_) => {
          order.push('got');
          _[KERNEL].alias_remove('sink');
        },
        _stop: () => void order.push('sink stop'),
      },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => _[KERNEL].yield('send'),
        // Once this returns, only the event it sent holds the sender.
        send: (_) => void _[KERNEL].post('sink', 'got'),
        _stop: () => void order.push('sender stop'),
      },
    });
    await kernel.run();
    expect(order).toEqual(['got', 'sink stop', 'sender stop']);
  });

  it('keeps a session by extra refcounts until they are released', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    const s = Session.create({ kernel, inline_states: { _start: () => {}, _stop: () => void log.push('stop') } });
    expect(kernel.refcount_increment(s.ID(), 'job')).toBe(1);
    expect(kernel.refcount_increment(s.ID(), 'job')).toBe(2);
    expect(kernel.refcount_increment(999, 'job')).toBeUndefined();
    expect(kernel.lastError?.code).toBe('ESRCH');
    const running = kernel.run();
    setTimeout(() => {
      log.push(kernel.refcount_decrement(s.ID(), 'job'));
      setTimeout(() => log.push(kernel.refcount_decrement(s.ID(), 'job')), 10);
    }, 10);
    await running;
    expect(log).toEqual([1, 0, 'stop']);
  });

  it('detach_myself and detach_child move a session under the kernel', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          Session.create({
            inline_states: {
              _start: (c) => void c[KERNEL].yield('leave'),
              leave: (c) => void log.push(['detach_myself', c[KERNEL].detach_myself()]),
              _parent: (c) => void log.push(['_parent', c[ARG0] instanceof Session, c[ARG1] === c[KERNEL]]),
            },
          });
          const kid = Session.create({ inline_states: { _start: () => {}, _parent: () => void log.push('kid _parent') } });
          log.push(['detach_child', _[KERNEL].detach_child(kid)]);
          log.push(['again', _[KERNEL].detach_child(kid), _[KERNEL].lastError?.code]);
        },
        _child: (_) => void log.push(['_child', _[ARG0]]),
      },
    });
    await kernel.run();
    expect(log).toEqual([
      ['_child', 'create'],
      ['_child', 'create'],
      ['_child', 'lose'],
      'kid _parent',
      ['detach_child', true],
      ['again', false, 'EPERM'],
      ['_child', 'lose'],
      ['_parent', true, true],
      ['detach_myself', true],
    ]);
  });

  it('adds, replaces and removes states at run time', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    const helper = { greet: (_: EventArgs) => void log.push(`method ${String(_[ARG0])}`) };
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].state('dyn', () => void log.push('inline'));
          _[KERNEL].yield('dyn');
          _[KERNEL].yield('swap');
        },
        swap: (_) => {
          _[KERNEL].state('dyn', helper, 'greet');
          _[KERNEL].yield('dyn', 'x');
          _[KERNEL].yield('drop');
        },
        drop: (_) => {
          _[KERNEL].state('dyn');
          _[KERNEL].yield('dyn');
        },
        _default: (_) => void log.push(`default ${String(_[ARG0])}`),
      },
    });
    await kernel.run();
    // _default receives every unhandled event, _stop included, as in POE.
    expect(log).toEqual(['inline', 'method x', 'default dyn', 'default _stop']);
  });

  it('binds object_states and package_states in both list and map forms', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    class Counter {
      count = 0;
      _start(_: EventArgs) {
        _[KERNEL].yield('bump');
        _[KERNEL].yield('static_one');
        _[KERNEL].yield('mapped');
      }
      bump(_: EventArgs) {
        this.count++;
        log.push(`bump ${this.count} ${_[0] === this}`);
      }
    }
    class Tools {
      static static_one(_: EventArgs) {
        log.push(`static ${_[0] === Tools}`);
      }
      static renamed() {
        log.push('renamed');
      }
    }
    Session.create({
      kernel,
      object_states: [new Counter(), ['_start', 'bump']],
      package_states: [Tools, ['static_one'], Tools, { mapped: 'renamed' }],
    });
    await kernel.run();
    expect(log).toEqual(['bump 1 true', 'static true', 'renamed']);
  });

  it('state(event, _[OBJECT]) in a package_states session binds the class method of that name, as POE binds a package', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    class Pkg {
      static _start(_: EventArgs) {
        // POE: $_[KERNEL]->state(added => $_[OBJECT]) in a package session.
        _[KERNEL].state('added', _[OBJECT] as object);
        _[KERNEL].state('renamed', _[OBJECT] as object, 'other');
        _[KERNEL].yield('added', 1);
        _[KERNEL].yield('renamed', 2);
      }
      static added(_: EventArgs) {
        log.push(`added ${String(_[ARG0])} ${_[OBJECT] === Pkg} ${this === Pkg}`);
      }
      static other(_: EventArgs) {
        log.push(`other ${String(_[ARG0])}`);
      }
    }
    const module = { added: (_: EventArgs) => void log.push(`module ${String(_[ARG0])}`) };
    Session.create({ kernel, package_states: [Pkg, ['_start']] });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].state('added', module);
          _[KERNEL].yield('added', 3);
        },
      },
    });
    await kernel.run();
    expect(log).toEqual(['added 1 true true', 'other 2', 'module 3']);
  });

  it('refuses a session without states, and bad bindings, at create', () => {
    const kernel = new Kernel();
    expect(() => Session.create({ kernel })).toThrow(/no states/);
    expect(() => Session.create({ kernel, object_states: [{}] })).toThrow(/object_states/);
  });

  it('lets _stop call its own session, and refuses calls after it is gone', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    const s = Session.create({
      kernel,
      inline_states: {
        _start: () => {},
        ping: () => 'pong',
        _stop: (_) => void log.push(_[KERNEL].call(_[SESSION], 'ping')),
      },
    });
    await kernel.run();
    expect(log).toEqual(['pong']);
    expect(kernel.call(s, 'ping')).toBeUndefined();
    expect(kernel.lastError?.code).toBe('ESRCH');
  });
});
