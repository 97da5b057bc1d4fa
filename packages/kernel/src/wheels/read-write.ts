import type { Duplex, Readable, Writable } from 'node:stream';
import { FilterError } from '../filters/filter-error.js';
import type { Chunk, Filter } from '../filters/filter.js';
import { FilterLine } from '../filters/line.js';
import type { DriverSysRW } from './driver.js';
import { errnoOf, eventChanges, FILTER_ERRNO, strerror, warnParameter, warnUnknownParameters, Wheel } from './wheel.js';

/** The events a ReadWrite wheel dispatches, by POE's parameter names. */
export interface ReadWriteEvents {
  /** ARG0 the record, ARG1 the wheel ID. */
  InputEvent?: string;
  /**
   * ARG0 operation ('read' | 'write'), ARG1 errno (0 at end of input), ARG2 the system's text for it
   * (`Connection reset by peer`), ARG3 wheel ID; ARG4 (new) Node's Error, with Node's own message.
   */
  ErrorEvent?: string;
  /** ARG0 the wheel ID: everything put has been handed to the operating system. */
  FlushedEvent?: string;
  /**
   * ARG0 the wheel ID: output still buffered after a write is at HighMark while put() had not said
   * so (as POE raises it from the write side; `put()` returning true is the usual signal).
   */
  HighEvent?: string;
  /** ARG0 the wheel ID: buffered output fell back to LowMark. */
  LowEvent?: string;
}

export interface ReadWriteOptions<In = string, Out = string> extends ReadWriteEvents {
  /** A Duplex to read and write: a net or tls socket, a pipe pair... Or InputHandle and OutputHandle. */
  Handle?: Duplex;
  InputHandle?: Readable;
  OutputHandle?: Writable;
  /** For both directions. Default: a new FilterLine. */
  Filter?: Filter<In, Out>;
  InputFilter?: Filter<In, unknown>;
  OutputFilter?: Filter<unknown, Out>;
  /** Output octets at which put() returns true (and HighEvent may come from the write side); LowMark must be given with it. */
  HighMark?: number;
  LowMark?: number;
  /** Write each put at once instead of batching the puts of one input chunk or kernel batch. */
  AutoFlush?: boolean;
  /** POE::Driver::SysRW: accepted and ignored (Node's streams read and write). */
  Driver?: DriverSysRW;
  /** Leave the handles open on destroy (default: a socket or pipe the wheel owns is closed, after its output is written). */
  keepHandle?: boolean;
}

type AnyInputFilter = Filter<unknown, unknown>;

/** How long a closed wheel's socket may take to write out what was put before it is cut. */
const CLOSE_GRACE_MS = 10_000;

/**
 * POE::Wheel::ReadWrite: binds a Node stream to a session's events through filters.
 * Input chunks become records (InputEvent); records put become output, batched so that
 * everything put while one input chunk is handled leaves in one write, and what handlers the
 * kernel dispatches put leaves at the next batch boundary (POE's select phase).
 */
export class ReadWrite<In = string, Out = string> extends Wheel {
  private readonly input: Readable | undefined;
  private readonly output: Writable | undefined;
  private inputFilter: AnyInputFilter;
  private outputFilter: Filter<unknown, Out>;
  private readonly names: ReadWriteEvents;
  private highMark: number | undefined;
  private lowMark: number | undefined;
  private readonly autoFlush: boolean;
  private readonly keepHandle: boolean;
  /** Chunks put and not yet written (the batch). */
  private pending: Chunk[] = [];
  private pendingOctets = 0;
  private flushScheduled = false;
  /** Writes handed to the stream whose callback has not come yet. */
  private writesInFlight = 0;
  private high = false;
  private failed = false;
  private inputShut = false;
  /** The peer ended its side (EOF). */
  private inputEnded = false;
  private outputShut = false;

