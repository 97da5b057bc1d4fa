import { Buffer } from 'node:buffer';
import { FilterBase, withRecords } from './base.js';
import { ByteQueue } from './byte-queue.js';
import type { Chunk } from './filter.js';
import { FilterError } from './filter-error.js';
import { NextByte } from './next-byte.js';
import { DEFAULT_MAX_BUFFER, pickKnown, sizeParam, warnUnknownParams } from './params.js';

/**
 * Default MaxLength of a line, in bytes. POE's default is 64 MB; a line
 * protocol rarely needs more than this, and the limit is what each
 * connection may make the process hold while waiting for a line ending.
 */
export const LINE_MAX_LENGTH = 1024 * 1024;

export interface LineOptions {
  /** Terminator for both input and output. */
  Literal?: string;
  /** Input terminator; present but undefined (or '') asks for autodetection. */
  InputLiteral?: string | undefined;
  /** Output terminator (default "\r\n"). */
  OutputLiteral?: string;
  /** Input terminator as a pattern; it is matched against the bytes, one character per byte. */
  InputRegexp?: RegExp | string;
  /** Longest line accepted, in bytes, terminator excluded (default {@link LINE_MAX_LENGTH}). */
  MaxLength?: number;
  /** Most bytes buffered at once (default 512 MiB, as POE). */
  MaxBuffer?: number;
}

const KNOWN = ['Literal', 'InputLiteral', 'OutputLiteral', 'InputRegexp', 'MaxLength', 'MaxBuffer'];

const CR = 0x0d;
const LF = 0x0a;
const NONE = -1;

// How input lines end.
const LITERAL = 0; // a fixed byte sequence
const NEWLINE = 1; // CR, LF, CR LF or LF CR: POE's default
const DETECT = 2; // the first newline seen becomes the literal
const DETECT_LAST = 3; // that newline was the last byte so far: the next byte may complete it
const REGEXP = 4;

type Mode = typeof LITERAL | typeof NEWLINE | typeof DETECT | typeof DETECT_LAST | typeof REGEXP;

const other = (newline: number): number => (newline === CR ? LF : CR);

/** POE::Filter::Line: records are lines, returned as strings without their terminator. */
export class FilterLine extends FilterBase<string, string> {
  private readonly options: LineOptions;
  private readonly output: string;
  private readonly maxLength: number;
  private readonly maxBuffer: number;
  private readonly regexp: RegExp | undefined;
  private mode: Mode;
  private literal: Buffer;

  private readonly q = new ByteQueue();
  /** Bytes at the head of the buffer known not to start a terminator. */
  private scanned = 0;
  /** Set by find(): the terminator's length. */
  private termLength = 0;
  /** Set by find(): a one-byte newline that is the last byte buffered. */
  private atTail = false;
  /** After a one-byte newline ended the data: drop this byte if it comes next (they were one newline). */
  private swallow = NONE;
  /** Inside an over-long line: drop bytes up to the next terminator. */
  private discarding = false;
  private readonly nextCR = new NextByte(CR);
  private readonly nextLF = new NextByte(LF);
  /** REGEXP mode: the buffer as one character per byte, and where the buffer starts in it. */
  private text: string | undefined;
  private textBase = 0;

  constructor(options: LineOptions = {}) {
    super();
    // POE knows Regexp only to refuse it beside Literal.
    warnUnknownParams('FilterLine', options, [...KNOWN, 'Regexp']);
    const params = options as LineOptions & { Regexp?: unknown };
    if (params.Regexp !== undefined && params.Literal !== undefined) {
      throw new TypeError('FilterLine cannot have both Regexp and Literal line endings');
    }
    this.options = pickKnown(options, KNOWN);
    this.regexp = undefined;
    if (params.Literal !== undefined) {
      if (typeof params.Literal !== 'string' || params.Literal.length === 0) {
        throw new TypeError('FilterLine Literal must be a non-empty string');
      }
      if ('InputLiteral' in params || params.InputRegexp !== undefined || params.OutputLiteral !== undefined) {
        throw new TypeError('FilterLine cannot have Literal with any other line ending parameter');
      }
      this.mode = LITERAL;
      this.literal = Buffer.from(params.Literal, 'utf8');
      this.output = params.Literal;
    } else {
      this.literal = Buffer.alloc(0);
      if ('InputLiteral' in params) {
        if (params.InputRegexp !== undefined) {
          throw new TypeError('FilterLine cannot have both InputLiteral and InputRegexp');
        }
        const input = params.InputLiteral;
        if (input !== undefined && input !== '') {
          this.mode = LITERAL;
          this.literal = Buffer.from(String(input), 'utf8');
        } else {
          this.mode = DETECT;
        }
      } else if (params.InputRegexp !== undefined) {
        this.mode = REGEXP;
        this.regexp = compile(params.InputRegexp);
      } else {
        this.mode = NEWLINE;
      }
      this.output = params.OutputLiteral === undefined ? '\r\n' : String(params.OutputLiteral);
    }
    this.maxBuffer = sizeParam('MaxBuffer', params.MaxBuffer, DEFAULT_MAX_BUFFER);
    this.maxLength = sizeParam('MaxLength', params.MaxLength, LINE_MAX_LENGTH);
    if (this.maxBuffer < this.maxLength) {
      throw new RangeError(`MaxBuffer (${this.maxBuffer}) is smaller than MaxLength (${this.maxLength})`);
    }
  }

