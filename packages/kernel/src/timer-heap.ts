import type { QueuedEvent } from './queued-event.js';

/**
 * Timers ordered by (due time, enqueue sequence): a binary heap that records each event's
 * index, so removal and re-timing by ID are O(log n) and never a sort per insert.
 */
export class TimerHeap {
  private readonly heap: QueuedEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): QueuedEvent | undefined {
    return this.heap[0];
  }

  push(event: QueuedEvent): void {
    event.heapIndex = this.heap.length;
    this.heap.push(event);
    this.up(event.heapIndex);
  }

  pop(): QueuedEvent | undefined {
    const top = this.heap[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(event: QueuedEvent): void {
    if (event.heapIndex >= 0) this.removeAt(event.heapIndex);
  }

  /** Moves an event whose time changed to its new place. */
  retime(event: QueuedEvent, time: number): void {
    event.time = time;
    const i = event.heapIndex;
    this.up(i);
    this.down(event.heapIndex);
  }

  /** The events matching `test`, in no particular order. */
  filter(test: (event: QueuedEvent) => boolean): QueuedEvent[] {
    return this.heap.filter(test);
  }

  clear(): void {
    for (const event of this.heap) event.heapIndex = -1;
    this.heap.length = 0;
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const gone = heap[i]!;
    const last = heap.pop()!;
    gone.heapIndex = -1;
    if (last === gone) return;
    heap[i] = last;
    last.heapIndex = i;
    this.up(i);
    this.down(last.heapIndex);
  }

  private up(i: number): void {
    const heap = this.heap;
    const event = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(event, parent)) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    heap[i] = event;
    event.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const event = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
      const next = heap[child]!;
      if (!before(next, event)) break;
      heap[i] = next;
      next.heapIndex = i;
      i = child;
    }
    heap[i] = event;
    event.heapIndex = i;
  }
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
