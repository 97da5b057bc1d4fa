// The last log lines, kept for the status page: a Logger that remembers and passes each line on.
import type { LogContext, Logger, LogLevel } from '@poets/kernel';

/** One remembered log line. `time` is epoch ms. */
export interface LogLine {
  /** Counts from 1 over the ring's life, so a reader can ask for the lines after one it saw. */
  index: number;
  time: number;
  level: LogLevel;
  component: string;
  message: string;
}

/** A Logger in front of another: each line goes on to `next` and is kept, the last `size` of them. */
export class LogRing implements Logger {
  private readonly lines: LogLine[] = [];
  private readonly listeners = new Set<(line: LogLine) => void>();
  private count = 0;

  constructor(
    private readonly next: Logger,
    readonly size = 200,
  ) {}

  log(level: LogLevel, message: string, context?: LogContext): void {
    const line: LogLine = { index: ++this.count, time: Date.now(), level, component: context?.component ?? '', message };
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
    for (const listener of this.listeners) listener(line);
    this.next.log(level, message, context);
  }

  /** The kept lines, oldest first. */
  recent(): LogLine[] {
    return [...this.lines];
  }

  /** Calls `listener` with each new line; returns what stops it. */
  onLine(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
