/** A FIFO of records that removes from the front in O(1) (Array#shift is O(n)). */
export class RecordQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(records: readonly T[]): void {
    for (const record of records) this.items.push(record);
  }

  /** Remove and return the first record; the queue must not be empty. */
  shift(): T {
    const record = this.items[this.head] as T;
    this.items[this.head++] = undefined;
    this.compact();
    return record;
  }

  /** Remove and return the first `n` records. */
  take(n: number): T[] {
    const records = this.items.slice(this.head, this.head + n) as T[];
    this.items.fill(undefined, this.head, this.head + n);
    this.head += records.length;
    this.compact();
    return records;
  }

  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
