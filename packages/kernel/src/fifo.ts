import type { QueuedEvent } from './queued-event.js';

/**
 * The queue of posted events: a growable ring buffer, so enqueue and dequeue are O(1)
 * with no array shifting. Cancelled events stay in place with `dest === null` and are skipped.
 */
export class Fifo {
  private ring: (QueuedEvent | undefined)[] = new Array(1024);
  private mask = 1023;
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(event: QueuedEvent): void {
    if (this.tail - this.head === this.ring.length) this.grow();
    this.ring[this.tail & this.mask] = event;
    this.tail++;
  }

  /** The next live event, without removing it. */
  peek(): QueuedEvent | undefined {
    while (this.head !== this.tail) {
      const event = this.ring[this.head & this.mask]!;
      if (event.dest !== null) return event;
      this.ring[this.head & this.mask] = undefined;
      this.head++;
    }
    return undefined;
  }

  /** Removes the event `peek()` returned. */
  drop(): void {
    this.ring[this.head & this.mask] = undefined;
    this.head++;
  }

  /** Visits every live event, oldest first. */
  forEach(visit: (event: QueuedEvent) => void): void {
    for (let i = this.head; i !== this.tail; i++) {
      const event = this.ring[i & this.mask]!;
      if (event.dest !== null) visit(event);
    }
  }

  clear(): void {
    this.ring = new Array(1024);
    this.mask = 1023;
    this.head = this.tail = 0;
  }

  private grow(): void {
    const old = this.ring;
    const size = old.length;
    const next: (QueuedEvent | undefined)[] = new Array(size * 2);
    for (let i = 0; i < size; i++) next[i] = old[(this.head + i) & this.mask];
    this.ring = next;
    this.mask = size * 2 - 1;
    this.tail = size;
    this.head = 0;
  }
}
