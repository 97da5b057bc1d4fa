import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, KERNEL, Kernel, SESSION, Session, SessionDiedError, type DieInfo } from '../src/index.js';

describe('signals', () => {
  it('delivers a signal to the session and its descendants, children first', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('root');
          _[KERNEL].sig('USR1', 'got');
          Session.create({
            inline_states: {
              _start: (c) => {
                c[KERNEL].alias_set('child');
                c[KERNEL].sig('USR1', 'got');
                Session.create({
                  inline_states: {
                    _start: (g) => {
                      g[KERNEL].alias_set('grandchild');
                      g[KERNEL].sig('USR1', 'got');
                    },
                    got: () => void log.push('grandchild'),
                  },
                });
              },
              got: () => void log.push('child'),
            },
          });
          _[KERNEL].yield('fire');
        },
        fire: (_) => _[KERNEL].signal(_[SESSION], 'USR1'),
        got: (_) => {
          log.push(`root ${String(_[ARG0])}`);
          _[KERNEL].alias_remove('root');
          _[KERNEL].stop();
        },
      },
    });
    await kernel.run();
    expect(log).toEqual(['grandchild', 'child', 'root USR1']);
  });

  it('stops the sessions an unhandled terminal signal reaches, and spares them when handled', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    for (const handles of [true, false]) {
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => {
            _[KERNEL].alias_set(`s-${handles}`);
            _[KERNEL].sig('TERM', 'term');
          },
          term: (_) => {
            log.push(`term ${handles}`);
            if (handles) {
              _[KERNEL].sig_handled();
              _[KERNEL].alias_remove(`s-${handles}`);
            }
          },
          _stop: () => void log.push(`stop ${handles}`),
        },
      });
    }
    Session.create({ kernel, inline_states: { _start: (_) => void _[KERNEL].signal('s-false', 'TERM') } });
    Session.create({ kernel, inline_states: { _start: (_) => void _[KERNEL].signal('s-true', 'TERM') } });
    await kernel.run();
    expect(log).toEqual(['term false', 'stop false', 'term true', 'stop true']);
  });

  it('turns a throwing handler into DIE; handled, the kernel goes on', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('DIE', 'oops');
          _[KERNEL].yield('boom', 1);
          _[KERNEL].yield('after');
        },
        boom: () => {
          throw new Error('kaboom');
        },
        oops: (_) => {
          const info = _[ARG1] as DieInfo;
          log.push([_[ARG0], info.event, (info.error as Error).message, info.dest_session === _[SESSION], info.error_str.includes('kaboom')]);
          _[KERNEL].sig_handled();
        },
        after: () => void log.push('after'),
      },
    });
    await kernel.run();
    // DIE is queued like any signal, behind what was already waiting.
    expect(log).toEqual(['after', ['DIE', 'boom', 'kaboom', true, true]]);
  });

  it('propagates DIE to the ancestors of the session that threw', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('DIE', 'caught');
          Session.create({ inline_states: { _start: (c) => c[KERNEL].yield('boom'), boom: () => { throw new Error('child failed'); } } });
        },
        caught: (_) => {
          log.push(`parent caught ${((_[ARG1] as DieInfo).error as Error).message}`);
          _[KERNEL].sig_handled();
        },
      },
    });
    await kernel.run();
    expect(log).toEqual(['parent caught child failed']);
  });

  it('unhandled DIE stops every session cleanly and run() rejects naming the session and event', async () => {
    const kernel = new Kernel();
    const stopped: string[] = [];
    Session.create({ kernel, inline_states: { _start: (_) => void _[KERNEL].alias_set('bystander'), _stop: () => void stopped.push('bystander') } });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => _[KERNEL].yield('explode'),
        explode: () => {
          throw new TypeError('bad thing');
        },
        _stop: () => void stopped.push('thrower'),
      },
    });
    const error = await kernel.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionDiedError);
    expect((error as Error).message).toBe("session 2 died in event 'explode': bad thing");
    expect((error as SessionDiedError).cause).toBeInstanceOf(TypeError);
    expect(stopped.sort()).toEqual(['bystander', 'thrower']);
    // The kernel can run again afterwards.
    let again = false;
    Session.create({ kernel, inline_states: { _start: () => void (again = true) } });
    await kernel.run();
    expect(again).toBe(true);
  });

  it('an error thrown in a DIE handler or in _stop ends the run with both errors', async () => {
    const kernel = new Kernel();
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('DIE', 'die_handler');
          _[KERNEL].yield('first');
        },
        first: () => {
          throw new Error('first');
        },
        die_handler: () => {
          throw new Error('second');
        },
      },
    });
    await expect(kernel.run()).rejects.toThrow(/'first': first\nAdditional error thrown in handler for previous error:\n.*'die_handler': second/);
  });

  it('IDLE reaches sessions held only by aliases, then ZOMBIE if they stay', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('lonely');
          _[KERNEL].sig('IDLE', 'idle');
          _[KERNEL].sig('ZOMBIE', 'zombie');
        },
        idle: (_) => {
          log.push('idle');
          _[KERNEL].sig_handled();
        },
        zombie: () => void log.push('zombie'),
        _stop: () => void log.push('stop'),
      },
    });
    await kernel.run();
    expect(log).toEqual(['idle', 'zombie', 'stop']);
  });

  it('plain sig watchers do not keep a session alive', async () => {
    const kernel = new Kernel();
    let stopped = false;
    Session.create({ kernel, inline_states: { _start: (_) => _[KERNEL].sig('USR2', 'usr2'), _stop: () => void (stopped = true) } });
    await kernel.run();
    expect(stopped).toBe(true);
  });

  it('catches a real process signal only while a session watches it', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    const before = process.listenerCount('SIGUSR2');
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('USR2', 'usr2');
          _[KERNEL].refcount_increment(_[SESSION].ID(), 'wait');
          setTimeout(() => process.kill(process.pid, 'SIGUSR2'), 5);
        },
        usr2: (_) => {
          got.push(_[ARG0]);
          expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
          _[KERNEL].sig('USR2');
          _[KERNEL].refcount_decrement(_[SESSION].ID(), 'wait');
        },
      },
    });
    await kernel.run();
    expect(got).toEqual(['USR2']);
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });

  it('sig_child delivers a real child exit status and holds the session until then', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const child = spawn('sh', ['-c', 'exit 3'], { stdio: 'ignore' });
          _[KERNEL].watchChildProcess(child);
          _[KERNEL].sig_child(child.pid!, 'reaped', 'extra');
        },
        reaped: (_) => void got.push(_[ARG0], typeof _[ARG1], _[ARG2], _[ARG0 + 3]),
      },
    });
    await kernel.run();
    expect(got).toEqual(['CHLD', 'number', 3 << 8, 'extra']);
  });

  it('a signal to a tree that is stopping reaches only what is still alive', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('tree');
          _[KERNEL].sig('USR1', 'usr1');
          _[KERNEL].yield('go');
        },
        go: (_) => {
          _[KERNEL].signal('tree', 'USR1');
          _[KERNEL].stop();
        },
        usr1: () => void log.push('usr1'),
        _stop: (_) => {
          log.push('stop');
          log.push(String(_[KERNEL].signal('tree', 'USR1')));
        },
      },
    });
    await kernel.run();
    expect(log).toEqual(['stop', 'true']);
  });
});
