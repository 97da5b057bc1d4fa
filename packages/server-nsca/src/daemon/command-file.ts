import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';

export interface CommandFileOptions {
  /** The external command file (usually Nagios' FIFO). */
  path: string;
  /** Where lines go when `path` does not exist (nsca's alternate_dump_file). */
  alternateDumpFile?: string;
  /** Open with O_APPEND (append_to_file); without it each write lands at offset 0 of a regular file, as nsca's. */
  append: boolean;
  /** Keep the file open between writes (aggregate_writes); else it is opened for each batch. */
  aggregate: boolean;
  log: (line: string) => void;
  /** Lines kept while the file cannot take them (no reader on the FIFO, FIFO full), default 100,000. */
  maxQueued?: number;
}

const RETRY_MS = 50;
/** Writes of at most this many bytes to a pipe are atomic (POSIX PIPE_BUF; Linux's value). */
const PIPE_BUF = 4096;
/** The largest single write to a regular file. */
const FILE_CHUNK = 1 << 20;

/**
 * Writes command lines the way nsca does (non-blocking opens of the command file, an alternate
 * dump file when it is missing), but never loses a line it accepted where nsca does: lines are
 * batched per event-loop turn, and lines a FIFO cannot take yet (no reader, pipe full) wait in
 * memory, bounded by `maxQueued` lines, and are retried every 50 ms.
 *
 * On a FIFO, lines are written in whole-line chunks of at most PIPE_BUF bytes, which the kernel
 * writes atomically: another writer of the same pipe (Nagios' CGIs, another daemon) never lands
 * in the middle of one of our lines, and a pipe that is full takes a chunk whole or not at all.
 * (A single line longer than PIPE_BUF cannot be atomic; it is written in pieces, in order.)
 */
export class CommandFile {
  /** Whole lines waiting, oldest first, from `next` on. */
  private lines: Buffer[] = [];
  private next = 0;
  /** The unwritten end of a line a write cut short: it goes first, and is never dropped. */
  private partial: Buffer | undefined = undefined;
  private flushPending = false;
  private retry: NodeJS.Timeout | undefined = undefined;
  private fd: number | undefined = undefined;
  /** Whether the open file is a FIFO: asked (fstat) only when a write would exceed PIPE_BUF. */
  private fifo: boolean | undefined = undefined;
  private dropped = 0;
  private closed = false;
  private waitingSince: number | undefined = undefined;
  private readonly maxQueued: number;

  constructor(private readonly options: CommandFileOptions) {
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /** Lines waiting to be written (a line partly written counts as one). */
  get pending(): number {
    return this.lines.length - this.next + (this.partial === undefined ? 0 : 1);
  }

  /** Lines dropped because more than `maxQueued` were waiting, since the queue was last empty. */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Queues one line (with its `\n`); it is written at the end of this event-loop turn, or later. */
  write(line: Buffer): void {
    if (this.closed) throw new Error(`CommandFile ${this.options.path}: write() after close()`);
    if (this.lines.length - this.next >= this.maxQueued) {
      this.next++;
      this.compact();
      if (this.dropped++ === 0) this.options.log(`nscad: ${this.options.path} has not taken lines for a while; dropping the oldest beyond ${this.maxQueued}`);
    }
    this.lines.push(line);
    if (!this.flushPending && this.retry === undefined) {
      this.flushPending = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Writes what it can now; true when nothing is left waiting. */
  flush(): boolean {
    if (this.pending === 0) return true;
    let fd: number;
    try {
      fd = this.open();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && this.options.alternateDumpFile !== undefined && this.dump()) return this.settled();
      if (this.waitingSince === undefined) {
        const why = code === 'ENXIO' ? 'no process is reading it' : (error as Error).message;
        this.options.log(`nscad: cannot open ${this.options.path}: ${why}; keeping ${this.pending} line(s) to retry`);
      }
      return this.settled();
    }
    try {
      this.writeLines(fd, () => (this.fifo ??= isFifo(fd)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && this.waitingSince === undefined) this.options.log(`nscad: writing ${this.options.path}: ${(error as Error).message}; will retry`);
      this.closeFd();
    }
    if (!this.options.aggregate) this.closeFd();
    return this.settled();
  }

  /** Removes and returns the lines waiting (a partly written line's rest first): to hand them to another writer. */
  takePending(): Buffer[] {
    const taken = this.lines.slice(this.next);
    if (this.partial !== undefined) taken.unshift(this.partial);
    this.lines = [];
    this.next = 0;
    this.partial = undefined;
    return taken;
  }

  /**
   * Flushes until empty or `ms` have passed, then closes; returns the lines left unwritten (they
   * stay readable through `takePending()`). Nothing is retried after this, and write() throws.
   */
  close(ms = 5000): number {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    const end = Date.now() + ms;
    while (!this.flush() && Date.now() < end) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    this.closeFd();
    return this.pending;
  }

  private readonly flushSoon = (): void => {
    this.flushPending = false;
    if (this.closed) return; // close() did the last flush; nothing reopens the file after it
    if (!this.flush() && this.retry === undefined) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.flushSoon();
      }, RETRY_MS);
    }
  };

