/**
 * Where command lines wait while the command file cannot take them: in memory (`MemoryBacklog`)
 * or on disk (`Spool`). Both keep whole lines in arrival order, bounded by bytes, and drop the
 * oldest past the bound (and, when read, lines older than a maximum age), telling `onDrop` how
 * many and why so that the writer logs it: nothing is dropped silently.
 */
export interface Backlog {
  /** Lines waiting. */
  readonly lines: number;
  /** Bytes waiting. */
  readonly bytes: number;
  /** Adds whole lines (each ending in `\n`) at the end. */
  append(lines: readonly Buffer[]): void;
  /** The oldest waiting lines, up to about `maxBytes` (at least one line), without removing them. */
  peek(maxBytes: number): Buffer[];
  /**
   * Removes the `count` lines the last `peek()` returned (written, or dropped by the reader);
   * those of them dropped meanwhile (an append past the bound) are not removed twice.
   */
  consume(count: number): void;
  /** Lines appended that a crash of the process would lose no longer: resolves once they are. */
  sync(): Promise<void> | undefined;
  /** Whether lines survive a restart of the process. */
  readonly durable: boolean;
  close(): void;
}

export type DropReason = 'bytes' | 'age' | 'error';
export type DropListener = (count: number, reason: DropReason) => void;

/** The `[time]` that starts a command line, in seconds (undefined when the line has none). */
export function lineTime(line: Buffer): number | undefined {
  if (line[0] !== 0x5b) return undefined;
  let time = 0;
  for (let i = 1; i < line.length && i < 22; i++) {
    const byte = line[i]!;
    if (byte === 0x5d) return i > 1 ? time : undefined;
    if (byte < 0x30 || byte > 0x39) return undefined;
    time = time * 10 + (byte - 0x30);
  }
  return undefined;
}

/** Lines in memory, oldest first, at most `maxBytes` of them (the oldest whole lines go first). */
export class MemoryBacklog implements Backlog {
  readonly durable = false;
  private queue: Buffer[] = [];
  private head = 0;
  private size = 0;
  /** Lines removed from the front so far (consumed or dropped), and that count at the last peek. */
  private removed = 0;
  private peekedAt = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: DropListener,
  ) {}

  get lines(): number {
    return this.queue.length - this.head;
  }

  get bytes(): number {
    return this.size;
  }

  append(lines: readonly Buffer[]): void {
    for (const line of lines) {
      this.queue.push(line);
      this.size += line.length;
    }
    let dropped = 0;
    while (this.size > this.maxBytes && this.head < this.queue.length) {
      this.size -= this.queue[this.head++]!.length;
      dropped++;
    }
    this.removed += dropped;
    this.compact();
    if (dropped > 0) this.onDrop(dropped, 'bytes');
  }

  peek(maxBytes: number): Buffer[] {
    let end = this.head;
    let size = 0;
    while (end < this.queue.length && (end === this.head || size + this.queue[end]!.length <= maxBytes)) size += this.queue[end++]!.length;
    this.peekedAt = this.removed;
    return this.queue.slice(this.head, end);
  }

  consume(count: number): void {
    const left = count - (this.removed - this.peekedAt);
    for (let i = 0; i < left && this.head < this.queue.length; i++) {
      this.size -= this.queue[this.head++]!.length;
      this.removed++;
    }
    this.peekedAt = this.removed;
    this.compact();
  }

  sync(): undefined {
    return undefined;
  }

  close(): void {}

  /** Lets the consumed part of the array go once it is empty or mostly consumed. */
  private compact(): void {
    if (this.head === 0) return;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
