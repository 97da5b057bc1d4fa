import { Buffer } from 'node:buffer';
import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readSync, stat, statSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { constants as os } from 'node:os';
import process from 'node:process';
import { Readable } from 'node:stream';
import { FilterError } from '../filters/filter-error.js';
import type { Chunk, Filter } from '../filters/filter.js';
import { FilterLine } from '../filters/line.js';
import type { DriverSysRW } from './driver.js';
import { errnoOf, eventChanges, FILTER_ERRNO, strerror, warnUnknownParameters, Wheel } from './wheel.js';

/** The events a FollowTail wheel dispatches, by POE's parameter names. */
export interface FollowTailEvents {
  /** ARG0 a record, ARG1 the wheel ID. Required. */
  InputEvent?: string;
  /**
   * ARG0 the operation ('read' | 'stat' | 'open'), ARG1 errno, ARG2 the system's text for it
   * (`No such file or directory`), ARG3 the wheel ID; ARG4 (new) Node's Error.
   */
  ErrorEvent?: string;
  /** ARG0 the wheel ID: the file was (re)opened, truncated or replaced; reading restarts at its beginning. */
  ResetEvent?: string;
  /** ARG0 the wheel ID: a poll found nothing new (or the file is not there). */
  IdleEvent?: string;
}

/** An open file descriptor of a regular file (a number, or a `fs.promises` FileHandle), or a stream. */
export type FollowTailHandle = number | { readonly fd: number } | Readable;

export interface FollowTailOptions<In = string> extends FollowTailEvents {
  /** The file to follow, by name: it may not exist yet, and may be truncated, rotated or replaced. A FIFO is read as a stream. */
  Filename?: string;
  /**
   * Instead of Filename: an open regular file (a descriptor or FileHandle: followed by position,
   * truncation detected; the wheel never closes it) or a Readable stream (a socket...: read as it
   * comes, as POE follows a handle it can select on; destroyed with the wheel, as ReadWrite does).
   */
  Handle?: FollowTailHandle;
  /** Default: `new FilterLine()` (any newline). Its MaxLength bounds what a line without an end can hold. */
  Filter?: Filter<In, unknown>;
  /** POE::Driver::SysRW: accepted and ignored (the wheel reads the file itself). */
  Driver?: DriverSysRW;
  /** Start this many bytes before the end of the file (0: at the end). */
  SeekBack?: number;
  /** Start at this byte offset (0: at the beginning; past the end: at the end). */
  Seek?: number;
  /** Seconds between polls once the end of the file is reached. Default 1, as POE. */
  PollInterval?: number;
}

/** Bytes read per poll, as POE::Driver::SysRW's default BlockSize. */
const BLOCK_SIZE = 65536;
/** Without Seek or SeekBack, POE reads the file's last 4 KiB through the filter and drops the records. */
const DEFAULT_SEEK_BACK = 4096;

const KNOWN = ['Filename', 'Handle', 'Filter', 'Driver', 'SeekBack', 'Seek', 'PollInterval', 'InputEvent', 'ErrorEvent', 'ResetEvent', 'IdleEvent'];
const EVENT_NAMES: (keyof FollowTailEvents)[] = ['InputEvent', 'ErrorEvent', 'ResetEvent', 'IdleEvent'];

/** A regular file being followed. */
interface Open {
  fd: number;
  dev: number;
  ino: number;
}

/**
 * POE::Wheel::FollowTail: follows a file as it grows, by polling. Each poll reads from where the
 * last one stopped (never the whole file); at the end of the file it checks the name again: a
 * file shorter than what was read was truncated, a name that now points to another file (or to
 * none) was rotated or replaced. Either way ResetEvent follows and reading restarts at the
 * beginning of the (new) file. The rest of a rotated file is read before the switch.
 */
export class FollowTail<In = string> extends Wheel {
  private readonly names: FollowTailEvents;
  private filter: Filter<In, unknown>;
  private readonly filename: string | undefined;
  private readonly interval: number;
  /** The file being read; undefined while a named file is absent. */
  private file: Open | undefined;
  /** Whether the wheel opened `file` (and so closes it). */
  private readonly ownsFile: boolean;
  private position = 0;
  /** The file's size at the last end-of-file check (POE's last stat), -1 when unknown. */
  private lastSize = -1;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private polling = false;
  private stream: Readable | undefined;

