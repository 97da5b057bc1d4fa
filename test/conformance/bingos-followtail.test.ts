// Conformance: t/90_regression/bingos-followtail.t — by default FollowTail starts at the end of
// the file: a record already there is skipped, only what is appended afterwards is read.
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session, FilterLine, type EventArgs } from '@poets/kernel';
import { FollowTail } from '@poets/kernel';
import { runBounded } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-bingos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('skips what the file held when the wheel started and reads the record appended after', async () => {
  const file = join(dir, 'log');
  const fd = openSync(file, 'w');
  // "!" ends a record here, so no platform's idea of a newline gets in the way.
  writeSync(fd, 'already here, to be skipped!');
  type Heap = { wheel?: FollowTail; inputs: unknown[]; errors: unknown[][] };
  let final: Heap | undefined;
  const kernel = new Kernel();
  Session.create<Heap>({
    kernel,
    heap: { inputs: [], errors: [] },
    inline_states: {
      _start: (_: EventArgs<Heap>) => {
        _[HEAP].wheel = new FollowTail({
          Filter: new FilterLine({ Literal: '!' }),
          Filename: file,
          InputEvent: 'input',
          ErrorEvent: 'error',
          IdleEvent: 'idle',
          PollInterval: 0.05,
        });
        writeSync(fd, 'appended after the start!');
        closeSync(fd);
      },
      input: (_: EventArgs<Heap>) => {
        _[HEAP].inputs.push(_[ARG0]);
        _[KERNEL].delay('shutdown', 0.5);
      },
      error: (_: EventArgs<Heap>) => {
        _[HEAP].errors.push(_.slice(ARG0));
        _[KERNEL].delay('shutdown', 0.001);
      },
      // Once something was read, the first idle poll ends the test (a timer could be pushed back forever).
      idle: (_: EventArgs<Heap>) => {
        if (_[HEAP].inputs.length === 0) return;
        _[KERNEL].delay('shutdown');
        _[KERNEL].yield('shutdown');
      },
      shutdown: (_: EventArgs<Heap>) => {
        _[HEAP].wheel?.destroy();
        delete _[HEAP].wheel;
      },
      _stop: (_: EventArgs<Heap>) => void (final = _[HEAP]),
    },
  });
  await runBounded(kernel, 3000);
  expect(final!.errors).toEqual([]);
  expect(final!.inputs).toEqual(['appended after the start']);
});
