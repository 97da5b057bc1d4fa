// Conformance: POE::Test::Loops k_signals (CHLD from real children, nested sessions and IDLE,
// process signals sent to ourselves).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, ESRCH, HEAP, KERNEL, Kernel, SENDER, SESSION, Session } from '@poets/kernel';
import { runBounded, signalIgnored } from './helpers.js';

const FORK_COUNT = 8;

interface ReapHeap {
  forked: number;
  reaped: number;
  killed: number;
  children: Map<number, ChildProcess>;
  statuses: Map<number, unknown>;
}

describe('k_signals: CHLD for real child processes', () => {
  it('every child started is reaped exactly once, with SIGINT in its wait status', async () => {
    const kernel = new Kernel();
    let final: ReapHeap | undefined;
    Session.create<ReapHeap>({
      kernel,
      heap: { forked: 0, reaped: 0, killed: 0, children: new Map(), statuses: new Map() },
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          const heap = _[HEAP];
          const session = _[SESSION];
          k.sig('CHLD', 'catch_sigchld');
          // Hold the session until every child runs (POE blocks on a pipe here instead).
          k.refcount_increment(session.ID(), 'forking');
          let ready = 0;
          for (let i = 0; i < FORK_COUNT; i++) {
            const child = spawn('sleep', ['30'], { stdio: 'ignore' });
            k.watchChildProcess(child);
            heap.children.set(child.pid!, child);
            heap.forked++;
            child.once('spawn', () => {
              if (++ready === FORK_COUNT) {
                k.post(session, 'forking_time_is_up');
                k.refcount_decrement(session.ID(), 'forking');
              }
            });
          }
        },
        forking_time_is_up: (_) => {
          const heap = _[HEAP];
          for (const pid of heap.children.keys()) if (process.kill(pid, 'SIGINT')) heap.killed++;
          // A cap, in case some CHLD never arrives.
          _[KERNEL].delay('reaping_time_is_up', 2);
        },
        catch_sigchld: (_) => {
          const heap = _[HEAP];
          heap.statuses.set(_[ARG1] as number, _[ARG2]);
          // Once all are in, linger a little to catch any extra CHLD.
          if (++heap.reaped >= FORK_COUNT) _[KERNEL].delay('reaping_time_is_up', 0.05);
        },
        reaping_time_is_up: (_) => {
          _[KERNEL].sig('CHLD');
        },
        _stop: (_) => {
          final = _[HEAP];
        },
      },
    });
    await runBounded(kernel, 5000);
    expect(final!.forked).toBe(FORK_COUNT);
    expect(final!.killed).toBe(FORK_COUNT);
    expect(final!.reaped).toBe(final!.forked);
    expect([...final!.statuses.keys()].sort()).toEqual([...final!.children.keys()].sort());
    // A wait status as Perl's $? holds it: the signal number (SIGINT = 2) in the low byte.
    expect(new Set(final!.statuses.values())).toEqual(new Set([2]));
  });
});

describe('k_signals: nested sessions and IDLE (the mstevens case)', () => {
  it('a client whose aliased child server answered it: IDLE stops both, child first, and run() returns', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    let client!: Session;
    let server: Session | undefined;
    client = Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          Session.create({
            kernel,
            inline_states: {
              _start: (s) => {
                server = s[SESSION];
                s[KERNEL].alias_set('server');
              },
              do_thing: (s) => {
                log.push(`server do_thing ${String(s[ARG0])} from ${s[SENDER] === client ? 'client' : '?'}`);
                s[KERNEL].post(s[SENDER] as Session, 'thing_done', s[ARG0]);
              },
              _child: () => 0,
              _stop: () => {
                log.push('server _stop');
                return 0;
              },
            },
          });
          _[KERNEL].post('server', 'do_thing', 1);
        },
        thing_done: (_) => {
          log.push(`client thing_done ${String(_[ARG0])}`);
          return 0;
        },
        _child: (_) => {
          log.push(`client _child ${String(_[ARG0])} ${_[ARG1] !== undefined && _[ARG1] === server ? 'server' : '?'}`);
          return 0;
        },
        _stop: () => {
          log.push('client _stop');
          return 0;
        },
      },
    });
    await runBounded(kernel);
    expect(log).toEqual([
      'client _child create server',
      'server do_thing 1 from client',
      'client thing_done 1',
      'server _stop',
      'client _child lose server',
      'client _stop',
    ]);
  });
});

