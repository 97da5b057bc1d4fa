import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueuedEvent } from '../src/queued-event.js';
import { TimerHeap } from '../src/timer-heap.js';

const timer = (time: number, seq: number) => new QueuedEvent(null as never, null as never, 't', 0x200, [], time, seq);

describe('TimerHeap', () => {
  it('pops in (time, enqueue order), whatever was removed or re-timed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.option(fc.integer({ min: -5, max: 5 }))), { maxLength: 200 }),
        (specs) => {
          const heap = new TimerHeap();
          const timers = specs.map(([time], seq) => timer(time, seq));
          timers.forEach((t) => heap.push(t));
          const kept: QueuedEvent[] = [];
          specs.forEach(([, remove, shift], i) => {
            const t = timers[i]!;
            if (remove) heap.remove(t);
            else {
              if (shift !== null) heap.retime(t, t.time + shift);
              kept.push(t);
            }
          });
          const expected = kept.sort((a, b) => a.time - b.time || a.seq - b.seq).map((t) => t.seq);
          const popped: number[] = [];
          for (let t = heap.pop(); t; t = heap.pop()) popped.push(t.seq);
          expect(popped).toEqual(expected);
          expect(heap.size).toBe(0);
        },
      ),
    );
  });

  it('forgets the position of removed timers', () => {
    const heap = new TimerHeap();
    const t = timer(1, 1);
    heap.push(t);
    heap.remove(t);
    expect(t.heapIndex).toBe(-1);
    heap.remove(t);
    expect(heap.size).toBe(0);
  });
});
