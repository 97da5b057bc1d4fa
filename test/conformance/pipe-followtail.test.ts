// Conformance: t/90_regression/pipe-followtail.t — FollowTail on a named pipe reads what a writer
// sends and keeps waiting while the writer holds the pipe open.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { FollowTail } from '@poets/kernel';
import { runBounded } from './helpers.js';
import { describeWithPeer } from '../support/index.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-pipe-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let mkfifo = true;
try {
  execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
} catch {
  mkfifo = false;
}

describeWithPeer(mkfifo ? undefined : 'mkfifo(1) is not installed (coreutils)', 'pipe-followtail', () =>
  it('reads each line written to a FIFO, in order', async () => {
  const fifo = join(dir, 'testpipe');
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  const expected = ['foo', 'bar'];
  const got: unknown[] = [];
  type Heap = { wheel?: FollowTail; writer?: number };
  const kernel = new Kernel();
  Session.create<Heap>({
    kernel,
    heap: {},
    inline_states: {
      _start: (_: EventArgs<Heap>) => {
        _[HEAP].wheel = new FollowTail({ InputEvent: 'input', Filename: fifo });
        // The wheel holds the FIFO open for reading, so opening it to write does not block.
        const writer = openSync(fifo, 'w');
        writeSync(writer, 'foo\nbar\n');
        _[HEAP].writer = writer;
        _[KERNEL].delay('done', 1);
      },
      input: (_: EventArgs<Heap>) => {
        got.push(_[ARG0]);
        _[KERNEL].delay('done', 0.1);
      },
      done: (_: EventArgs<Heap>) => {
        closeSync(_[HEAP].writer!);
        unlinkSync(fifo);
        _[HEAP].wheel!.destroy();
        delete _[HEAP].wheel;
      },
    },
  });
  await runBounded(kernel, 3000);
  expect(got).toEqual(expected);
}),
);
