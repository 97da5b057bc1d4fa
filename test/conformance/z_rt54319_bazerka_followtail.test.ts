// Conformance: poe-test-loops z_rt54319_bazerka_followtail — a log written twice as often as it is
// polled: no line may wait much longer than a poll interval before it is read.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session, time, type EventArgs } from '@poets/kernel';
import { FollowTail } from '@poets/kernel';
import { runBounded } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-rt54319-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 6;
const WRITE_EVERY = 0.1; // POE: 0.5 s
const POLL_EVERY = WRITE_EVERY * 2;
const MAX_DELAY = WRITE_EVERY * 3;

it('reads each line within one and a half poll intervals of its writing', async () => {
  const file = join(dir, 'log');
  writeFileSync(file, '');
  const delays: number[] = [];
  const kernel = new Kernel();
  let written = 0;
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => _[KERNEL].yield('tick'),
      tick: (_) => {
        appendFileSync(file, `${++written} ${time()}\n`);
        if (written < LINES) _[KERNEL].delay('tick', WRITE_EVERY);
      },
    },
  });
  type Heap = { wheel?: FollowTail };
  Session.create<Heap>({
    kernel,
    heap: {},
    inline_states: {
      _start: (_: EventArgs<Heap>) => {
        _[HEAP].wheel = new FollowTail({ Filename: file, InputEvent: 'line', PollInterval: POLL_EVERY });
        _[KERNEL].delay('timeout', POLL_EVERY * LINES * 2);
      },
      line: (_: EventArgs<Heap>) => {
        const [count, when] = String(_[ARG0]).split(/\s+/).map(Number);
        delays.push(time() - when!);
        if (count! < LINES) return;
        _[KERNEL].delay('timeout');
        _[HEAP].wheel!.destroy();
        delete _[HEAP].wheel;
      },
      timeout: (_: EventArgs<Heap>) => {
        _[HEAP].wheel?.destroy();
        delete _[HEAP].wheel;
      },
    },
  });
  await runBounded(kernel, 5000);
  expect(delays).toHaveLength(LINES);
  for (const delay of delays) expect(delay).toBeLessThanOrEqual(MAX_DELAY);
});
