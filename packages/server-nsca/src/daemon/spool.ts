import { closeSync, constants, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Backlog, DropListener } from './backlog.js';

export interface SpoolOptions {
  /** The spool's directory (created if missing); one daemon per directory (a `lock` file says whose). */
  directory: string;
  /** The most bytes of lines kept; past it the oldest segment goes (its lines counted as dropped). */
  maxBytes: number;
  onDrop: DropListener;
  log: (line: string) => void;
  /** Size at which a new segment file is started (default: maxBytes / 8, from 64 KiB to 64 MiB). */
  segmentBytes?: number;
}

interface Segment {
  seq: number;
  path: string;
  /** Bytes in the file. */
  size: number;
  /** Lines not yet consumed (for the head segment: after the cursor). */
  lines: number;
}

const SEGMENT_SUFFIX = '.spool';
const CURSOR_FILE = 'cursor';
const LOCK_FILE = 'lock';
const CURSOR_WIDTH = 48;
const READ_AHEAD = 64 * 1024;
const LF = 0x0a;

/**
 * A journal of command lines on disk: the backlog of a command file that cannot take lines
 * (Nagios stopped, or slower than the checks arrive), kept across restarts of the daemon.
 *
 * Lines are appended, whole and in order, to numbered segment files (`0000000000000001.spool`,
 * ...), plain text exactly as they will reach the command file. Appends are `write`s (so a
 * killed process loses nothing appended) made durable in batches by `fdatasync` in the thread
 * pool (`sync()` resolves when the lines appended before it are on disk), never blocking the
 * event loop. A `cursor` file records how far the lines have been written to the command file;
 * it is updated right after each write there, so a crash between the two replays at most that
 * one chunk (at least once rather than at most once). A segment fully written is deleted.
 *
 * At start the spool is recovered: segments before the cursor are deleted, and a last line cut by
 * a crash mid-append (never acknowledged: it was not synced) is cut off, and logged.
 */
export class Spool implements Backlog {
  readonly durable = true;
  private readonly directory: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly segments: Segment[] = [];
  /** Offset of the cursor in the head segment. */
  private headOffset = 0;
  private writeFd: number;
  private readonly cursorFd: number;
  /** Lines read from the head segment at `headOffset` and not consumed yet. */
  private readAhead: Buffer[] = [];
  private readAheadBytes = 0;
  /** Bytes appended / made durable, since this process opened the spool. */
  private appended = 0;
  private synced = 0;
  private syncing = false;
  private waiters: { target: number; resolve: () => void }[] = [];
  /** Segment descriptors to close once the fdatasync running on them is done. */
  private closeAfterSync: number[] = [];
  private closed = false;

  constructor(private readonly options: SpoolOptions) {
    this.directory = options.directory;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? Math.min(64 * 1024 * 1024, Math.max(64 * 1024, Math.floor(options.maxBytes / 8)));
    mkdirSync(this.directory, { recursive: true });
    this.lock();
    this.cursorFd = openSync(join(this.directory, CURSOR_FILE), constants.O_RDWR | constants.O_CREAT, 0o660);
    this.recover();
    this.writeFd = this.openSegment(this.segments.at(-1)!);
  }

  get lines(): number {
    let lines = 0;
    for (const segment of this.segments) lines += segment.lines;
    return lines;
  }

  get bytes(): number {
    let bytes = -this.headOffset;
    for (const segment of this.segments) bytes += segment.size;
    return bytes;
  }

  append(lines: readonly Buffer[]): void {
    if (lines.length === 0) return;
    let first = 0;
    let size = 0;
    for (const line of lines) size += line.length;
    // make room: the oldest segments go first; a batch bigger than the whole spool loses its oldest lines
    while (this.bytes + size > this.maxBytes && this.segments.length > 0 && this.bytes > 0) {
      if (this.segments.length === 1) this.rotate();
      this.dropHead();
    }
    while (size > this.maxBytes && first < lines.length) size -= lines[first++]!.length;
    if (first > 0) this.options.onDrop(first, 'bytes');
    if (first === lines.length) return;
    const tail = this.segments.at(-1)!;
    if (tail.size > 0 && tail.size + size > this.segmentBytes) this.rotate();
    const data = first === 0 && lines.length === 1 ? lines[0]! : Buffer.concat(first === 0 ? lines : lines.slice(first), size);
    let at = 0;
    while (at < data.length) at += writeSync(this.writeFd, data, at);
    const segment = this.segments.at(-1)!;
    segment.size += size;
    segment.lines += lines.length - first;
    this.appended += size;
  }

