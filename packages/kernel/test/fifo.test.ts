import { describe, expect, it } from 'vitest';
import { Fifo } from '../src/fifo.js';
import { QueuedEvent } from '../src/queued-event.js';

const event = (seq: number) => new QueuedEvent(null as never, null as never, `e${seq}`, 1, [], 0, seq);

describe('Fifo', () => {
  it('returns events in order across growth of the ring', () => {
    const fifo = new Fifo();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const e = event(i);
      e.dest = {} as never;
      fifo.push(e);
      if (i % 3 === 0) {
        out.push(fifo.peek()!.seq);
        fifo.drop();
      }
    }
    while (fifo.peek()) {
      out.push(fifo.peek()!.seq);
      fifo.drop();
    }
    expect(out).toEqual([...Array(5000).keys()]);
    expect(fifo.length).toBe(0);
  });

  it('skips cancelled events', () => {
    const fifo = new Fifo();
    const events = [1, 2, 3].map((i) => {
      const e = event(i);
      e.dest = {} as QueuedEvent['dest'];
      return e;
    });
    events.forEach((e) => fifo.push(e));
    events[0]!.dest = null;
    events[1]!.dest = null;
    expect(fifo.peek()?.seq).toBe(3);
    const seen: number[] = [];
    fifo.forEach((e) => seen.push(e.seq));
    expect(seen).toEqual([3]);
  });
});
