import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { MemoryBacklog, lineTime, type Backlog, type DropReason } from './backlog.js';
import { Spool } from './spool.js';

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
  /** The most bytes of lines kept in memory while the file cannot take them (no spool), default 16 MiB. */
  maxQueueBytes?: number;
  /** Lines older than this many seconds (by their `[time]`) are dropped rather than written late; 0 (default): no limit. */
  maxQueueAge?: number;
  /** A directory for the on-disk spool: the backlog lives there instead of in memory, and survives restarts. */
  spoolDirectory?: string;
  /** The most bytes the spool keeps (default 1 GiB). */
  spoolMaxBytes?: number;
}

const RETRY_MS = 50;
/** Writes of at most this many bytes to a pipe are atomic (POSIX PIPE_BUF; Linux's value). */
const PIPE_BUF = 4096;
/** The largest single write to a regular file. */
const FILE_CHUNK = 1 << 20;
export const DEFAULT_QUEUE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_SPOOL_BYTES = 1024 * 1024 * 1024;

type Sink = { kind: 'fifo'; socket: Socket } | { kind: 'file'; fd: number };

/**
 * Writes command lines the way nsca does (non-blocking opens of the command file, an alternate
 * dump file while it is missing), but keeps what the file cannot take where nsca drops it.
 *
 * Lines of one event-loop turn go out in one write. While the file cannot take lines (a FIFO
 * with no reader, or full; an error), they wait in a backlog: in memory, bounded by bytes, or
 * — with `spoolDirectory` — in an on-disk `Spool`, which survives restarts. The backlog is
 * written out in order, at the reader's speed (a full FIFO is written through a libuv pipe
 * handle, which waits for room rather than retrying on a timer), before any newer line. Past
 * the limits (bytes, age) the oldest lines are dropped: counted and logged, never silently.
 *
 * On a FIFO, lines go in whole-line chunks of at most PIPE_BUF bytes, which the kernel writes
 * atomically: another writer of the same pipe (Nagios' CGIs, another daemon) never lands in the
 * middle of one of our lines, and a full pipe takes a chunk whole or not at all. (A single line
 * longer than PIPE_BUF cannot be atomic; it is written in pieces, in order.)
 *
 * `whenSafe()` tells when the lines written so far are safe from a crash of the process:
 * written to the file, or synced to the spool (with no spool, lines in memory count as safe:
 * nothing better can be had).
 */
export class CommandFile {
  private options: CommandFileOptions;
  /** Lines of this turn, written at its end. */
  private batch: Buffer[] = [];
  private turnPending = false;
  private readonly backlog: Backlog;
  /** The unwritten end of a line a write cut short: it goes first, and is never dropped. */
  private partial: Buffer | undefined = undefined;
  /** The fd of the direct (no backlog) path, kept with aggregate_writes. */
  private fd: number | undefined = undefined;
  private fifo: boolean | undefined = undefined;
  /** Where the backlog is being written. */
  private sink: Sink | undefined = undefined;
  private pumping: Promise<void> | undefined = undefined;
  private wake: (() => void) | undefined = undefined;
  private stopped = false;
  private closed = false;
  private waitingSince: number | undefined = undefined;
  /** Why the file last refused lines (for the log). */
  private why = '';
  private readonly dropCounts: Record<DropReason, number> = { bytes: 0, age: 0, error: 0 };
  private droppedTotal = 0;
  /** Lines accepted, and how many of the first ones are safe (written, synced or dropped). */
  private accepted = 0;
  private safe = 0;
  private safeWaiters: { seq: number; resolve: () => void }[] = [];

  constructor(options: CommandFileOptions) {
    this.options = options;
    const onDrop = (count: number, reason: DropReason) => this.dropped(count, reason);
    this.backlog =
      options.spoolDirectory === undefined
        ? new MemoryBacklog(options.maxQueueBytes ?? DEFAULT_QUEUE_BYTES, onDrop)
        : new Spool({ directory: options.spoolDirectory, maxBytes: options.spoolMaxBytes ?? DEFAULT_SPOOL_BYTES, onDrop, log: options.log });
    if (this.backlog.lines > 0) this.startPump(); // lines spooled before a restart go first
  }

  /** Lines waiting to be written (a line partly written counts as one). */
  get pending(): number {
    return this.batch.length + this.backlog.lines + (this.partial === undefined ? 0 : 1);
  }

