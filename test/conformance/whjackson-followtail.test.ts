// Conformance: t/90_regression/whjackson-followtail.t — between two polls the log is appended to,
// renamed away, and a new log is started under the old name: the old file is read to its end
// before the new one is opened, so nothing is lost.
import { appendFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ARG0, HEAP, Kernel, Session, type EventArgs } from '@poets/kernel';
import { FollowTail } from '@poets/kernel';
import { runBounded } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-whjackson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads the rest of a rotated log, then resets onto the new one', async () => {
  const log = join(dir, 'test_log');
  const old = join(dir, 'test_log.1');
  const seen: string[] = [];
  const append = (line: string) => {
    seen.push(`append ${line}`);
    appendFileSync(log, `${line}\n`);
  };
  type Heap = { wheel?: FollowTail; idles: number };
  const kernel = new Kernel();
  Session.create<Heap>({
    kernel,
    heap: { idles: 0 },
    inline_states: {
      _start: (_: EventArgs<Heap>) => {
        seen.push('start');
        _[HEAP].wheel = new FollowTail({
          InputEvent: 'input',
          ResetEvent: 'reset',
          IdleEvent: 'idle',
          Filename: log,
          PollInterval: 0.05,
        });
      },
      idle: (_: EventArgs<Heap>) => {
        seen.push('idle');
        if (++_[HEAP].idles === 1) append('a');
        else if (_[HEAP].idles === 2) {
          append('b');
          seen.push('roll');
          renameSync(log, old);
          append('c');
        }
      },
      reset: () => void seen.push('reset'),
      input: (_: EventArgs<Heap>) => {
        seen.push(`input ${String(_[ARG0])}`);
        if (_[ARG0] === 'c') append('d');
        if (_[ARG0] === 'd') {
          _[HEAP].wheel!.destroy();
          delete _[HEAP].wheel;
        }
      },
      _stop: () => void seen.push('stop'),
    },
  });
  await runBounded(kernel, 3000);
  expect(seen).toEqual([
    'start',
    'idle',
    'append a',
    'reset', // the first open counts as a reset
    'input a',
    'idle',
    'append b',
    'roll',
    'append c',
    'input b',
    'reset',
    'input c',
    'append d',
    'input d',
    'stop',
  ]);
});