  constructor(options: FollowTailOptions<In>) {
    checkOptions(options as FollowTailOptions<unknown>);
    super('POE::Wheel::FollowTail');
    this.names = {};
    for (const name of EVENT_NAMES) this.names[name] = options[name];
    this.filter = options.Filter ?? (new FilterLine() as unknown as Filter<In, unknown>);
    this.filename = options.Filename;
    this.interval = options.PollInterval ?? 1;

    this.ownsFile = this.filename !== undefined;
    let handle = options.Handle;
    let fd: number | undefined;
    try {
      if (this.filename !== undefined) {
        fd = openNamed(this.filename);
        if (fd === -1) {
          // A FIFO: POE opens it for reading and writing so that it never reports end of file.
          handle = new Socket({ fd: openSync(this.filename, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
          fd = undefined;
        }
      } else if (typeof handle === 'number' || (typeof handle === 'object' && !(handle instanceof Readable))) {
        fd = typeof handle === 'number' ? handle : handle.fd;
        const stats = fstatSync(fd);
        if (stats.isDirectory()) throw new TypeError('POE::Wheel::FollowTail: does not tail directories');
        if (!stats.isFile()) throw new TypeError('POE::Wheel::FollowTail: a Handle descriptor must be a regular file (pass a stream for anything else)');
      }
      if (handle instanceof Readable) {
        this.followStream(handle);
        return;
      }
      if (fd !== undefined) {
        const stats = fstatSync(fd);
        this.file = { fd, dev: stats.dev, ino: stats.ino };
        this.lastSize = stats.size;
        this.position = this.startAt(fd, stats.size, options);
      }
    } catch (error) {
      // Nothing may keep the session once the constructor has failed.
      if (fd !== undefined && this.file === undefined && this.ownsFile) closeSync(fd);
      this.destroy();
      throw error;
    }
    this.schedule(0);
  }

  /** Renames events: `event('InputEvent', 'got_line', ...)` or `event({ IdleEvent: undefined })`. */
  event(...changes: (string | undefined | FollowTailEvents)[]): void {
    for (const [name, event] of eventChanges('POE::Wheel::FollowTail', EVENT_NAMES, changes)) this.rename(name, event);
  }


  /** The offset of the next byte to read; undefined while no file is open (or for a stream). */
  tell(): number | undefined {
    return this.file === undefined ? undefined : this.position;
  }

  get_filter(): Filter<In, unknown> {
    return this.filter;
  }

  /** Replaces the filter; what the old one had buffered passes to the new one. */
  set_filter(filter: Filter<In, unknown>): void {
    const buffered = this.filter.get_pending();
    this.filter = filter;
    if (buffered !== undefined && buffered.length > 0) this.parse(buffered as Chunk[]);
  }

  protected release(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    // A read in flight closes the file when it returns.
    if (!this.polling) this.closeFile();
    const stream = this.stream;
    if (stream !== undefined) {
      stream.off('data', this.onData).off('end', this.onEnd).off('error', this.onStreamError).on('error', ignore);
      // As ReadWrite closes its handle: POE drops the wheel's reference, which closes it.
      if (stream === process.stdin) stream.pause();
      else stream.destroy();
    }
  }

  private rename(name: keyof FollowTailEvents, event: string | undefined): void {
    if (name === 'InputEvent' && event === undefined) {
      this.kernel.warn('POE::Wheel::FollowTail: InputEvent requires an event name; ignoring undefined');
      return;
    }
    this.names[name] = event;
  }

  /** Where reading starts, as POE's constructor seeks (and, by default, primes the filter). */
  private startAt(fd: number, end: number, options: FollowTailOptions<In>): number {
    const seek = options.SeekBack !== undefined ? -options.SeekBack : (options.Seek ?? -DEFAULT_SEEK_BACK);
    let at: number;
    if (seek < 0) at = end < -seek ? 0 : end + seek;
    else if (seek > 0) at = seek > end ? end : seek;
    else at = options.Seek !== undefined ? 0 : end;
    if (options.SeekBack !== undefined || options.Seek !== undefined) return at;
    // Frame the input: whatever precedes the end is read and dropped, and a partial last record
    // stays in the filter, to be completed by what is appended.
    const buffer = Buffer.allocUnsafe(Math.max(1, end - at));
    while (at < end) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (n === 0) break;
      at += n;
      try {
        this.filter.get([Buffer.from(buffer.subarray(0, n))]);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
      }
    }
    return at;
  }

  private schedule(seconds: number): void {
    if (this.destroyed) return;
    this.timer = seconds > 0 ? setTimeout(this.poll, seconds * 1000) : setImmediate(this.poll);
  }

  private readonly poll = (): void => {
    this.timer = undefined;
    if (this.destroyed || this.polling) return;
    this.polling = true;
    this.step().then(
      (next) => {
        this.polling = false;
        if (this.destroyed) this.closeFile();
        else if (next !== undefined) this.schedule(next);
      },
      (error: unknown) => {
        this.polling = false;
        if (this.destroyed) return this.closeFile();
        this.emit(this.names.ErrorEvent, 'read', errnoOf(error), strerror(error), this.ID(), error);
      },
    );
  };

  /** One poll: open if needed, read one block, or check the file at its end. Returns the delay to the next poll, or undefined to stop. */
  private async step(): Promise<number | undefined> {
    if (this.file === undefined) {
      const opened = await this.reopen();
      if (opened === undefined) {
        this.emit(this.names.IdleEvent, this.ID());
        return this.interval;
      }
      if (this.destroyed) return undefined;
      if (opened === 'error') return undefined;
    }
    const file = this.file!;
    const buffer = Buffer.allocUnsafe(BLOCK_SIZE);
    let n: number;
    try {
      n = await readAt(file.fd, buffer, this.position);
    } catch (error) {
      this.emit(this.names.ErrorEvent, 'read', errnoOf(error), strerror(error), this.ID(), error);
      return undefined;
    }
    if (this.destroyed) return undefined;
    if (n > 0) {
      this.position += n;
      this.parse([n === BLOCK_SIZE ? buffer : Buffer.from(buffer.subarray(0, n))]);
      return 0;
    }
    return this.atEnd(file);
  }

  /** At the end of the file: was it truncated, rotated or removed? */
  private async atEnd(file: Open): Promise<number | undefined> {
    let stats: Stats | undefined;
    try {
      stats = this.filename !== undefined ? await statAsync(this.filename) : await fstatAsync(file.fd);
    } catch (error) {
      if (this.destroyed) return undefined;
      if (this.filename === undefined || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.emit(this.names.ErrorEvent, 'stat', errnoOf(error), strerror(error), this.ID(), error);
        return undefined;
      }
    }
    if (this.destroyed) return undefined;
    const replaced = stats === undefined || stats.ino !== file.ino || stats.dev !== file.dev;
    const truncated = stats !== undefined && (stats.size < this.position || stats.size < this.lastSize);
    if (replaced && this.filename !== undefined) {
      // Rotated or removed: what the old file held has been read; the next poll opens the name again.
      this.closeFile();
      this.lastSize = -1;
      return 0;
    }
    if (truncated) {
      this.position = 0;
      this.lastSize = stats!.size;
      this.emit(this.names.ResetEvent, this.ID());
      return 0;
    }
    this.lastSize = stats!.size;
    // Written between the read and the check: no need to wait for it.
    if (stats!.size > this.position) return 0;
    this.emit(this.names.IdleEvent, this.ID());
    return this.interval;
  }

  /** Opens the named file for a poll: its Open, undefined when it is not there, 'error' when it cannot be followed. */
  private async reopen(): Promise<Open | 'error' | undefined> {
    let fd: number;
    try {
      fd = await openAsync(this.filename!);
    } catch {
      return undefined;
    }
    let stats: Stats;
    try {
      stats = await fstatAsync(fd);
    } catch {
      close(fd, ignore);
      return undefined;
    }
    if (this.destroyed) {
      close(fd, ignore);
      return undefined;
    }
    if (!stats.isFile()) {
      close(fd, ignore);
      this.emit(this.names.ErrorEvent, 'open', os.errno.EINVAL, `${this.filename} is not a regular file`, this.ID());
      return 'error';
    }
    this.file = { fd, dev: stats.dev, ino: stats.ino };
    this.position = 0;
    this.lastSize = stats.size;
    this.emit(this.names.ResetEvent, this.ID());
    return this.file;
  }

  private closeFile(): void {
    const file = this.file;
    if (file === undefined) return;
    this.file = undefined;
    if (this.ownsFile) close(file.fd, ignore);
  }

  private followStream(stream: Readable): void {
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onStreamError);
    stream.resume();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    if (!this.destroyed) this.parse([chunk]);
  };

  /** End of a stream: POE reports it as a read error with errno 0 for sockets and terminals, else as idle. */
  private readonly onEnd = (): void => {
    if (this.stream instanceof Socket || (this.stream as { isTTY?: boolean } | undefined)?.isTTY) {
      this.emit(this.names.ErrorEvent, 'read', 0, '', this.ID());
    } else {
      this.emit(this.names.IdleEvent, this.ID());
    }
  };

  private readonly onStreamError = (error: Error): void => {
    this.emit(this.names.ErrorEvent, 'read', errnoOf(error), strerror(error), this.ID(), error);
  };

  /** Feeds chunks to the filter and dispatches each record; a FilterError becomes a 'read' ErrorEvent. */
  private parse(chunks: Chunk[]): void {
    const filter = this.filter;
    if (!this.guard(() => filter.get_one_start(chunks))) return;
    // Each FilterError drops at least one byte, so errors cannot outnumber the bytes buffered.
    let errorsLeft = 1 + chunks.reduce((n, chunk) => n + chunk.length, 0);
    for (;;) {
      if (this.destroyed || filter !== this.filter) return;
      let records: unknown[] = [];
      if (!this.guard(() => (records = filter.get_one()))) {
        if (--errorsLeft > 0) continue;
        return;
      }
      if (records.length === 0) return;
      for (const record of records) this.emit(this.names.InputEvent, record, this.ID());
    }
  }

  private guard(parse: () => void): boolean {
    try {
      parse();
      return true;
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      this.emit(this.names.ErrorEvent, 'read', FILTER_ERRNO[error.code] ?? 0, error.message, this.ID());
      return false;
    }
  }
}

/** POE's constructor checks; croaks become TypeErrors, carps warnings. */
function checkOptions(options: FollowTailOptions<unknown>): void {
  const fail = (problem: string): never => {
    throw new TypeError(`POE::Wheel::FollowTail: ${problem}`);
  };
  if (options === null || typeof options !== 'object') fail('needs an options object');
  warnUnknownParameters('POE::Wheel::FollowTail', options, KNOWN);
  if ((options.Handle === undefined) === (options.Filename === undefined)) fail('requires a Handle or Filename parameter, but not both');
  if (options.Filename !== undefined && typeof options.Filename !== 'string') fail('Filename must be a string');
  if (options.InputEvent === undefined) fail('InputEvent required');
  if (options.Seek !== undefined && options.SeekBack !== undefined) fail("can't have Seek and SeekBack at the same time");
  for (const name of ['Seek', 'SeekBack'] as const) {
    const value = options[name];
    if (value !== undefined && !Number.isSafeInteger(value)) fail(`${name} must be an integer`);
  }
  const interval = options.PollInterval;
  if (interval !== undefined && !(typeof interval === 'number' && interval >= 0 && Number.isFinite(interval))) fail('PollInterval must be a number of seconds, 0 or more');
}

/**
 * Opens a named file for following at construction: its descriptor, -1 for a FIFO (to be read
 * as a stream), undefined when it cannot be opened (yet), as POE keeps polling for it.
 */
function openNamed(filename: string): number | undefined {
  let stats: Stats;
  try {
    stats = statSync(filename);
  } catch {
    return undefined;
  }
  if (stats.isDirectory()) throw new TypeError('POE::Wheel::FollowTail: does not tail directories');
  if (stats.isFIFO()) return -1;
  if (!stats.isFile()) throw new TypeError(`POE::Wheel::FollowTail: ${filename} is neither a regular file nor a FIFO`);
  let fd: number;
  try {
    fd = openSync(filename, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    return undefined;
  }
  return fd;
}

function openAsync(filename: string): Promise<number> {
  // O_NONBLOCK: a FIFO put in the file's place must not block the open.
  return new Promise((resolve, reject) => open(filename, constants.O_RDONLY | constants.O_NONBLOCK, (error, fd) => (error ? reject(error) : resolve(fd))));
}

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, position, (error, n) => (error ? reject(error) : resolve(n))));
}

function statAsync(filename: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(filename, (error, stats) => (error ? reject(error) : resolve(stats))));
}

function fstatAsync(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))));
}


function ignore(): void {}