  sync(): Promise<void> | undefined {
    if (this.synced >= this.appended) return undefined;
    const target = this.appended;
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.startSync();
    return done;
  }

  peek(maxBytes: number): Buffer[] {
    if (this.readAheadBytes < maxBytes) this.fill(Math.max(maxBytes, READ_AHEAD));
    let end = 0;
    let size = 0;
    while (end < this.readAhead.length && (end === 0 || size + this.readAhead[end]!.length <= maxBytes)) size += this.readAhead[end++]!.length;
    return this.readAhead.slice(0, end);
  }

  consume(count: number): void {
    // lines peeked and then dropped with their segment (an append past maxBytes) are gone already
    count = Math.min(count, this.readAhead.length);
    if (count === 0) return;
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += this.readAhead[i]!.length;
    this.readAhead = this.readAhead.slice(count);
    this.readAheadBytes -= bytes;
    this.headOffset += bytes;
    this.segments[0]!.lines -= count;
    this.advanceHead();
    this.writeCursor();
  }

  /** Makes everything appended durable and releases the directory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fsyncSync(this.writeFd);
    } catch (error) {
      this.options.log(`nscad: spool ${this.directory}: ${(error as Error).message}`);
    }
    this.synced = this.appended;
    this.resolveWaiters();
    if (!this.syncing) closeSync(this.writeFd);
    else this.closeAfterSync.push(this.writeFd);
    closeSync(this.cursorFd);
    try {
      unlinkSync(join(this.directory, LOCK_FILE));
    } catch {
      /* gone */
    }
  }

  private lock(): void {
    const path = join(this.directory, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o660 });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new Error(`spool ${this.directory} is in use by process ${pid}`);
      unlinkSync(path); // left by a process that is gone
    }
    throw new Error(`spool ${this.directory}: cannot take ${path}`);
  }

  private recover(): void {
    const names = readdirSync(this.directory).filter((name) => /^\d{16}\.spool$/.test(name)).sort();
    const cursor = readFileSync(join(this.directory, CURSOR_FILE), 'latin1').trim().split(/\s+/).map(Number);
    const cursorSeq = Number.isInteger(cursor[0]) ? cursor[0]! : 0;
    const cursorOffset = Number.isInteger(cursor[1]) ? cursor[1]! : 0;
    let recovered = 0;
    for (const name of names) {
      const seq = Number.parseInt(name, 10);
      const path = join(this.directory, name);
      if (seq < cursorSeq) {
        unlinkSync(path); // written to the command file before the last stop
        continue;
      }
      let data = readFileSync(path);
      const whole = data.lastIndexOf(LF) + 1;
      if (whole < data.length) {
        // a crash mid-append: that line was never synced, so never acknowledged
        this.options.log(`nscad: spool ${path}: cutting off ${data.length - whole} byte(s) of an unfinished last line`);
        const fd = openSync(path, constants.O_WRONLY);
        ftruncateSync(fd, whole);
        closeSync(fd);
        data = data.subarray(0, whole);
      }
      const from = seq === cursorSeq ? Math.min(cursorOffset, data.length) : 0;
      if (this.segments.length === 0) this.headOffset = from;
      const lines = countLines(data, from);
      recovered += lines;
      this.segments.push({ seq, path, size: data.length, lines });
    }
    if (this.segments.length === 0) {
      const seq = Math.max(1, cursorSeq);
      this.segments.push({ seq, path: this.segmentPath(seq), size: 0, lines: 0 });
      this.headOffset = 0;
    }
    if (recovered > 0) this.options.log(`nscad: spool ${this.directory}: ${recovered} line(s) from before the last stop wait to be written`);
    this.advanceHead();
    this.writeCursor();
  }

  private segmentPath(seq: number): string {
    return join(this.directory, `${String(seq).padStart(16, '0')}${SEGMENT_SUFFIX}`);
  }

  private openSegment(segment: Segment): number {
    const fd = openSync(segment.path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o660);
    syncDirectory(this.directory);
    return fd;
  }

  /** Starts a new segment (the old one synced and closed). */
  private rotate(): void {
    const old = this.writeFd;
    fsyncSync(old);
    if (this.syncing) this.closeAfterSync.push(old);
    else closeSync(old);
    const seq = this.segments.at(-1)!.seq + 1;
    const segment: Segment = { seq, path: this.segmentPath(seq), size: 0, lines: 0 };
    this.segments.push(segment);
    this.writeFd = this.openSegment(segment);
  }

  /** Drops the head segment (not the one being written) and its lines, counted. */
  private dropHead(): void {
    const head = this.segments.shift()!;
    unlinkSync(head.path);
    this.headOffset = 0;
    this.readAhead = [];
    this.readAheadBytes = 0;
    this.writeCursor();
    if (head.lines > 0) this.options.onDrop(head.lines, 'bytes');
  }

  /** Deletes head segments that are written out; empties the last one in place. */
  private advanceHead(): void {
    while (this.segments.length > 1 && this.headOffset >= this.segments[0]!.size) {
      unlinkSync(this.segments.shift()!.path);
      this.headOffset = 0;
    }
    const head = this.segments[0]!;
    if (this.segments.length === 1 && head.size > 0 && this.headOffset >= head.size && this.writeFd !== undefined) {
      // truncate before the cursor moves back to 0: a crash in between replays nothing
      ftruncateSync(this.writeFd, 0);
      head.size = 0;
      head.lines = 0;
      this.headOffset = 0;
    }
  }

  private writeCursor(): void {
    const text = `${this.segments[0]!.seq} ${this.headOffset}`.padEnd(CURSOR_WIDTH - 1, ' ') + '\n';
    writeSync(this.cursorFd, text, 0, 'latin1');
  }

  /** Reads whole lines after the read-ahead, to at least `want` bytes or the end of the head segment. */
  private fill(want: number): void {
    const head = this.segments[0];
    if (head === undefined) return;
    let at = this.headOffset + this.readAheadBytes;
    if (at >= head.size) return;
    const fd = openSync(head.path, constants.O_RDONLY);
    try {
      while (this.readAheadBytes < want && at < head.size) {
        const length = Math.min(Math.max(want - this.readAheadBytes, READ_AHEAD), head.size - at);
        const buffer = Buffer.allocUnsafe(length);
        const n = readSync(fd, buffer, 0, length, at);
        if (n <= 0) break;
        let start = 0;
        for (let end = buffer.indexOf(LF, 0); end >= 0 && end < n; end = buffer.indexOf(LF, start)) {
          this.readAhead.push(buffer.subarray(start, end + 1));
          start = end + 1;
        }
        if (start === 0) {
          // a line longer than what was read: read it whole
          const line = readLineAt(fd, at, head.size);
          this.readAhead.push(line);
          start = line.length;
        }
        this.readAheadBytes += start;
        at += start;
      }
    } finally {
      closeSync(fd);
    }
  }

  private startSync(): void {
    if (this.syncing || this.closed) return;
    this.syncing = true;
    const target = this.appended;
    fdatasync(this.writeFd, (error) => {
      this.syncing = false;
      if (error) this.options.log(`nscad: spool ${this.directory}: fdatasync: ${error.message}`);
      for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
      this.synced = Math.max(this.synced, target);
      this.resolveWaiters();
      if (this.waiters.length > 0) this.startSync();
    });
  }

  private resolveWaiters(): void {
    let done = 0;
    while (done < this.waiters.length && this.waiters[done]!.target <= this.synced) this.waiters[done++]!.resolve();
    if (done > 0) this.waiters = this.waiters.slice(done);
  }
}

function countLines(data: Buffer, from: number): number {
  let lines = 0;
  for (let at = data.indexOf(LF, from); at >= 0; at = data.indexOf(LF, at + 1)) lines++;
  return lines;
}

function readLineAt(fd: number, at: number, size: number): Buffer {
  const chunks: Buffer[] = [];
  let position = at;
  while (position < size) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_AHEAD, size - position));
    const n = readSync(fd, buffer, 0, buffer.length, position);
    if (n <= 0) break;
    const end = buffer.indexOf(LF);
    if (end >= 0 && end < n) {
      chunks.push(buffer.subarray(0, end + 1));
      break;
    }
    chunks.push(buffer.subarray(0, n));
    position += n;
  }
  return Buffer.concat(chunks);
}

function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    /* some file systems refuse to sync a directory */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