  /** Bytes waiting in the backlog (memory or spool). */
  get pendingBytes(): number {
    return this.backlog.bytes;
  }

  /** Lines dropped past the limits since this writer started. */
  get droppedLines(): number {
    return this.droppedTotal;
  }

  /** Whether the backlog is kept on disk. */
  get spooled(): boolean {
    return this.backlog.durable;
  }

  /** Queues one line (with its `\n`); it is written at the end of this event-loop turn, or later. */
  write(line: Buffer): void {
    if (this.closed) throw new Error(`CommandFile ${this.options.path}: write() after close()`);
    this.batch.push(line);
    this.accepted++;
    if (!this.turnPending) {
      this.turnPending = true;
      setImmediate(this.turn);
    }
  }

  /**
   * Undefined when every line written so far is safe from a crash of this process (written to
   * the file, or synced to the spool); else a promise resolved once they are.
   */
  whenSafe(): Promise<void> | undefined {
    if (this.safe >= this.accepted) return undefined;
    const seq = this.accepted;
    return new Promise((resolve) => this.safeWaiters.push({ seq, resolve }));
  }

  /** Takes new file options (HUP): the lines waiting go to the new file. The spool stays where it is. */
  reconfigure(options: Omit<CommandFileOptions, 'log' | 'spoolDirectory' | 'spoolMaxBytes' | 'maxQueueBytes'>): void {
    this.options = { ...this.options, ...options };
    this.closeFd();
    if (this.sink !== undefined) this.closeSink();
  }

  /**
   * Writes what is waiting and closes, without blocking the event loop. With a spool, what the
   * file has not taken stays there (synced) for the next start, and nothing is lost; without
   * one, the file has `ms` to take the lines. Resolves to the number of lines lost (left in
   * memory, unwritten). Nothing is retried after this, and write() throws.
   */
  async close(ms = 5000): Promise<number> {
    if (this.closed) return this.lost();
    this.closed = true;
    this.turn();
    if (!this.backlog.durable && this.pending > 0 && ms > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.pumping ?? Promise.resolve(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    }
    this.stopped = true;
    this.wake?.();
    // a write waiting for room in a full pipe ends now; its lines were not taken and stay waiting
    this.closeSink();
    await this.pumping;
    await this.backlog.sync();
    const left = this.pending;
    if (this.backlog.durable && left > 0) this.options.log(`nscad: ${left} line(s) stay in the spool for the next start (${this.options.path} did not take them)`);
    this.backlog.close();
    this.closeFd();
    this.markSafe(this.accepted);
    return this.lost();
  }

  private lost(): number {
    return this.backlog.durable ? (this.partial === undefined ? 0 : 1) : this.pending;
  }

  /** The end of a turn: this turn's lines go to the file, or to the backlog behind older ones. */
  private readonly turn = (): void => {
    this.turnPending = false;
    if (this.batch.length === 0) return;
    let lines = this.batch;
    this.batch = [];
    const end = this.accepted;
    if (this.backlog.lines === 0 && this.partial === undefined && this.pumping === undefined) {
      const written = this.writeDirect(lines);
      if (written === lines.length) {
        this.markSafe(end);
        if (this.partial !== undefined) this.startPump(); // the rest of a long line cut short
        return;
      }
      lines = lines.slice(written);
    }
    if (this.waitingSince === undefined) {
      this.waitingSince = Date.now();
      this.options.log(`nscad: ${this.options.path} cannot take lines now${this.why === '' ? '' : ` (${this.why})`}; keeping them ${this.backlog.durable ? `in the spool ${this.options.spoolDirectory}` : 'in memory'} to write in order`);
    }
    try {
      this.backlog.append(lines);
    } catch (error) {
      this.options.log(`nscad: spool ${this.options.spoolDirectory}: cannot append: ${(error as Error).message}`);
      this.dropped(lines.length, 'error');
    }
    const synced = this.backlog.sync();
    if (synced === undefined) this.markSafe(end);
    else void synced.then(() => this.markSafe(end));
    this.startPump();
  };

  /** Writes lines straight to the file (nothing is waiting); returns how many it took whole. */
  private writeDirect(lines: Buffer[]): number {
    let fd: number;
    try {
      fd = this.open();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && this.options.alternateDumpFile !== undefined && this.dump(lines)) return lines.length;
      this.why = code === 'ENXIO' ? 'no process is reading it' : (error as Error).message;
      return 0;
    }
    let written = 0;
    try {
      written = this.writeLines(fd, lines, () => (this.fifo ??= isFifo(fd)));
    } catch (error) {
      this.why = (error as NodeJS.ErrnoException).code === 'EAGAIN' ? 'the pipe is full' : (error as Error).message;
      written = (error as { written?: number }).written ?? 0;
      this.closeFd();
    }
    if (!this.options.aggregate) this.closeFd();
    return written;
  }