  constructor(options: ReadWriteOptions<In, Out>) {
    checkParameters(options as ReadWriteOptions<unknown, unknown>);
    super('POE::Wheel::ReadWrite');
    this.input = options.Handle ?? options.InputHandle;
    this.output = options.Handle ?? options.OutputHandle;
    const problem = optionProblem(options);
    if (problem !== undefined) {
      this.kernel.unwatchHandle(this.session, this);
      throw new TypeError(`POE::Wheel::ReadWrite: ${problem}`);
    }
    // As in POE, Filter takes precedence over InputFilter/OutputFilter; one Line filter is the default.
    const given = options.Filter;
    const filter = given ?? (options.InputFilter !== undefined && options.OutputFilter !== undefined ? undefined : (new FilterLine() as unknown as Filter<In, Out>));
    this.inputFilter = (given ?? options.InputFilter ?? filter) as AnyInputFilter;
    this.outputFilter = (given ?? options.OutputFilter ?? filter) as Filter<unknown, Out>;
    this.names = {
      InputEvent: options.InputEvent,
      ErrorEvent: options.ErrorEvent,
      FlushedEvent: options.FlushedEvent,
      HighEvent: options.HighEvent,
      LowEvent: options.LowEvent,
    };
    this.highMark = options.HighMark;
    this.lowMark = options.LowMark;
    this.autoFlush = options.AutoFlush ?? false;
    this.keepHandle = options.keepHandle ?? isStdio(this.input) ?? isStdio(this.output) ?? false;

    const input = this.input;
    if (input !== undefined) {
      // POE lets a session write after the peer's EOF, until it closes the socket itself.
      if ('allowHalfOpen' in input) (input as { allowHalfOpen: boolean }).allowHalfOpen = true;
      input.on('data', this.onData);
      input.on('end', this.onEnd);
      input.on('error', this.onError);
    }
    if (this.output !== undefined && !sameStream(this.output, input)) this.output.on('error', this.onError);
  }

  /** Queues records for output; true when buffered output has reached HighMark (POE's put: no HighEvent then). */
  put(...records: Out[]): boolean {
    if (this.destroyed || this.output === undefined || this.outputShut) return this.high;
    const chunks = this.outputFilter.put(records) as Chunk[];
    for (const chunk of chunks) {
      this.pending.push(chunk);
      this.pendingOctets += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    }
    if (this.autoFlush) this.flush();
    else if (!this.flushScheduled) {
      // Put by a handler the kernel dispatches: written at the next batch boundary. Put while an
      // input chunk is handled: written once its records are all dispatched (one write per chunk).
      this.flushScheduled = true;
      if (!this.kernel.flushAtBoundary(this)) process.nextTick(this.flushBatch);
    }
    // POE's put(): it only says whether the high mark is passed, and that answer is the wheel's
    // high-water state, so a program that stops putting on true gets no HighEvent as well.
    if (this.highMark === undefined) return false;
    return (this.high = this.get_driver_out_octets() >= this.highMark);
  }

  /** Writes what is batched now; returns the octets still buffered. */
  flush(): number {
    const pending = this.pending;
    if (pending.length > 0 && this.output !== undefined && !this.failed) {
      this.pending = [];
      this.pendingOctets = 0;
      const data = pending.length === 1 ? pending[0]! : join(pending);
      this.writesInFlight++;
      this.output.write(data, this.onWritten);
    }
    return this.get_driver_out_octets();
  }

  /** Renames events: `event('InputEvent', 'got_line', ...)` or `event({ InputEvent: 'got_line' })`. */
  event(...changes: (string | undefined | ReadWriteEvents)[]): void {
    for (const [name, event] of eventChanges('POE::Wheel::ReadWrite', EVENT_NAMES, changes)) this.names[name] = event;
  }

  /** Replaces both filters; input already buffered passes to the new filter. */
  set_filter(filter: Filter<In, Out>): void {
    this.set_input_filter(filter);
    this.set_output_filter(filter);
  }

  set_input_filter(filter: Filter<In, unknown>): void {
    const buffered = this.inputFilter.get_pending();
    this.inputFilter = filter as AnyInputFilter;
    if (buffered !== undefined && buffered.length > 0) this.guard(() => filter.get_one_start(buffered as Chunk[]));
  }

  set_output_filter(filter: Filter<unknown, Out>): void {
    this.outputFilter = filter;
  }

  /** Changes HighMark (ignored, with a warning, unless marks were set up and it stays above LowMark). */
  set_high_mark(octets: number): void {
    if (this.highMark === undefined) return this.kernel.warn('POE::Wheel::ReadWrite: ignoring high mark (set HighMark in the constructor first)');
    if (!(octets > this.lowMark!)) return this.kernel.warn('POE::Wheel::ReadWrite: new high mark would not be above the low mark; ignored');
    this.highMark = octets;
  }

  /** Changes LowMark (ignored, with a warning, unless it stays at least 1 and below HighMark). */
  set_low_mark(octets: number): void {
    if (this.lowMark === undefined) return this.kernel.warn('POE::Wheel::ReadWrite: ignoring low mark (set LowMark in the constructor first)');
    if (!(octets >= 1) || !(octets < this.highMark!)) return this.kernel.warn('POE::Wheel::ReadWrite: new low mark must be at least 1 and below the high mark; ignored');
    this.lowMark = octets;
  }

