// Conformance: poe-test-loops wheel_run (child processes driven through a Run wheel: two output
// streams, pausing and resuming them, killing, closing stdin, the constructor's refusals, and
// redirected or absent standard handles). POE's child is Perl; ours is the same protocol in
// JavaScript, run once as an argv array and once as a function Program.
import { fstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, STATE, Session, FilterLine, type EventArgs } from '@poets/kernel';
import { Run, type RunOptions } from '@poets/kernel';
import { runBounded } from './helpers.js';
import { reapChildrenAfterEach } from '../support/index.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-wheel-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every child a test starts is killed after it, whatever happened.
const pids = reapChildrenAfterEach();

/**
 * The child: reads '!'-terminated commands on stdin. "out X" answers "<outLabel>: X!" on stdout,
 * "err X" answers "<errLabel>: X!" on stderr, "pid" answers its PID on stdout, "bye" (or the end
 * of its input) ends it.
 */
function echoChild(outLabel: string, errLabel: string): void {
  let pending = '';
  const handle = (command: string): void => {
    if (command.startsWith('bye')) process.exit(0);
    if (command === 'pid') process.stdout.write(`${outLabel}: ${process.pid}!`);
    else if (command.startsWith('out ')) process.stdout.write(`${outLabel}: ${command.slice(4)}!`);
    else if (command.startsWith('err ')) process.stderr.write(`${errLabel}: ${command.slice(4)}!`);
  };
  process.stdin.on('data', (chunk) => {
    pending += String(chunk);
    for (let at = pending.indexOf('!'); at >= 0; at = pending.indexOf('!')) {
      handle(pending.slice(0, at));
      pending = pending.slice(at + 1);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

/** The shutdown child: "flag N" remembers N, "out X" echoes; at the end of its input it reports the flag, then lingers. */
function eofChild(outLabel: string): void {
  let pending = '';
  let flag = '0';
  process.stdin.on('data', (chunk) => {
    pending += String(chunk);
    for (let at = pending.indexOf('!'); at >= 0; at = pending.indexOf('!')) {
      const command = pending.slice(0, at);
      pending = pending.slice(at + 1);
      const flagged = /^flag (\d+)/.exec(command);
      if (flagged) flag = flagged[1]!;
      else if (command.startsWith('out ')) process.stdout.write(`${outLabel}: ${command.slice(4)}!`);
    }
  });
  process.stdin.on('end', () => {
    process.stdout.write(`${outLabel}: got eof ${flag}!`);
    setTimeout(() => process.exit(0), 3000);
  });
}

const asArgv = [process.execPath, '-e', `(${echoChild.toString()})(...process.argv.slice(1))`];

type Action = string | ['pause_stdout' | 'resume_stdout' | 'pause_stderr' | 'resume_stderr' | 'kill' | 'shutdown_stdin'];
/** [event, value (undefined: the child's PID), label prefix] or ['close']. */
type Expectation = [kind: 'stdout' | 'stderr', value: string | undefined, prefix: 'out' | 'err'] | ['close'];
type Step = [action: Action, expect: Expectation | undefined];

interface Outcome {
  label: string;
  responses: { state: string; got: unknown; wanted: string }[];
  flushes: number;
  batches: number;
  closes: { octets: number; messages: number }[];
  unexpected: string[];
  remaining: number;
}

type Heap = {
  wheel?: Run;
  steps: Step[];
  outcome: Outcome;
};
type Ev = EventArgs<Heap>;

/** Performs steps until one waits for a response (POE's main_perform_state). */
function perform(_: Ev): void {
  const heap = _[HEAP];
  let put = false;
  while (heap.steps.length > 0 && heap.wheel !== undefined) {
    const [action, expectation] = heap.steps[0]!;
    if (typeof action === 'string') {
      try {
        heap.wheel.put(action);
        put = true;
      } catch {
        // POE evals the put: after shutdown_stdin it croaks, and the test goes on.
      }
    } else if (action[0] === 'kill') heap.wheel.kill();
    else if (action[0] === 'shutdown_stdin') heap.wheel.shutdown_stdin();
    else heap.wheel[action[0]]();
    if (expectation !== undefined) break;
    heap.steps.shift();
  }
  if (put) heap.outcome.batches++;
}

function close(_: Ev): void {
  const heap = _[HEAP];
  const wheel = heap.wheel!;
  const [, expectation] = heap.steps[0] ?? [];
  if (expectation?.[0] !== 'close') heap.outcome.unexpected.push(`close while expecting ${JSON.stringify(expectation)}`);
  heap.outcome.closes.push({ octets: wheel.get_driver_out_octets(), messages: wheel.get_driver_out_messages() });
  heap.steps.shift();
  heap.outcome.remaining = heap.steps.length;
  wheel.destroy();
  delete heap.wheel;
}

const never = (_: Ev) => void _[HEAP].outcome.unexpected.push(`${_[STATE]} fired under its original name`);

function testSession(kernel: Kernel, label: string, program: RunOptions['Program'], steps: Step[], results: Outcome[], conduit?: string): void {
  const outcome: Outcome = { label, responses: [], flushes: 0, batches: 0, closes: [], unexpected: [], remaining: steps.length };
  results.push(outcome);
  Session.create<Heap>({
    kernel,
    heap: { steps: [...steps], outcome },
    inline_states: {
      _start: (_: Ev) => {
        const wheel = new Run({
          Program: program,
          ProgramArgs: [`out${process.pid}`, `err${process.pid}`],
          ...(conduit !== undefined ? { Conduit: conduit } : {}),
          StdioFilter: new FilterLine({ Literal: '!' }),
          StderrFilter: new FilterLine({ Literal: '!' }),
          StdoutEvent: 'stdout_nonexistent',
          StderrEvent: 'stderr_nonexistent',
          StdinEvent: 'stdin_nonexistent',
          ErrorEvent: 'error_nonexistent',
          CloseEvent: 'close_nonexistent',
        });
        wheel.event('StdoutEvent', 'stdout', 'StderrEvent', 'stderr', 'StdinEvent', 'stdin');
        wheel.event('ErrorEvent', 'error', 'CloseEvent', 'close');
        _[HEAP].wheel = wheel;
        pids.push(wheel.PID());
        _[KERNEL].sig_child(wheel.PID(), 'sigchld');
        perform(_);
      },
      stdin: (_: Ev) => void _[HEAP].outcome.flushes++,
      stdout: output,
      stderr: output,
      error: () => {},
      close,
      sigchld: (_: Ev) => {
        // The child's exit stands in for CloseEvent when it comes first.
        if (_[HEAP].wheel !== undefined && _[HEAP].wheel.PID() === _[ARG1]) close(_);
      },
      stdout_nonexistent: never,
      stderr_nonexistent: never,
      stdin_nonexistent: never,
      error_nonexistent: never,
      close_nonexistent: never,
    },
  });
}

function output(_: Ev): void {
  const heap = _[HEAP];
  const [, expectation] = heap.steps[0] ?? [];
  if (expectation === undefined || expectation[0] === 'close') {
    heap.outcome.unexpected.push(`${_[STATE]} ${String(_[ARG0])} while expecting ${JSON.stringify(expectation)}`);
    return;
  }
  const [kind, value, prefix] = expectation;
  heap.outcome.responses.push({
    state: `${_[STATE]}/${kind}`,
    got: _[ARG0],
    wanted: `${prefix}${process.pid}: ${value ?? heap.wheel!.PID()}`,
  });
  heap.steps.shift();
  perform(_);
}

const twoStreams: Step[] = [
  ['out test-out', ['stdout', 'test-out', 'out']],
  ['err test-err', ['stderr', 'test-err', 'err']],
  ['bye', ['close']],
];

const pauseResume: Step[] = [
  ['out init', ['stdout', 'init', 'out']],
  [['pause_stdout'], undefined],
  ['out delayed1', undefined],
  ['err immediate1', ['stderr', 'immediate1', 'err']],
  [['pause_stderr'], undefined],
  ['err delayed2', undefined],
  [['resume_stdout'], ['stdout', 'delayed1', 'out']],
  ['out immediate2', ['stdout', 'immediate2', 'out']],
  [['resume_stderr'], ['stderr', 'delayed2', 'err']],
  ['out immediate3', ['stdout', 'immediate3', 'out']],
  ['err immediate4', ['stderr', 'immediate4', 'err']],
  ['bye', ['close']],
];

const killing: Step[] = [
  ['out init', ['stdout', 'init', 'out']],
  ['pid', ['stdout', undefined, 'out']],
  [['kill'], ['close']],
];

const shutdown: Step[] = [
  ['flag 1', undefined],
  ['out init', ['stdout', 'init', 'out']],
  [['shutdown_stdin'], undefined],
  ['flag 2', ['stdout', 'got eof 1', 'out']],
  [['kill'], ['close']],
];

function check(outcome: Outcome, { flushes = true } = {}): void {
  expect(outcome.unexpected, outcome.label).toEqual([]);
  for (const response of outcome.responses) {
    expect(response.state.split('/')[0], `${outcome.label} response type`).toBe(response.state.split('/')[1]);
    expect(response.got, `${outcome.label} response`).toBe(response.wanted);
  }
  expect(outcome.closes, `${outcome.label} close`).toHaveLength(1);
  expect(outcome.remaining, `${outcome.label} steps left`).toBe(0);
  if (!flushes) return;
  // One StdinEvent per batch of puts written together (the puts of one handler).
  expect(outcome.flushes, `${outcome.label} flush count`).toBe(outcome.batches);
  expect(outcome.closes[0], `${outcome.label} driver buffers at close`).toEqual({ octets: 0, messages: 0 });
}

describe('wheel_run', () => {
  it('new() refuses an unknown conduit, Filter beside StdioFilter, a missing Program, and Redirect* beside *Event', () => {
    const kernel = new Kernel();
    const refusals: string[] = [];
    const attempt = (options: unknown) => {
      try {
        pids.push(new Run(options as RunOptions).PID());
        refusals.push('accepted');
      } catch (error) {
        refusals.push(String(error));
      }
    };
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          attempt({ Program: () => 1, Conduit: 'wibble-magic-pipe', StdoutEvent: 'stdout_event', ErrorEvent: 'error_event' });
          attempt({ Program: () => 1, Filter: new FilterLine({ Literal: '!' }), StdioFilter: new FilterLine({ Literal: '!' }), StdoutEvent: 'stdout_event' });
          attempt({ ProgramArgs: ['a', 'b'], StdioFilter: new FilterLine({ Literal: '!' }), StdoutEvent: 'stdout_nonexistent' });
          attempt({ Program: () => 0, StdoutEvent: 'stdout_nonexistent', RedirectStdout: '/non/existent' });
        },
      },
    });
    kernel.stop();
    expect(refusals).toEqual([
      expect.stringMatching(/Conduit type \(wibble-magic-pipe\) is unknown/),
      expect.stringMatching(/Filter and StdioFilter cannot be used together/),
      expect.stringMatching(/needs a Program parameter/),
      expect.stringMatching(/mutually exclusive/),
    ]);
  });

  it('two output streams, pausing and resuming them, killing (with the child PID), and closing stdin', async () => {
    const kernel = new Kernel();
    const results: Outcome[] = [];
    testSession(kernel, 'argv/pause_resume', asArgv, pauseResume, results);
    testSession(kernel, 'argv/killing', asArgv, killing, results);
    testSession(kernel, 'function/shutdown', eofChild, shutdown, results, 'pipe');
    for (const [name, program] of [['argv', asArgv], ['function', echoChild]] as const) {
      testSession(kernel, `${name}/default`, program, twoStreams, results);
      testSession(kernel, `${name}/pipe`, program, twoStreams, results, 'pipe');
    }
    await runBounded(kernel, 8000);
    const [pause, kill, eof, ...streams] = results;
    check(pause!);
    // POE allows one flush more than the puts it expects answers to: delayed1 and immediate1 go
    // out together, delayed2 alone. Here that is exactly one flush per batch of puts: 7.
    expect(pause!.flushes).toBe(7);
    // The "pid" answer is checked against wheel.PID(): the child is the process the wheel names.
    check(kill!);
    check(eof!, { flushes: false });
    expect(eof!.responses.map((r) => r.got)).toEqual([`out${process.pid}: init`, `out${process.pid}: got eof 1`]);
    for (const outcome of streams) {
      check(outcome);
      expect(outcome.responses.map((r) => r.state)).toEqual(['stdout/stdout', 'stderr/stderr']);
    }
  });

  it('pty and pty-pipe conduits are refused: Node cannot give a child a terminal', () => {
    const kernel = new Kernel();
    const refusals: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          for (const Conduit of ['pty', 'pty-pipe']) {
            try {
              pids.push(new Run({ Program: echoChild, Conduit, StdoutEvent: 'out' }).PID());
            } catch (error) {
              refusals.push(String(error));
            }
          }
        },
      },
    });
    kernel.stop();
    expect(refusals).toHaveLength(2);
  });

  it('redirected stdio: stdin from a file, stdout and stderr into one file; without events, no pipes are made', async () => {
    const input = join(dir, 'stdin');
    writeFileSync(input, 'PARENT:\n');
    const output = join(dir, 'output');
    const inherited = join(dir, 'inherited');
    const kernel = new Kernel();
    const putResults: string[] = [];
    let exits = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const redirected = new Run({
            Program: () => {
              process.stdout.write('CHILD:');
              let line = '';
              process.stdin.on('data', (chunk) => (line += String(chunk)));
              process.stdin.on('end', () => {
                process.stderr.write(line.trim());
                process.stderr.write('DONE:');
              });
            },
            RedirectOutput: output,
            RedirectStdin: input,
          });
          pids.push(redirected.PID());
          _[KERNEL].sig_child(redirected.PID(), 'exited');

          // No events: the child writes to this process's own stdout and stderr.
          const silent = new Run({
            Program: (outIno: number, errIno: number, file: string) => {
              const fs = require('node:fs') as typeof import('node:fs');
              fs.writeFileSync(file, JSON.stringify([fs.fstatSync(1).ino === outIno, fs.fstatSync(2).ino === errIno]));
            },
            ProgramArgs: [fstatSync(1).ino, fstatSync(2).ino, inherited],
          });
          pids.push(silent.PID());
          _[KERNEL].sig_child(silent.PID(), 'exited');
          try {
            silent.put('its stdin is still a pipe');
            putResults.push('put');
          } catch (error) {
            putResults.push(String(error));
          }

          const noStdin = new Run({ Program: () => {}, NoStdin: true });
          pids.push(noStdin.PID());
          _[KERNEL].sig_child(noStdin.PID(), 'exited');
          try {
            noStdin.put('nowhere');
            putResults.push('put');
          } catch (error) {
            putResults.push(String(error));
          }
          for (const wheel of [redirected, silent, noStdin]) wheel.destroy();
        },
        exited: () => void exits++,
      },
    });
    await runBounded(kernel, 5000);
    expect(exits).toBe(3);
    expect(readFileSync(output, 'utf8')).toBe('CHILD:PARENT:DONE:');
    expect(JSON.parse(readFileSync(inherited, 'utf8'))).toEqual([true, true]);
    expect(putResults).toEqual(['put', expect.stringMatching(/without an open STDIN handle/)]);
  });
});
