import type { ByteQueue } from './byte-queue.js';

/**
 * Remembers where the next occurrence of one byte value is in a ByteQueue,
 * so that looking for "CR or LF" does not rescan the buffer for the byte
 * that is absent (Unix text has no CR) once per line.
 */
export class NextByte {
  /** Queue position of the next occurrence, or -1 if there is none before `end`. */
  private at = -1;
  /** How far the last search went. */
  private end = 0;
  private known = false;

  constructor(private readonly byte: number) {}

  /** The first occurrence at or after `from`; `from` never moves back between shifts. */
  find(q: ByteQueue, from: number): number {
    if (this.known) {
      if (this.at >= from) return this.at;
      if (this.at < 0 && this.end >= q.length) return -1;
    }
    const start = this.known && this.at < 0 ? Math.max(from, this.end) : from;
    this.at = q.indexOf(this.byte, start);
    this.end = q.length;
    this.known = true;
    return this.at;
  }

  /** The queue dropped its first `n` bytes. */
  shift(n: number): void {
    if (!this.known) return;
    if (this.at >= 0) {
      this.at -= n;
      if (this.at < 0) this.known = false;
    }
    this.end = Math.max(0, this.end - n);
  }
}