  get_input_filter(): Filter<In, unknown> {
    return this.inputFilter as Filter<In, unknown>;
  }

  get_output_filter(): Filter<unknown, Out> {
    return this.outputFilter;
  }

  get_input_handle(): Readable | undefined {
    return this.input;
  }

  get_output_handle(): Writable | undefined {
    return this.output;
  }

  /** Stops reading; Node pauses the socket, which stops reading from it once its buffer is full. */
  pause_input(): void {
    this.input?.pause();
  }

  resume_input(): void {
    if (!this.inputShut && !this.destroyed) this.input?.resume();
  }

  /** No more input is read or dispatched. */
  shutdown_input(): void {
    this.inputShut = true;
    this.input?.pause();
    this.input?.off('data', this.onData);
  }

  /** Writes what is pending, then ends the output (a TCP FIN). */
  shutdown_output(): void {
    if (this.outputShut || this.output === undefined) return;
    this.flush();
    this.outputShut = true;
    this.output.end();
  }

  /** Octets put and not yet handed to the operating system. */
  get_driver_out_octets(): number {
    return this.pendingOctets + (this.output?.writableLength ?? 0);
  }

  /** Batches and writes not yet handed to the operating system. */
  get_driver_out_messages(): number {
    return (this.pending.length > 0 ? 1 : 0) + this.writesInFlight;
  }

  protected release(): void {
    const { input, output } = this;
    if (input !== undefined) {
      input.off('data', this.onData);
      input.off('end', this.onEnd);
    }
    // The stream may still fail while it closes: an error no one listens to would end the process.
    input?.off('error', this.onError).on('error', ignore);
    if (output !== undefined && !sameStream(output, input)) output.off('error', this.onError).on('error', ignore);
    if (this.keepHandle) return;
    this.flush();
    if (output !== undefined && !output.destroyed) {
      // Nothing left to write and the peer has finished: close at once. Otherwise end gracefully,
      // and cut a peer that never reads what is left.
      if (this.inputEnded && output.writableLength === 0) output.destroy();
      else {
        output.end();
        const cut = setTimeout(() => output.destroy(), CLOSE_GRACE_MS);
        cut.unref();
        output.once('close', () => clearTimeout(cut));
      }
    }
    if (input !== undefined && !sameStream(input, output)) input.destroy();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    if (this.destroyed || this.inputShut) return;
    // guard() inlined (here and below): no closure allocated per chunk on the hot path
    try {
      this.inputFilter.get_one_start([chunk]);
    } catch (error) {
      this.filterFailed(error);
      return;
    }
    this.dispatchRecords();
  };

  private dispatchRecords(): void {
    for (;;) {
      let records: unknown[];
      try {
        records = this.inputFilter.get_one();
      } catch (error) {
        this.filterFailed(error);
        if (this.destroyed || this.inputShut) return;
        continue;
      }
      if (records.length === 0 || this.destroyed) return;
      for (const record of records) this.emit(this.names.InputEvent, record, this.ID());
      if (this.destroyed || this.inputShut) return;
    }
  }

  /** A filter call threw: a FilterError becomes an ErrorEvent ('read'); anything else is rethrown. */
  private filterFailed(error: unknown): void {
    if (!(error instanceof FilterError)) throw error;
    this.emit(this.names.ErrorEvent, 'read', FILTER_ERRNO[error.code] ?? 0, error.message, this.ID());
  }

  /** Runs a filter call; a FilterError becomes an ErrorEvent ('read') and false. */
  private guard(parse: () => void): boolean {
    try {
      parse();
      return true;
    } catch (error) {
      this.filterFailed(error);
      return false;
    }
  }


  private readonly onEnd = (): void => {
    this.inputEnded = true;
    if (this.failed) return;
    this.inputShut = true;
    this.emit(this.names.ErrorEvent, 'read', 0, '', this.ID());
  };

  /** One ErrorEvent per failure of the stream, however many errors it raises. */
  private readonly onError = (error: Error): void => {
    if (this.failed) return;
    this.failed = true;
    this.pending = [];
    this.pendingOctets = 0;
    const syscall = (error as NodeJS.ErrnoException).syscall;
    const operation = syscall === 'write' || syscall === 'writev' || syscall === 'shutdown' ? 'write' : 'read';
    this.emit(this.names.ErrorEvent, operation, errnoOf(error), strerror(error), this.ID(), error);
  };