  /**
   * Writes lines to `fd` in chunks of whole lines (of at most PIPE_BUF bytes to a FIFO; a longer
   * line alone); returns how many were taken whole (a line cut short keeps its rest in
   * `partial`, and counts as taken). Throws the write's error with `written` set.
   */
  private writeLines(fd: number, lines: Buffer[], fifo: () => boolean): number {
    let chunk = FILE_CHUNK;
    let next = 0;
    try {
      while (next < lines.length) {
        let end = next;
        let size = 0;
        while (end < lines.length && (end === next || size + lines[end]!.length <= chunk)) size += lines[end++]!.length;
        if (size > PIPE_BUF && chunk > PIPE_BUF && end - next > 1 && fifo()) {
          chunk = PIPE_BUF; // a pipe: atomic chunks of whole lines instead
          continue;
        }
        const data = end - next === 1 ? lines[next]! : Buffer.concat(lines.slice(next, end), size);
        const n = writeSync(fd, data);
        let left = n;
        while (next < end && left >= lines[next]!.length) left -= lines[next++]!.length;
        if (left > 0) {
          this.partial = lines[next]!.subarray(left);
          return next + 1;
        }
        if (n < size) return next;
      }
      return next;
    } catch (error) {
      (error as { written?: number }).written = next;
      throw error;
    }
  }

  private startPump(): void {
    if (this.pumping !== undefined || this.stopped) return;
    this.pumping = this.pump().finally(() => (this.pumping = undefined));
  }

  /** Writes the backlog out, oldest first, until it is empty or the writer stops. */
  private async pump(): Promise<void> {
    while (!this.stopped) {
      if (this.partial === undefined && this.backlog.lines === 0) {
        this.closeSink();
        this.resumed();
        return;
      }
      const sink = this.openSink();
      if (sink === undefined || !(await this.drainTo(sink))) await this.pause(RETRY_MS);
    }
    this.closeSink();
  }

  /** Writes backlog chunks to `sink` until the backlog is empty; false when the sink failed. */
  private async drainTo(sink: Sink): Promise<boolean> {
    while (!this.stopped && this.sink === sink) {
      if (this.partial !== undefined) {
        if (!(await this.put(sink, this.partial))) return false;
        this.partial = undefined;
        continue;
      }
      const lines = this.peekFresh(sink.kind === 'fifo' ? PIPE_BUF : FILE_CHUNK);
      if (lines.length === 0) return true;
      const data = lines.length === 1 ? lines[0]! : Buffer.concat(lines);
      if (!(await this.put(sink, data))) return false;
      this.backlog.consume(lines.length);
      if (this.backlog.lines === 0 && this.batch.length === 0) this.markSafe(this.accepted);
    }
    return true;
  }

  /** The oldest lines of the backlog, after dropping those older than maxQueueAge. */
  private peekFresh(maxBytes: number): Buffer[] {
    const maxAge = this.options.maxQueueAge ?? 0;
    for (;;) {
      const lines = this.backlog.peek(maxBytes);
      if (maxAge <= 0 || lines.length === 0) return lines;
      const oldest = Date.now() / 1000 - maxAge;
      let stale = 0;
      while (stale < lines.length && (lineTime(lines[stale]!) ?? Infinity) < oldest) stale++;
      if (stale === 0) return lines;
      this.backlog.consume(stale);
      this.dropped(stale, 'age');
    }
  }

  /** One write to the sink; false (sink closed) on an error. */
  private async put(sink: Sink, data: Buffer): Promise<boolean> {
    if (sink.kind === 'file') {
      try {
        let at = 0;
        while (at < data.length) at += writeSync(sink.fd, data, at);
        return true;
      } catch (error) {
        this.why = (error as Error).message;
        this.closeSink();
        return false;
      }
    }
    const ok = await new Promise<boolean>((resolve) => sink.socket.write(data, (error) => resolve(error == null)));
    if (!ok) {
      this.why = 'its reader went away';
      this.closeSink();
    }
    return ok;
  }

