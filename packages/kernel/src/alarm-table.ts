import type { QueuedEvent } from './queued-event.js';

const SLOTS = 2 ** 24;
const GENERATIONS = 2 ** 28;

/**
 * Alarm IDs → pending alarms, without a Map: an ID is a slot number plus the slot's generation,
 * so lookup is an array read and a removed alarm's ID never finds the alarm that reuses its slot.
 * (A Map's set and delete cost more than the heap operations at 200,000 timers.)
 */
export class AlarmTable {
  private readonly events: (QueuedEvent | undefined)[] = [];
  private readonly generations: number[] = [];
  private readonly free: number[] = [];

  add(event: QueuedEvent): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.events.length;
    if (slot >= SLOTS) throw new RangeError(`more than ${SLOTS} alarms pending at once`);
    if (slot === this.generations.length) this.generations.push(0);
    this.events[slot] = event;
    return (event.id = this.generations[slot]! * SLOTS + slot);
  }

  get(id: number): QueuedEvent | undefined {
    if (!Number.isInteger(id) || id < 0) return undefined;
    const event = this.events[id % SLOTS];
    return event !== undefined && event.id === id ? event : undefined;
  }

  delete(event: QueuedEvent): void {
    const slot = event.id % SLOTS;
    if (this.events[slot] !== event) return;
    this.events[slot] = undefined;
    this.generations[slot] = (this.generations[slot]! + 1) % GENERATIONS;
    this.free.push(slot);
  }

  clear(): void {
    this.events.length = 0;
    this.generations.length = 0;
    this.free.length = 0;
  }
}