  /** @internal The kernel's batch boundary: write the batch, unless the socket is full (then batch on until it drains a bit). */
  flushAtBoundary(): void {
    if (this.output?.writableNeedDrain === true && !this.destroyed) process.nextTick(this.flushBatch);
    else this.flushBatch();
  }

  private readonly flushBatch = (): void => {
    this.flushScheduled = false;
    if (!this.destroyed) this.flush();
  };

  private readonly onWritten = (error?: Error | null): void => {
    this.writesInFlight--;
    if (error || this.destroyed) return;
    // The write side, as POE's select-write handler: in the high-water state, falling to LowMark
    // is LowEvent; out of it, output still at HighMark (one lowered by set_high_mark) is HighEvent.
    const octets = this.get_driver_out_octets();
    if (this.high) {
      if (this.lowMark !== undefined && octets <= this.lowMark) {
        this.high = false;
        this.emit(this.names.LowEvent, this.ID());
      }
    } else if (this.highMark !== undefined && octets >= this.highMark) {
      this.high = true;
      this.emit(this.names.HighEvent, this.ID());
    }
    if (octets === 0 && this.writesInFlight === 0) this.emit(this.names.FlushedEvent, this.ID());
  };
}

const KNOWN = [
  'Handle', 'InputHandle', 'OutputHandle', 'Filter', 'InputFilter', 'OutputFilter', 'Driver',
  'InputEvent', 'ErrorEvent', 'FlushedEvent', 'HighEvent', 'LowEvent', 'HighMark', 'LowMark', 'AutoFlush',
  'keepHandle',
];

/** What POE carps about at construction: unknown parameters, and ones another takes precedence over. */
function checkParameters(options: ReadWriteOptions<unknown, unknown>): void {
  if (options === null || typeof options !== 'object') return;
  warnUnknownParameters('POE::Wheel::ReadWrite', options, KNOWN);
  if (options.Handle !== undefined) {
    if (options.InputHandle !== undefined) warnParameter('POE::Wheel::ReadWrite: ignoring InputHandle parameter (Handle parameter takes precedence)');
    if (options.OutputHandle !== undefined) warnParameter('POE::Wheel::ReadWrite: ignoring OutputHandle parameter (Handle parameter takes precedence)');
  }
  if (options.Filter !== undefined) {
    if (options.InputFilter !== undefined) warnParameter('POE::Wheel::ReadWrite: ignoring InputFilter parameter (Filter parameter takes precedence)');
    if (options.OutputFilter !== undefined) warnParameter('POE::Wheel::ReadWrite: ignoring OutputFilter parameter (Filter parameter takes precedence)');
  }
}

/** What POE croaks about at construction: handles and the water marks with their events. */
function optionProblem(options: ReadWriteOptions<unknown, unknown>): string | undefined {
  if (options.Handle === undefined) {
    if (options.InputHandle === undefined) return 'Handle or InputHandle required';
    if (options.OutputHandle === undefined) return 'Handle or OutputHandle required';
  }
  const { HighMark, LowMark, HighEvent, LowEvent } = options;
  if ((HighMark === undefined) !== (LowMark === undefined)) return 'HighMark and LowMark require each other';
  if (HighMark !== undefined && !(HighMark > 0 && LowMark! > 0)) return 'HighMark and LowMark must be above 0';
  if (HighEvent !== undefined && HighMark === undefined) return 'HighEvent requires a HighMark';
  if ((LowMark === undefined) !== (LowEvent === undefined)) return 'LowMark and LowEvent require each other';
  return undefined;
}

const EVENT_NAMES: (keyof ReadWriteEvents)[] = ['InputEvent', 'ErrorEvent', 'FlushedEvent', 'HighEvent', 'LowEvent'];


function join(chunks: Chunk[]): Chunk {
  let strings = true;
  for (const chunk of chunks) if (typeof chunk !== 'string') strings = false;
  return strings ? (chunks as string[]).join('') : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

let stdio: Set<unknown> | undefined;

/** The process's own stdio is never closed by a wheel. */
function isStdio(stream: Readable | Writable | undefined): true | undefined {
  // process.stdin and friends are getters that build their streams: look them up once.
  stdio ??= new Set<unknown>([process.stdin, process.stdout, process.stderr]);
  return stream !== undefined && stdio.has(stream) ? true : undefined;
}

function ignore(): void {}

function sameStream(a: Readable | Writable | undefined, b: Readable | Writable | undefined): boolean {
  return (a as unknown) === (b as unknown);
}
