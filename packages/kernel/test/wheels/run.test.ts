import { chmodSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session, UsageError, type EventArgs } from '../../src/index.js';
import { FilterLine, FilterStream } from '../../src/filters/index.js';
import { Run, type RunOptions } from '../../src/wheels/run.js';
import { reapChildrenAfterEach, runBounded } from '../../../../test/support/index.js';

const { EMSGSIZE, EPIPE } = constants.errno;
const NODE = process.execPath;

type AnyRun = Run<unknown, unknown>;
type Heap = { wheel?: AnyRun; log: unknown[][]; seen: Set<string> };
type Ev = EventArgs<Heap>;

const dir = mkdtempSync(join(tmpdir(), 'poets-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every child a test starts is killed after it, whatever happened.
const pids = reapChildrenAfterEach();

interface Scenario {
  options: RunOptions<unknown, unknown>;
  /** After the wheel is made, in _start. */
  start?: (_: Ev, wheel: AnyRun) => void;
  /** Extra handlers (they replace the logging ones of the same name). */
  states?: Record<string, (_: Ev) => void>;
  /** What ends the scenario (the wheel is destroyed once all were seen). Default: close and chld. */
  until?: string[];
  ms?: number;
}

const EVENTS = { StdoutEvent: 'out', StderrEvent: 'err', ErrorEvent: 'error', CloseEvent: 'close', StdinEvent: 'flushed' } as const;

/**
 * Runs a wheel in a session that logs every event as [name, ...args] and watches the child's
 * exit with sig_child; it destroys the wheel once every event of `until` was seen.
 */
async function scenario(s: Scenario): Promise<{ log: unknown[][]; pid: number; id: number }> {
  const kernel = new Kernel();
  const log: unknown[][] = [];
  const until = s.until ?? ['close', 'chld'];
  let pid = 0;
  let id = 0;
  const note = (_: Ev) => {
    const name = _[KERNEL].get_active_event()!;
    log.push([name, ..._.slice(ARG0)]);
    _[HEAP].seen.add(name);
    if (until.every((event) => _[HEAP].seen.has(event))) {
      _[HEAP].wheel?.destroy();
      delete _[HEAP].wheel;
    }
  };
  Session.create<Heap>({
    kernel,
    heap: { log, seen: new Set() },
    inline_states: {
      _start: (_: Ev) => {
        const wheel = new Run(s.options);
        _[HEAP].wheel = wheel;
        pid = wheel.PID();
        id = wheel.ID();
        pids.push(pid);
        _[KERNEL].sig_child(pid, 'chld');
        s.start?.(_, wheel);
      },
      out: note,
      err: note,
      error: note,
      close: note,
      flushed: note,
      chld: note,
      ...s.states,
    },
  });
  await runBounded(kernel, s.ms);
  return { log, pid, id };
}

const named = (log: unknown[][], name: string) => log.filter((entry) => entry[0] === name);
const records = (log: unknown[][], name: string) => named(log, name).map((entry) => entry[1]);
const statusOf = (log: unknown[][]) => named(log, 'chld')[0]?.[3] as number;

describe('POE::Wheel::Run', () => {
  it('runs a command line: stdout and stderr records, an EOF error per handle, then CloseEvent; sig_child has the exit status', async () => {
    const { log, pid, id } = await scenario({
      options: { Program: 'echo one; echo two >&2; echo three; exit 3', ...EVENTS },
    });
    expect(records(log, 'out')).toEqual(['one', 'three']);
    expect(named(log, 'out').every((entry) => entry[2] === id)).toBe(true);
    expect(named(log, 'err')).toEqual([['err', 'two', id]]);
    expect(named(log, 'error')).toEqual(
      expect.arrayContaining([
        ['error', 'read', 0, '', id, 'STDOUT'],
        ['error', 'read', 0, '', id, 'STDERR'],
      ]),
    );
    expect(named(log, 'error')).toHaveLength(2);
    // CloseEvent comes once, after both handles reported their end.
    const order = log.map((entry) => entry[0]).filter((name) => name !== 'chld');
    expect(order.lastIndexOf('error')).toBeLessThan(order.indexOf('close'));
    expect(named(log, 'close')).toEqual([['close', id]]);
    expect(named(log, 'chld')).toEqual([['chld', 'CHLD', pid, 3 << 8]]);
  });

  it('runs an argv array with ProgramArgs directly, without a shell', async () => {
    const { log } = await scenario({
      options: {
        Program: [NODE, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))'],
        ProgramArgs: ['a b', '$HOME;x', 7],
        ...EVENTS,
      },
    });
    expect(records(log, 'out')).toEqual(['["a b","$HOME;x","7"]']);
    expect(statusOf(log)).toBe(0);
  });

  it('executes a command line without shell metacharacters directly (as Perl exec does), and feeds it with put()', async () => {
    let cmdline = '';
    const { log, id } = await scenario({
      options: { Program: 'cat', ...EVENTS },
      start: (_, wheel) => {
        if (existsSync(`/proc/${wheel.PID()}/cmdline`)) cmdline = readFileSync(`/proc/${wheel.PID()}/cmdline`, 'utf8');
        expect(wheel.put('hello', 'world')).toBe(false);
      },
      states: {
        out: (_: Ev) => {
          _[HEAP].log.push(['out', _[ARG0]]);
          if (_[ARG0] === 'world') _[HEAP].wheel!.shutdown_stdin();
        },
        close: (_: Ev) => {
          _[HEAP].log.push(['close', _[HEAP].wheel!.get_driver_out_octets(), _[HEAP].wheel!.get_driver_out_messages()]);
          _[HEAP].wheel!.destroy();
        },
      },
      until: ['never'],
    });
    if (cmdline !== '') expect(cmdline.split('\0')[0]).toBe('cat');
    expect(records(log, 'out')).toEqual(['hello', 'world']);
    // Both records were put together: one StdinEvent once they were written.
    expect(named(log, 'flushed')).toEqual([['flushed', id]]);
    expect(named(log, 'close')).toEqual([['close', 0, 0]]);
    expect(statusOf(log)).toBe(0);
  });

  it('runs a function in a child node with ProgramArgs as its arguments; its closure does not cross', async () => {
    const secret = 'captured';
    const { log } = await scenario({
      options: {
        Program: (a: number, b: number) => {
          console.log(a + b);
          console.log(typeof secret);
        },
        ProgramArgs: [2, 3],
        ...EVENTS,
      },
    });
    expect(records(log, 'out')).toEqual(['5', 'undefined']);
    expect(statusOf(log)).toBe(0);
  });

  it('runs a method and an async function; the child reads its stdin', async () => {
    const holder = {
      async echo(prefix: string) {
        let text = '';
        for await (const chunk of process.stdin) text += String(chunk);
        console.log(`${prefix}${text.trim()}`);
      },
    };
    const { log } = await scenario({
      options: { Program: holder.echo, ProgramArgs: ['got: '], ...EVENTS },
      start: (_, wheel) => {
        wheel.put('ping');
        wheel.shutdown_stdin();
      },
    });
    expect(records(log, 'out')).toEqual(['got: ping']);
  });

  it('a function that throws exits with status 255 and its error on stderr', async () => {
    const { log } = await scenario({
      options: {
        Program: () => {
          throw new Error('boom');
        },
        ...EVENTS,
      },
    });
    expect(records(log, 'err')[0]).toBe('Error: boom');
    expect(statusOf(log) >> 8).toBe(255);
  });

  it('a program that does not exist still gives a PID, a reason on stderr, exit status 127 and CloseEvent', async () => {
    for (const Program of [['/nonexistent/poets-program', 'x'], 'poets-no-such-command --flag']) {
      const { log, pid } = await scenario({ options: { Program, ...EVENTS } });
      expect(pid).toBeGreaterThan(0);
      expect(String(records(log, 'err')[0])).toMatch(/not found/);
      expect(statusOf(log)).toBe(127 << 8);
      expect(named(log, 'close')).toHaveLength(1);
    }
  });

  it('a file that is not executable: exit status 126', async () => {
    const file = join(dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    const { log } = await scenario({ options: { Program: [file], ...EVENTS } });
    expect(String(records(log, 'err')[0])).toMatch(/denied/i);
    expect(statusOf(log)).toBe(126 << 8);
  });

  it('kill() sends TERM by default and other signals by name or number; the wait status carries the signal', async () => {
    for (const [signal, number] of [[undefined, 15], ['KILL', 9], ['SIGINT', 2], [1, 1]] as const) {
      let sent: boolean | undefined;
      const { log } = await scenario({
        options: { Program: ['sleep', '10'], ...EVENTS },
        start: (_, wheel) => {
          sent = signal === undefined ? wheel.kill() : wheel.kill(signal);
        },
      });
      expect(sent).toBe(true);
      expect(statusOf(log)).toBe(number);
      expect(named(log, 'close')).toHaveLength(1);
    }
  });

  it('kill() of a child that is gone, or with an unknown signal, returns false', async () => {
    const results: boolean[] = [];
    await scenario({
      options: { Program: 'true', ...EVENTS },
      start: (_, wheel) => void results.push(wheel.kill('NOSUCHSIGNAL')),
      states: {
        chld: (_: Ev) => {
          results.push(_[HEAP].wheel!.kill());
          _[HEAP].wheel!.destroy();
        },
      },
      until: ['never'],
    });
    expect(results).toEqual([false, false]);
  });

  it('a child that dies by a signal is reported by its wait status and CloseEvent', async () => {
    const { log } = await scenario({ options: { Program: 'echo bye; kill -9 $$', ...EVENTS } });
    expect(records(log, 'out')).toEqual(['bye']);
    expect(statusOf(log)).toBe(9);
    expect(named(log, 'close')).toHaveLength(1);
  });

  it('pause_stdout holds records until resume_stdout; pause_stderr likewise', async () => {
    const { log } = await scenario({
      options: { Program: 'cat; echo done >&2', ...EVENTS },
      start: (_, wheel) => {
        wheel.pause_stdout();
        wheel.put('held');
        _[KERNEL].delay('resume', 0.15);
      },
      states: {
        resume: (_: Ev) => {
          _[HEAP].log.push(['resume']);
          _[HEAP].wheel!.resume_stdout();
          _[HEAP].wheel!.pause_stderr();
          _[HEAP].wheel!.shutdown_stdin();
          _[KERNEL].delay('resume_err', 0.15);
        },
        resume_err: (_: Ev) => {
          _[HEAP].log.push(['resume_err']);
          _[HEAP].wheel!.resume_stderr();
        },
      },
    });
    const order = log.map((entry) => entry[0]);
    expect(order.indexOf('resume')).toBeLessThan(order.indexOf('out'));
    expect(order.indexOf('resume_err')).toBeLessThan(order.indexOf('err'));
    expect(records(log, 'out')).toEqual(['held']);
    expect(records(log, 'err')).toEqual(['done']);
  });

  it('a child flooding one endless line: the filter drops it (bounded by MaxLength), ErrorEvent says so, later lines arrive', async () => {
    const { log, id } = await scenario({
      options: {
        Program: () => {
          const block = 'x'.repeat(64 * 1024);
          for (let i = 0; i < 64; i++) process.stdout.write(block);
          process.stdout.write('\nafter\n');
        },
        StdoutFilter: new FilterLine({ Literal: '\n', MaxLength: 4096 }),
        ...EVENTS,
      },
    });
    const tooLong = named(log, 'error').filter((entry) => entry[2] === EMSGSIZE);
    expect(tooLong.length).toBeGreaterThanOrEqual(1);
    expect(tooLong[0]).toEqual(['error', 'read', EMSGSIZE, expect.any(String), id, 'STDOUT']);
    expect(records(log, 'out')).toEqual(['after']);
  });

  it('a child flooding many lines: every line arrives, in order', async () => {
    const count = 20000;
    const { log } = await scenario({
      options: { Program: [NODE, '-e', `for (let i = 0; i < ${count}; i++) console.log('line ' + i)`], ...EVENTS },
    });
    const lines = records(log, 'out');
    expect(lines).toHaveLength(count);
    expect(lines[0]).toBe('line 0');
    expect(lines[count - 1]).toBe(`line ${count - 1}`);
  });

  it('put() to a child that has exited: a write ErrorEvent on STDIN (EPIPE), never an exception', async () => {
    const { log, id } = await scenario({
      options: { Program: 'true', ...EVENTS },
      states: {
        chld: (_: Ev) => {
          _[HEAP].log.push(['chld']);
          _[HEAP].wheel!.put('x'.repeat(1 << 20));
          _[KERNEL].delay('done', 0.3);
        },
        done: (_: Ev) => {
          _[HEAP].wheel!.put('ignored after the failure');
          _[HEAP].wheel!.destroy();
        },
      },
      until: ['never'],
    });
    expect(named(log, 'error').filter((entry) => entry[1] === 'write')).toEqual([['error', 'write', EPIPE, 'Broken pipe', id, 'STDIN', expect.objectContaining({ code: 'EPIPE' })]]);
  });

  it('put() after shutdown_stdin(), or with NoStdin, throws as POE croaks', async () => {
    const errors: string[] = [];
    await scenario({
      options: { Program: 'cat', ...EVENTS },
      start: (_, wheel) => {
        wheel.shutdown_stdin();
        wheel.shutdown_stdin();
        try {
          wheel.put('late');
        } catch (error) {
          errors.push(String(error));
        }
      },
    });
    await scenario({
      options: { Program: 'true', NoStdin: true, StdoutEvent: 'out', CloseEvent: 'close' },
      start: (_, wheel) => {
        try {
          wheel.put('nowhere');
        } catch (error) {
          errors.push(String(error));
        }
      },
    });
    expect(errors).toEqual([
      expect.stringMatching(/TypeError: POE::Wheel::Run: put\(\) on a wheel without an open STDIN handle/),
      expect.stringMatching(/without an open STDIN handle/),
    ]);
  });

  it('destroy() stops the events and releases the session, but does not kill the child (as POE)', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    let pid = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          const wheel = new Run({ Program: 'sleep 5', ...EVENTS });
          pid = wheel.PID();
          pids.push(pid);
          wheel.destroy();
          wheel.destroy();
        },
        out: () => void log.push('out'),
        close: () => void log.push('close'),
        error: () => void log.push('error'),
      },
    });
    await runBounded(kernel, 2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log).toEqual([]);
    expect(process.kill(pid, 0)).toBe(true);
  });

  it('a session stopped by force destroys its wheel', async () => {
    const kernel = new Kernel();
    let stopped = false;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const wheel = new Run({ Program: ['sleep', '5'], ...EVENTS });
          pids.push(wheel.PID());
          _[KERNEL].yield('halt');
        },
        halt: (_) => _[KERNEL].stop(),
        _stop: () => void (stopped = true),
      },
    });
    await runBounded(kernel, 2000);
    expect(stopped).toBe(true);
  });

  it('event() renames events, in pairs or as an object, and refuses unknown names', async () => {
    let refused = '';
    const { log } = await scenario({
      options: { Program: 'echo a; echo b >&2', StdoutEvent: 'wrong', StderrEvent: 'wrong', ErrorEvent: 'wrong', CloseEvent: 'wrong' },
      start: (_, wheel) => {
        wheel.event('StdoutEvent', 'out', 'StderrEvent', 'err');
        wheel.event({ ErrorEvent: 'error', CloseEvent: 'close' });
        try {
          wheel.event('BogusEvent', 'x');
        } catch (error) {
          refused = String(error);
        }
      },
      states: { wrong: () => expect.unreachable('an old event name was used') },
    });
    expect(records(log, 'out')).toEqual(['a']);
    expect(records(log, 'err')).toEqual(['b']);
    expect(named(log, 'close')).toHaveLength(1);
    expect(refused).toMatch(/unknown event parameter 'BogusEvent'/);
  });

  it('switching the stdout filter mid-stream passes what was buffered to the new filter', async () => {
    const { log } = await scenario({
      options: { Program: "printf 'first\\nrest-of-it'; sleep 0.1; printf 'more'", ...EVENTS },
      states: {
        out: (_: Ev) => {
          const record = _[ARG0];
          _[HEAP].log.push(['out', Buffer.isBuffer(record) ? `buffer:${record.toString()}` : record]);
          if (record === 'first') _[HEAP].wheel!.set_stdout_filter(new FilterStream());
        },
      },
    });
    const out = records(log, 'out') as string[];
    expect(out[0]).toBe('first');
    expect(out.slice(1).join('').replace(/buffer:/g, '')).toBe('rest-of-itmore');
  });

  it('a last line without a line ending is not reported, as in POE (use a Stream filter to get it)', async () => {
    const { log } = await scenario({ options: { Program: "printf 'a\\nb'", ...EVENTS } });
    expect(records(log, 'out')).toEqual(['a']);
  });

  it('redirects: RedirectStdin from a file, RedirectOutput to a file (by name or descriptor)', async () => {
    const input = join(dir, 'input');
    writeFileSync(input, 'from the file\n');
    const output = join(dir, 'output');
    const { log } = await scenario({
      options: { Program: 'cat; echo to-stderr >&2', RedirectStdin: input, RedirectOutput: output },
      until: ['chld'],
    });
    expect(statusOf(log)).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('from the file\nto-stderr\n');

    const byFd = join(dir, 'by-fd');
    const fd = openSync(byFd, 'w');
    try {
      const result = await scenario({ options: { Program: 'echo out; echo err >&2', RedirectStdout: fd, StderrEvent: 'err', ErrorEvent: 'error', CloseEvent: 'close' } });
      expect(records(result.log, 'err')).toEqual(['err']);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(byFd, 'utf8')).toBe('out\n');
  });

  it('StdinFilter, StdoutFilter and StderrFilter apply to their own handles', async () => {
    const { log } = await scenario({
      options: {
        Program: "cat; printf 'x|y|' >&2",
        StdinFilter: new FilterLine({ Literal: ';' }),
        StdoutFilter: new FilterLine({ Literal: ';' }),
        StderrFilter: new FilterLine({ Literal: '|' }),
        ...EVENTS,
      },
      start: (_, wheel) => {
        wheel.put('one', 'two');
        wheel.shutdown_stdin();
      },
    });
    expect(records(log, 'out')).toEqual(['one', 'two']);
    expect(records(log, 'err')).toEqual(['x', 'y']);
  });

  it.each([
    ['no Program', {}, /needs a Program/],
    ['a pty conduit', { Program: 'true', Conduit: 'pty' }, /Conduit 'pty' is not supported/],
    ['an unknown conduit', { Program: 'true', Conduit: 'wibble-magic-pipe' }, /Conduit type \(wibble-magic-pipe\) is unknown/],
    ['Filter with StdioFilter', { Program: 'true', Filter: new FilterLine(), StdioFilter: new FilterLine() }, /cannot be used together/],
    ['RedirectStdout with StdoutEvent', { Program: 'true', StdoutEvent: 'out', RedirectStdout: '/non/existent' }, /mutually exclusive/],
    ['RedirectOutput with StderrEvent', { Program: 'true', StderrEvent: 'err', RedirectOutput: '/non/existent' }, /mutually exclusive/],
    ['ProgramArgs that is not an array', { Program: 'true', ProgramArgs: 'x' }, /ProgramArgs must be an array/],
    ['a native function', { Program: Math.max }, /native or bound function/],
  ] as [string, RunOptions<unknown, unknown>, RegExp][])('refuses %s', (_name, options, problem) => {
    const kernel = new Kernel();
    let message = '';
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          try {
            pids.push(new Run(options).PID());
          } catch (error) {
            message = String(error);
          }
        },
      },
    });
    kernel.stop();
    expect(message).toMatch(problem);
  });

  it('must be created inside a session', () => {
    expect(() => new Run({ Program: 'true' })).toThrow(UsageError);
  });

  it('reports ARG4 handle names and keeps ARG3 the wheel ID in every ErrorEvent', async () => {
    const { log, id } = await scenario({ options: { Program: 'true', ...EVENTS } });
    for (const entry of named(log, 'error')) {
      expect(entry[4]).toBe(id);
      expect(['STDOUT', 'STDERR']).toContain(entry[5]);
    }
  });
});
