import type { Writable } from 'node:stream';
import { MemoryBacklog } from './backlog.js';

/**
 * A stream (poets-nscad --json's stdout) whose reader may stall, written without growing without
 * bound: lines go to the stream while it takes them, and wait in a byte-bounded queue while it
 * asks for a drain; past the bound the oldest lines are dropped, counted and logged.
 */
export class BoundedOutput {
  private readonly queue: MemoryBacklog;
  private droppedNow = 0;
  private droppedTotal = 0;

  constructor(
    private readonly stream: Writable,
    maxBytes: number,
    private readonly log: (line: string) => void,
  ) {
    this.queue = new MemoryBacklog(maxBytes, (count) => {
      if (this.droppedNow === 0) this.log(`nscad: stdout is not being read; dropping the oldest results beyond ${maxBytes} bytes`);
      this.droppedNow += count;
      this.droppedTotal += count;
    });
    stream.on('drain', this.drain);
  }

  /** Lines dropped since the start. */
  get droppedLines(): number {
    return this.droppedTotal;
  }

  /** Lines waiting for the stream. */
  get pending(): number {
    return this.queue.lines;
  }

  write(line: string | Buffer): void {
    if (this.stream.destroyed) return;
    if (this.queue.lines === 0 && !this.stream.writableNeedDrain) this.stream.write(line);
    else this.queue.append([typeof line === 'string' ? Buffer.from(line) : line]);
  }

  private readonly drain = (): void => {
    while (this.queue.lines > 0 && !this.stream.writableNeedDrain && !this.stream.destroyed) {
      const lines = this.queue.peek(64 * 1024);
      this.stream.write(lines.length === 1 ? lines[0]! : Buffer.concat(lines));
      this.queue.consume(lines.length);
    }
    if (this.queue.lines === 0 && this.droppedNow > 0) {
      this.log(`nscad: stdout is read again; ${this.droppedNow} result(s) were dropped meanwhile`);
      this.droppedNow = 0;
    }
  };

  /** Resolves once the queue is empty, or after `ms`: the number of lines still waiting. */
  async close(ms: number): Promise<number> {
    const end = Date.now() + ms;
    while (this.queue.lines > 0 && !this.stream.destroyed && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    this.stream.off('drain', this.drain);
    return this.queue.lines;
  }
}