  get_one_start(chunks: readonly Chunk[]): void {
    if (this.q.appendWithin(chunks, this.maxBuffer) > 0) this.text = undefined;
  }

  get_one(): string[] {
    const line = this.next();
    return line === undefined ? [] : [line];
  }

  override get(chunks: readonly Chunk[]): string[] {
    this.get_one_start(chunks);
    const lines: string[] = [];
    try {
      for (;;) {
        if (this.swallow === NONE && !this.discarding) {
          if (this.mode === LITERAL) this.drainLiteral(lines);
          else if (this.mode === NEWLINE) this.drainNewline(lines);
        }
        const line = this.next();
        if (line === undefined) break;
        lines.push(line);
      }
    } catch (error) {
      throw withRecords(error, lines);
    }
    return lines;
  }

  put(records: readonly string[]): string[] {
    const out = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) out[i] = records[i] + this.output;
    return out;
  }

  get_pending(): Buffer[] | undefined {
    const pending = this.q.pending();
    return pending === undefined ? undefined : [pending];
  }

  clone(): FilterLine {
    return new FilterLine(this.options);
  }

  private next(): string | undefined {
    const q = this.q;
    for (;;) {
      if (this.swallow !== NONE) {
        if (q.length === 0) return undefined;
        if (q.byteAt(0) === this.swallow) this.consume(1);
        this.swallow = NONE;
        continue;
      }
      if (this.mode === DETECT_LAST) {
        if (q.length === 0) return undefined;
        const first = this.literal[0]!;
        if (q.byteAt(0) === other(first)) {
          this.literal = Buffer.from([first, other(first)]);
          this.consume(1);
        }
        this.mode = LITERAL;
        continue;
      }
      const at = this.find(this.scanned);
      if (at < 0) {
        this.overflow();
        return undefined;
      }
      const keep = !this.discarding && at <= this.maxLength;
      const line = keep ? q.toString('utf8', 0, at) : undefined;
      this.endLine(at);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (line === undefined) {
        throw new FilterError('ERECORDTOOLONG', `line exceeds MaxLength (${this.maxLength} bytes): ${at} bytes dropped`);
      }
      return line;
    }
  }

  /**
   * The bulk of get() for a literal terminator: every complete line in the
   * buffer, in one pass over the raw bytes. Leaves errors to next().
   */
  private drainLiteral(lines: string[]): void {
    const data = this.q.buffer;
    const base = this.q.offset;
    const literal = this.literal;
    const size = literal.length;
    const max = this.maxLength;
    let start = base;
    let at = indexOfLiteral(data, literal, base + this.scanned);
    while (at >= 0 && at - start <= max) {
      lines.push(data.toString('utf8', start, at));
      start = at + size;
      at = indexOfLiteral(data, literal, start);
    }
    if (start !== base) this.consume(start - base);
    if (at < 0) this.scanned = Math.max(0, data.length - start - (size - 1));
    else this.scanned = 0;
  }

  /** drainLiteral() for POE's default newlines; a newline at the very end is left to next(). */
  private drainNewline(lines: string[]): void {
    const data = this.q.buffer;
    const base = this.q.offset;
    const end = data.length;
    const max = this.maxLength;
    let start = base;
    let from = base + this.scanned;
    let cr = data.indexOf(CR, from);
    let lf = data.indexOf(LF, from);
    for (;;) {
      if (cr >= 0 && cr < from) cr = data.indexOf(CR, from);
      if (lf >= 0 && lf < from) lf = data.indexOf(LF, from);
      const at = cr < 0 ? lf : lf < 0 ? cr : cr < lf ? cr : lf;
      if (at < 0 || at + 1 === end || at - start > max) break;
      lines.push(data.toString('utf8', start, at));
      start = from = data[at + 1] === other(data[at]!) ? at + 2 : at + 1;
    }
    if (start !== base) {
      this.consume(start - base);
      this.scanned = 0;
    }
  }

  /** Where the next terminator starts, at or after `from`; -1 if none is buffered. */
  private find(from: number): number {
    const q = this.q;
    switch (this.mode) {
      case LITERAL:
        this.termLength = this.literal.length;
        return relative(q, indexOfLiteral(q.buffer, this.literal, q.offset + from));
      case REGEXP:
        return this.findRegexp(from);
      default: {
        const cr = this.nextCR.find(q, from);
        const lf = this.nextLF.find(q, from);
        const at = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
        if (at < 0) return -1;
        this.atTail = at + 1 === q.length;
        this.termLength = !this.atTail && q.byteAt(at + 1) === other(q.byteAt(at)) ? 2 : 1;
        return at;
      }
    }
  }

  private findRegexp(from: number): number {
    if (this.text === undefined) {
      this.text = this.q.toString('latin1');
      this.textBase = 0;
    }
    const regexp = this.regexp!;
    regexp.lastIndex = this.textBase + from;
    let match = regexp.exec(this.text);
    // An empty match would be an endless run of empty lines: look for a real terminator.
    while (match !== null && match[0].length === 0) {
      regexp.lastIndex = match.index + 1;
      match = regexp.exec(this.text);
    }
    if (match === null) return -1;
    this.termLength = match[0].length;
    return match.index - this.textBase;
  }

  /** Consume a line ending at `at` and its terminator, and learn from the terminator. */
  private endLine(at: number): void {
    const length = this.termLength;
    if (this.mode === DETECT) {
      this.literal = Buffer.from(this.q.view().subarray(at, at + length));
      this.mode = this.atTail ? DETECT_LAST : LITERAL;
    } else if (this.mode === NEWLINE && this.atTail) {
      this.swallow = other(this.q.byteAt(at));
    }
    this.consume(at + length);
    this.scanned = 0;
  }

  /** No terminator is buffered: bound the buffer, dropping an over-long line's bytes. */
  private overflow(): void {
    // The last bytes of a multi-byte literal may be the start of its next occurrence.
    const hold = this.mode === LITERAL ? this.literal.length - 1 : 0;
    const lineBytes = this.q.length - hold;
    if (this.discarding) {
      if (lineBytes > 0) this.consume(lineBytes);
      this.scanned = 0;
      return;
    }
    if (lineBytes > this.maxLength) {
      this.consume(lineBytes);
      this.discarding = true;
      this.scanned = 0;
      throw new FilterError(
        'ERECORDTOOLONG',
        `line exceeds MaxLength (${this.maxLength} bytes): dropping it up to the next line ending`,
      );
    }
    // A pattern may match across the old end of the data, so it is always rescanned.
    this.scanned = this.mode === REGEXP ? 0 : Math.max(0, lineBytes);
  }

  private consume(n: number): void {
    this.q.consume(n);
    if (this.mode === REGEXP) {
      this.textBase += n;
      if (this.q.length === 0) this.text = undefined;
    } else if (this.mode !== LITERAL) {
      this.nextCR.shift(n);
      this.nextLF.shift(n);
    }
  }
}

/** First occurrence of `literal` in `data` at or after `from`, or -1. */
function indexOfLiteral(data: Buffer, literal: Buffer, from: number): number {
  const size = literal.length;
  if (size === 1) return data.indexOf(literal[0]!, from);
  if (size > 4) return data.indexOf(literal, from);
  // For short literals such as CR LF, scanning for the last byte and checking
  // the bytes before it is much faster than a multi-byte search.
  const last = literal[size - 1]!;
  for (let end = data.indexOf(last, from + size - 1); end >= 0; end = data.indexOf(last, end + 1)) {
    let i = size - 2;
    while (i >= 0 && data[end - size + 1 + i] === literal[i]) i--;
    if (i < 0) return end - size + 1;
  }
  return -1;
}

const relative = (q: ByteQueue, at: number): number => (at < 0 ? -1 : at - q.offset);

function compile(pattern: RegExp | string): RegExp {
  // Perl applies the surrounding match's /s to a pattern given as a string.
  if (typeof pattern === 'string') return new RegExp(pattern, 'gs');
  if (!(pattern instanceof RegExp)) throw new TypeError('FilterLine InputRegexp must be a RegExp or a string');
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '') + 'g');
}