describe('k_signals: process signals sent to ourselves', () => {
  afterAll(() => {
    // Whatever the kernel left behind, keep this worker safe from a stray SIGPIPE.
    process.on('SIGPIPE', () => {});
  });

  it('SIGUSR1 and SIGPIPE sent with kill reach their watchers once each', async () => {
    const kernel = new Kernel();
    const sent: boolean[] = [];
    let counts: { usr1: number; pipe: number } | undefined;
    const reduce = (k: Kernel, heap: { usr1: number; pipe: number }) => {
      if (heap.usr1 && heap.pipe) k.delay('signal_wait_timeout', 0.01);
    };
    Session.create({
      kernel,
      heap: { usr1: 0, pipe: 0 },
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('USR1', 'got_usr1');
          _[KERNEL].sig('PIPE', 'got_pipe');
          _[KERNEL].yield('send_signals');
        },
        send_signals: (_) => {
          sent.push(process.kill(process.pid, 'SIGUSR1'));
          sent.push(process.kill(process.pid, 'SIGPIPE'));
          _[KERNEL].delay('signal_wait_timeout', 1);
        },
        got_usr1: (_) => {
          _[HEAP].usr1++;
          reduce(_[KERNEL], _[HEAP]);
        },
        got_pipe: (_) => {
          _[HEAP].pipe++;
          reduce(_[KERNEL], _[HEAP]);
        },
        signal_wait_timeout: (_) => {
          _[KERNEL].sig('USR1');
          _[KERNEL].sig('PIPE');
        },
        _stop: (_) => {
          counts = { ..._[HEAP] };
        },
      },
    });
    await runBounded(kernel);
    expect(sent).toEqual([true, true]);
    expect(counts).toEqual({ usr1: 1, pipe: 1 });
  });

  // POE::Loop::PerlSignals (loop_ignore_signal): an unwatched PIPE goes back to IGNORE, not DEFAULT,
  // so a write to a closed socket after the last PIPE watcher left cannot kill the program.
  // POE sets SIGPIPE back to IGNORE; Node cannot ignore a signal, so the kernel keeps a no-op
  // listener: the disposition differs (caught, not ignored), the effect is POE's.
  it('SIGPIPE is harmless again once its last watcher is gone', async () => {
    const kernel = new Kernel();
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('PIPE', 'got_pipe');
          _[KERNEL].yield('unwatch');
        },
        unwatch: (_) => _[KERNEL].sig('PIPE'),
        got_pipe: () => {},
      },
    });
    await runBounded(kernel);
    expect(signalIgnored(13) || process.listenerCount('SIGPIPE') > 0).toBe(true);
    process.kill(process.pid, 'SIGPIPE');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Still here, so the signal did not take its default (fatal) action.
    expect(process.listenerCount('SIGPIPE')).toBeGreaterThan(0);
  });
});

// POE::Kernel's POD (Signal Watcher Methods): sig_child, signal() failures, sig_handled.
describe('k_signals: documented signal semantics', () => {
  it('sig_child delivers ARG0 CHLD, ARG1 the PID, ARG2 the wait status, then its own arguments, once; it holds the session until then', async () => {
    const kernel = new Kernel();
    const log: unknown[][] = [];
    let pid = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const child = spawn('sh', ['-c', 'sleep 0.1; exit 3'], { stdio: 'ignore' });
          kernel.watchChildProcess(child);
          pid = child.pid!;
          _[KERNEL].sig_child(pid, 'reaped', 'extra');
        },
        reaped: (_) => void log.push(_.slice(ARG0)),
        _stop: () => void log.push(['_stop']),
      },
    });
    await runBounded(kernel);
    expect(log).toEqual([['CHLD', pid, 3 << 8, 'extra'], ['_stop']]);
  });

  it('signal() to a session that does not exist returns false, with ESRCH', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          got.push(_[KERNEL].signal('no such session', 'HUP'), _[KERNEL].lastError?.code);
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([false, ESRCH]);
  });

  async function twoWatchers(oneHandles: boolean) {
    const kernel = new Kernel();
    const log: string[] = [];
    for (const name of ['first', 'second']) {
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => {
            _[KERNEL].sig('HUP', 'got_hup');
            _[KERNEL].delay('later', 0.05);
          },
          got_hup: (_) => {
            log.push(`${name} got HUP`);
            if (oneHandles && name === 'second') _[KERNEL].sig_handled();
          },
          later: (_) => {
            log.push(`${name} later`);
            _[KERNEL].sig('HUP');
          },
          _stop: () => void log.push(`${name} _stop`),
        },
      });
    }
    kernel.signal(kernel, 'HUP');
    await runBounded(kernel);
    return log;
  }

  // The order among sibling sessions is not defined by POE (their children are a hash there).
  it('a terminal signal handled by one of its watchers stops none of them', async () => {
    const log = await twoWatchers(true);
    expect([...log.slice(0, 2)].sort()).toEqual(['first got HUP', 'second got HUP']);
    expect([...log.slice(2, 4)].sort()).toEqual(['first later', 'second later']);
    expect([...log.slice(4)].sort()).toEqual(['first _stop', 'second _stop']);
  });

  it('a terminal signal that none of its watchers handles stops them all together', async () => {
    const log = await twoWatchers(false);
    expect([...log.slice(0, 2)].sort()).toEqual(['first got HUP', 'second got HUP']);
    expect([...log.slice(2)].sort()).toEqual(['first _stop', 'second _stop']);
  });
});