  /** Opens the file for the backlog: a FIFO through a pipe handle (writes wait for room), else a descriptor. */
  private openSink(): Sink | undefined {
    if (this.sink !== undefined) return this.sink;
    const flags = constants.O_WRONLY | constants.O_NONBLOCK | (this.options.append ? constants.O_APPEND : 0);
    let fd: number;
    try {
      fd = openSync(this.options.path, flags);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && this.options.alternateDumpFile !== undefined) {
        try {
          fd = openSync(this.options.alternateDumpFile, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o660);
          return (this.sink = { kind: 'file', fd });
        } catch (dumpError) {
          this.why = `missing, and ${this.options.alternateDumpFile} cannot be written: ${(dumpError as Error).message}`;
          return undefined;
        }
      }
      this.why = code === 'ENXIO' ? 'no process is reading it' : (error as Error).message;
      return undefined;
    }
    if (!isFifo(fd)) return (this.sink = { kind: 'file', fd });
    const socket = new Socket({ fd, readable: false, writable: true });
    socket.on('error', () => {
      /* the write's callback reports it */
    });
    return (this.sink = { kind: 'fifo', socket });
  }

  private closeSink(): void {
    const sink = this.sink;
    this.sink = undefined;
    if (sink === undefined) return;
    if (sink.kind === 'fifo') sink.socket.destroy();
    else closeQuietly(sink.fd);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** The backlog is written out: log the end of the stall. */
  private resumed(): void {
    this.markSafe(this.accepted - this.batch.length);
    if (this.waitingSince === undefined) return;
    const lost = this.droppedSummary();
    this.options.log(`nscad: ${this.options.path} takes lines again after ${((Date.now() - this.waitingSince) / 1000).toFixed(1)} s${lost === '' ? '' : `; ${lost}`}`);
    this.waitingSince = undefined;
    this.dropCounts.bytes = this.dropCounts.age = this.dropCounts.error = 0;
  }

  private dropped(count: number, reason: DropReason): void {
    const first = this.dropCounts[reason] === 0;
    this.dropCounts[reason] += count;
    this.droppedTotal += count;
    if (first) {
      const why =
        reason === 'bytes'
          ? `more than ${this.backlog.durable ? `${this.options.spoolMaxBytes ?? DEFAULT_SPOOL_BYTES} bytes in the spool` : `${this.options.maxQueueBytes ?? DEFAULT_QUEUE_BYTES} bytes in memory`}`
          : reason === 'age'
            ? `older than ${this.options.maxQueueAge} s`
            : 'the spool could not take them';
      this.options.log(`nscad: ${this.options.path}: dropping the oldest waiting lines (${why}); ${count} so far`);
    }
  }

  private droppedSummary(): string {
    const parts: string[] = [];
    if (this.dropCounts.bytes > 0) parts.push(`${this.dropCounts.bytes} past the size limit`);
    if (this.dropCounts.age > 0) parts.push(`${this.dropCounts.age} past the age limit`);
    if (this.dropCounts.error > 0) parts.push(`${this.dropCounts.error} the spool could not take`);
    return parts.length === 0 ? '' : `${parts.join(', ')} line(s) were dropped meanwhile`;
  }

  private markSafe(seq: number): void {
    if (seq <= this.safe) return;
    this.safe = seq;
    let done = 0;
    while (done < this.safeWaiters.length && this.safeWaiters[done]!.seq <= seq) this.safeWaiters[done++]!.resolve();
    if (done > 0) this.safeWaiters = this.safeWaiters.slice(done);
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const flags = constants.O_WRONLY | constants.O_NONBLOCK | (this.options.append ? constants.O_APPEND : 0);
    this.fifo = undefined;
    return (this.fd = openSync(this.options.path, flags));
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    closeQuietly(this.fd);
    this.fd = undefined;
  }

  /** Appends lines to the alternate dump file; false when it cannot be written. */
  private dump(lines: Buffer[]): boolean {
    let fd: number;
    try {
      fd = openSync(this.options.alternateDumpFile!, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o660);
    } catch (error) {
      this.why = `missing, and ${this.options.alternateDumpFile} cannot be written: ${(error as Error).message}`;
      return false;
    }
    try {
      const data = Buffer.concat(lines);
      let at = 0;
      while (at < data.length) at += writeSync(fd, data, at);
      return true;
    } catch (error) {
      this.why = `missing, and writing ${this.options.alternateDumpFile} failed: ${(error as Error).message}`;
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

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already gone */
  }
}