  /** After a flush: true when nothing is left; logs the start and the end of a stall. */
  private settled(): boolean {
    if (this.pending > 0) {
      this.waitingSince ??= Date.now();
      return false;
    }
    const lost = this.dropped > 0 ? `; ${this.dropped} line(s) were dropped meanwhile (more than ${this.maxQueued} waiting)` : '';
    if (this.waitingSince !== undefined) {
      this.options.log(`nscad: ${this.options.path} takes lines again after ${((Date.now() - this.waitingSince) / 1000).toFixed(1)} s${lost}`);
    } else if (lost !== '') {
      this.options.log(`nscad: ${this.options.path}: all written${lost}`);
    }
    this.dropped = 0;
    this.waitingSince = undefined;
    this.compact();
    return true;
  }

  /**
   * Writes waiting lines to `fd` in chunks of whole lines (of at most PIPE_BUF bytes to a FIFO; a
   * longer line alone), until all are written or the file takes less than it was given. Throws
   * the write's error (EAGAIN: a full pipe) with the queue reflecting what was written.
   */
  private writeLines(fd: number, fifo: () => boolean): void {
    let chunk = FILE_CHUNK;
    while (this.partial !== undefined) {
      const n = writeSync(fd, this.partial);
      this.partial = n < this.partial.length ? this.partial.subarray(n) : undefined;
      if (this.partial !== undefined) return;
    }
    while (this.next < this.lines.length) {
      let end = this.next;
      let size = 0;
      while (end < this.lines.length && (end === this.next || size + this.lines[end]!.length <= chunk)) size += this.lines[end++]!.length;
      if (size > PIPE_BUF && chunk > PIPE_BUF && end - this.next > 1 && fifo()) {
        chunk = PIPE_BUF; // a pipe: atomic chunks of whole lines instead
        continue;
      }
      const data = end - this.next === 1 ? this.lines[this.next]! : Buffer.concat(this.lines.slice(this.next, end), size);
      const n = writeSync(fd, data);
      // consume the lines written whole; a line cut short keeps its rest in `partial`
      let left = n;
      while (this.next < end && left >= this.lines[this.next]!.length) left -= this.lines[this.next++]!.length;
      if (left > 0) {
        this.partial = this.lines[this.next]!.subarray(left);
        this.next++;
        return;
      }
      if (n < size) return;
    }
  }

  /** Drops the written lines from the array once it is empty or mostly consumed. */
  private compact(): void {
    if (this.next === 0) return;
    if (this.next >= this.lines.length) {
      this.lines = [];
      this.next = 0;
    } else if (this.next > 1024 && this.next * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.next);
      this.next = 0;
    }
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const flags = constants.O_WRONLY | constants.O_NONBLOCK | (this.options.append ? constants.O_APPEND : 0);
    this.fifo = undefined;
    return (this.fd = openSync(this.options.path, flags));
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.fd = undefined;
  }

  /** Appends every waiting line to the alternate dump file; false (lines kept) when it cannot be written. */
  private dump(): boolean {
    let fd: number;
    try {
      fd = openSync(this.options.alternateDumpFile!, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o660);
    } catch (error) {
      if (this.waitingSince === undefined) this.options.log(`nscad: ${this.options.path} is missing and ${this.options.alternateDumpFile} cannot be written: ${(error as Error).message}`);
      return false;
    }
    try {
      this.writeLines(fd, () => false);
      return true;
    } catch (error) {
      if (this.waitingSince === undefined) this.options.log(`nscad: ${this.options.path} is missing and writing ${this.options.alternateDumpFile} failed: ${(error as Error).message}`);
      return false;
    } finally {
      closeSync(fd);
    }
  }
}

function isFifo(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
