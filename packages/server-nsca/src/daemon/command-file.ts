import { closeSync, constants, openSync, writeSync } from 'node:fs';

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

/**
 * Writes command lines the way nsca does (non-blocking opens of the command file, an alternate
 * dump file when it is missing), but never loses a line it accepted where nsca does: lines are
 * batched per event-loop turn into one write, and lines a FIFO cannot take yet (no reader, pipe
 * full) wait in memory, bounded by `maxQueued`, and are retried.
 */
export class CommandFile {
  private queue: Buffer[] = [];
  private flushPending = false;
  private retry: NodeJS.Timeout | undefined = undefined;
  private fd: number | undefined = undefined;
  private dropped = 0;
  private waitingSince: number | undefined = undefined;
  private readonly maxQueued: number;

  constructor(private readonly options: CommandFileOptions) {
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /** Lines waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  write(line: Buffer): void {
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      if (this.dropped++ === 0) this.options.log(`nscad: ${this.options.path} has not taken lines for a while; dropping the oldest beyond ${this.maxQueued}`);
    }
    this.queue.push(line);
    if (!this.flushPending && this.retry === undefined) {
      this.flushPending = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Writes what it can now; true when nothing is left waiting. */
  flush(): boolean {
    if (this.queue.length === 0) return true;
    const data = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
    this.queue = [];
    const written = this.writeOut(data);
    if (written < data.length) this.queue.unshift(data.subarray(written));
    if (this.queue.length === 0) {
      if (this.waitingSince !== undefined) this.options.log(`nscad: ${this.options.path} takes lines again`);
      this.waitingSince = undefined;
      return true;
    }
    this.waitingSince ??= Date.now();
    return false;
  }

  /** Flushes until empty or `ms` have passed; returns the lines (or pieces) left unwritten. */
  close(ms = 5000): number {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    const end = Date.now() + ms;
    while (!this.flush() && Date.now() < end) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    this.closeFd();
    return this.queue.length;
  }

  private readonly flushSoon = (): void => {
    this.flushPending = false;
    if (!this.flush() && this.retry === undefined) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.flushSoon();
      }, RETRY_MS);
    }
  };

  /** Writes `data` to the command file (or the alternate dump file); returns the bytes written. */
  private writeOut(data: Buffer): number {
    let fd: number;
    try {
      fd = this.open();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && this.options.alternateDumpFile !== undefined) return this.dump(data);
      if (this.waitingSince === undefined) {
        const why = code === 'ENXIO' ? 'no process is reading it' : (error as Error).message;
        this.options.log(`nscad: cannot open ${this.options.path}: ${why}; keeping ${this.queue.length + 1} batch(es) to retry`);
      }
      return 0;
    }
    let written = 0;
    try {
      while (written < data.length) written += writeSync(fd, data, written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && this.waitingSince === undefined) this.options.log(`nscad: writing ${this.options.path}: ${(error as Error).message}; will retry`);
      this.closeFd();
    }
    if (!this.options.aggregate) this.closeFd();
    return written;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const flags = constants.O_WRONLY | constants.O_NONBLOCK | (this.options.append ? constants.O_APPEND : 0);
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

  private dump(data: Buffer): number {
    try {
      const fd = openSync(this.options.alternateDumpFile!, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o660);
      try {
        let written = 0;
        while (written < data.length) written += writeSync(fd, data, written);
        return written;
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if (this.waitingSince === undefined) this.options.log(`nscad: ${this.options.path} is missing and ${this.options.alternateDumpFile} cannot be written: ${(error as Error).message}`);
      return 0;
    }
  }
}
