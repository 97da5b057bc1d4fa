import { Buffer } from 'node:buffer';
import { spawn, type ChildProcess, type IOType } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';
import process from 'node:process';
import type { Readable, Writable } from 'node:stream';
import { FilterError } from '../filters/filter-error.js';
import type { Chunk, Filter } from '../filters/filter.js';
import { FilterLine } from '../filters/line.js';
import { errnoOf, eventChanges, FILTER_ERRNO, strerror, warnParameter, warnUnknownParameters, Wheel } from './wheel.js';

/** The events a Run wheel dispatches, by POE's parameter names. */
export interface RunEvents {
  /** ARG0 the wheel ID: everything put has been written to the child's standard input. */
  StdinEvent?: string;
  /** ARG0 a record the child wrote on its standard output, ARG1 the wheel ID. */
  StdoutEvent?: string;
  /** ARG0 a record the child wrote on its standard error, ARG1 the wheel ID. */
  StderrEvent?: string;
  /**
   * ARG0 the operation ('read' | 'write'), ARG1 errno (0 at end of output), ARG2 the system's text
   * for it (`Broken pipe`), ARG3 the wheel ID, ARG4 the handle: 'STDIN' | 'STDOUT' | 'STDERR';
   * ARG5 (new) Node's Error, with Node's own message.
   */
  ErrorEvent?: string;
  /** ARG0 the wheel ID: the child's standard output and standard error have both closed. */
  CloseEvent?: string;
}

/**
 * What to run: a command line (run as Perl's exec runs one: through `/bin/sh -c` when it has shell
 * metacharacters, else split on white space and executed directly), an argv array
 * `[file, ...args]`, or a function run in a child Node process (see {@link RunOptions.Program}).
 */
export type RunProgram = string | readonly string[] | ((...args: never[]) => unknown);

/** Where a redirected standard handle goes: a file name (opened by the wheel) or an open file descriptor. */
export type RunRedirect = string | number;

export interface RunOptions<In = string, Out = string> extends RunEvents {
  /**
   * The program. A function is serialised with `Function.prototype.toString` and run by a fresh
   * `node` (process.execPath): it cannot see the variables it closed over, only its arguments
   * (ProgramArgs, which must survive JSON) and what it imports itself. The child exits when its
   * work is done (Node's event loop is empty) or when it calls `process.exit()`; a throw or a
   * rejected promise prints the error on standard error and exits with status 255 (POE: -1).
   */
  Program: RunProgram;
  /** Arguments: appended to the command (joined with spaces, as POE) or the argv; the function's arguments. */
  ProgramArgs?: readonly unknown[];
  /** Only 'pipe' (the default): Node cannot make a pty or hand a socketpair to a child. */
  Conduit?: string;
  /** Filter for standard input and output. Default: `new FilterLine({ Literal: '\n' })`, as POE. */
  StdioFilter?: Filter<In, Out>;
  StdinFilter?: Filter<unknown, Out>;
  StdoutFilter?: Filter<In, unknown>;
  /** Default: `new FilterLine({ Literal: '\n' })`. */
  StderrFilter?: Filter<In, unknown>;
  /** Deprecated in POE in favour of StdioFilter (and refused beside it). */
  Filter?: Filter<In, Out>;
  /** The child's standard input comes from this file (exclusive with StdinEvent). */
  RedirectStdin?: RunRedirect;
  /** The child's standard output goes to this file (exclusive with StdoutEvent). */
  RedirectStdout?: RunRedirect;
  /** The child's standard error goes to this file (exclusive with StderrEvent). */
  RedirectStderr?: RunRedirect;
  /** Standard output and standard error both go to this file. */
  RedirectOutput?: RunRedirect;
  /** No pipe to the child's standard input: it keeps this process's, as in POE. */
  NoStdin?: boolean;
  /** Leave the child in this process's group (by default it leads a new one, as POE's setpgrp). */
  NoSetPgrp?: boolean;
  /** POE's pty option; accepted and ignored (there is no pty conduit). */
  NoSetSid?: boolean;
  /** Added to the child's scheduling priority (its nice value). Failures are silent, as in POE. */
  Priority?: number;
  /** Numeric user ID to run the child as. */
  User?: number;
  /** Numeric group ID to run the child as. */
  Group?: number;
  /** Accepted for POE compatibility: Node never lets other descriptors leak into a child. */
  CloseOnCall?: boolean;
}

type Output = 'STDOUT' | 'STDERR';

interface OutputPipe {
  readonly name: Output;
  readonly stream: Readable;
  readonly event: 'StdoutEvent' | 'StderrEvent';
  done: boolean;
  paused: boolean;
}

const KNOWN = [
  'Program', 'ProgramArgs', 'Conduit', 'StdioFilter', 'StdinFilter', 'StdoutFilter', 'StderrFilter', 'Filter',
  'RedirectStdin', 'RedirectStdout', 'RedirectStderr', 'RedirectOutput', 'NoStdin', 'NoSetPgrp', 'NoSetSid',
  'Priority', 'User', 'Group', 'CloseOnCall',
  'StdinEvent', 'StdoutEvent', 'StderrEvent', 'ErrorEvent', 'CloseEvent',
];
const { EPIPE } = constants.errno;
const EVENT_NAMES: (keyof RunEvents)[] = ['StdinEvent', 'StdoutEvent', 'StderrEvent', 'ErrorEvent', 'CloseEvent'];
const OTHER_CONDUITS = ['pty', 'pty-pipe', 'socketpair', 'inet'];

/**
 * Runs a function's source in a fresh node: `node -e RUNNER -- source jsonArgs`. Standard output
 * and error are made blocking, as POE makes them autoflush, so that `process.exit()` loses nothing.
 */
const RUNNER = [
  'for (const s of [process.stdout, process.stderr]) { try { s._handle.setBlocking(true); } catch {} }',
  'const [source, json] = process.argv.slice(1);',
  "const fail = (e) => { try { process.stderr.write(String(e && e.stack || e) + '\\n'); } catch {} process.exitCode = 255; };",
  'let fn;',
  "try { fn = (0, eval)('(' + source + '\\n)'); }",
  "catch (e) { try { const o = (0, eval)('({' + source + '\\n})'); fn = o[Object.keys(o)[0]]; } catch { fail(e); } }",
  "if (typeof fn === 'function') {",
  "  try { const r = fn(...JSON.parse(json)); if (r && typeof r.then === 'function') r.then(undefined, fail); }",
  '  catch (e) { fail(e); }',
  '}',
].join('\n');

/** What a child exits with when its program cannot be executed: a shell says why (127 not found, 126 not executable). */
const EXEC_FALLBACK = 'exec "$@"';

interface Launch {
  file: string;
  args: string[];
}

/**
 * POE::Wheel::Run: runs a program in a child process and binds its standard input, output and
 * error to the session's events through filters.
 *
 * The child is handed to `kernel.watchChildProcess`, so `sig_child(wheel.PID(), event)` reports
 * its exit status, as in POE. A program that cannot be executed still yields a child (a shell
 * that reports why on standard error and exits with 127 or 126), so that the PID, the error
 * output and the exit status reach the session the way POE's failed exec does.
 *
 * `destroy()` stops listening and closes the pipes; like POE's DESTROY it does not kill the
 * child (call `kill()` first for that).
 */
export class Run<In = string, Out = string> extends Wheel {
  private readonly child: ChildProcess;
  private readonly pid: number;
  private readonly names: RunEvents;
  private stdinFilter: Filter<unknown, Out>;
  private stdoutFilter: Filter<In, unknown>;
  private stderrFilter: Filter<In, unknown>;
  /** The pipe to the child's standard input while it is open for put(). */
  private stdin: Writable | undefined;
  /** The pipe itself, kept after shutdown_stdin() so that destroy() can cut it. */
  private readonly stdinStream: Writable | undefined;
  private stdinFailed = false;
  private writesInFlight = 0;
  private readonly outputs: OutputPipe[] = [];

  constructor(options: RunOptions<In, Out>) {
    const filters = checkOptions(options as RunOptions<unknown, unknown>);
    const launch = plan(options.Program, options.ProgramArgs ?? []);
    super('POE::Wheel::Run');
    this.names = {};
    for (const name of EVENT_NAMES) this.names[name] = options[name];
    this.stdinFilter = (options.StdinFilter ?? filters.stdio) as Filter<unknown, Out>;
    this.stdoutFilter = (options.StdoutFilter ?? filters.stdio) as Filter<In, unknown>;
    this.stderrFilter = (options.StderrFilter ?? new FilterLine({ Literal: '\n' })) as Filter<In, unknown>;

    const opened: number[] = [];
    let child: ChildProcess;
    try {
      const redirect = (target: RunRedirect | undefined, flags: string): number | undefined => {
        if (target === undefined) return undefined;
        if (typeof target === 'number') return target;
        const fd = openSync(target, flags);
        opened.push(fd);
        return fd;
      };
      const inFd = redirect(options.RedirectStdin, 'r');
      const outFd = redirect(options.RedirectOutput ?? options.RedirectStdout, 'w');
      const errFd = options.RedirectOutput !== undefined ? outFd : redirect(options.RedirectStderr, 'w');
      const stdio: (IOType | number)[] = [
        inFd ?? (options.NoStdin ? 'inherit' : 'pipe'),
        outFd ?? (options.StdoutEvent !== undefined ? 'pipe' : 'inherit'),
        errFd ?? (options.StderrEvent !== undefined ? 'pipe' : 'inherit'),
      ];
      child = start(launch, stdio, options);
    } catch (error) {
      this.destroy();
      throw error;
    } finally {
      for (const fd of opened) closeSync(fd);
    }

    this.child = child;
    this.pid = child.pid!;
    this.kernel.watchChildProcess(child);
    // Kill failures are reported by kill()'s result; nothing the child does may throw here.
    child.on('error', ignore);
    if (options.Priority) {
      try {
        setPriority(this.pid, getPriority(this.pid) + options.Priority);
      } catch {
        // POE cannot report this from the child either.
      }
    }

    this.stdinStream = this.stdin = child.stdin ?? undefined;
    this.stdin?.on('error', this.onStdinError);
    if (child.stdout) this.listen({ name: 'STDOUT', stream: child.stdout, event: 'StdoutEvent', done: false, paused: false });
    if (child.stderr) this.listen({ name: 'STDERR', stream: child.stderr, event: 'StderrEvent', done: false, paused: false });
  }

  /** The child's process ID. */
  PID(): number {
    return this.pid;
  }

  /**
   * Writes records to the child's standard input through the stdin filter; StdinEvent follows
   * once they are all written. Throws, as POE croaks, when standard input is not open.
   * Returns false: there are no water marks on this wheel.
   */
  put(...records: Out[]): boolean {
    const stdin = this.stdin;
    if (stdin === undefined || this.destroyed) throw new TypeError('POE::Wheel::Run: put() on a wheel without an open STDIN handle');
    const chunks = this.stdinFilter.put(records) as Chunk[];
    // After a write error nothing reaches the child any more; ErrorEvent has said so.
    if (this.stdinFailed) return false;
    if (stdin.destroyed) {
      // Node closes the pipe when the child exits; POE would write and get EPIPE.
      process.nextTick(this.onStdinError, brokenPipe());
      return false;
    }
    for (const chunk of chunks) {
      this.writesInFlight++;
      stdin.write(chunk, this.onWritten);
    }
    return false;
  }

  /** Closes the child's standard input once what was put is written: the child reads end of file. */
  shutdown_stdin(): void {
    const stdin = this.stdin;
    if (stdin === undefined) return;
    this.stdin = undefined;
    if (!stdin.destroyed) stdin.end();
  }

  /**
   * Sends a signal to the child ('TERM' by default; 'KILL', 'SIGINT', 9... as Perl's kill takes
   * them). True when it was sent; false when the child is gone or the signal is unknown.
   */
  kill(signal: string | number = 'TERM'): boolean {
    const name = typeof signal === 'number' ? signal : (signal.startsWith('SIG') ? signal : `SIG${signal}`);
    try {
      return this.child.kill(name as NodeJS.Signals | number);
    } catch {
      return false;
    }
  }

  /** Stops reading the child's standard output; what it writes waits in the pipe (and the child blocks once it is full). */
  pause_stdout(): void {
    this.pause('STDOUT');
  }

  resume_stdout(): void {
    this.resume('STDOUT');
  }

  pause_stderr(): void {
    this.pause('STDERR');
  }

  resume_stderr(): void {
    this.resume('STDERR');
  }

  /** Renames events: `event('StdoutEvent', 'got_out', ...)` or `event({ StdoutEvent: 'got_out' })`. */
  event(...changes: (string | undefined | RunEvents)[]): void {
    for (const [name, event] of eventChanges('POE::Wheel::Run', EVENT_NAMES, changes)) this.names[name] = event;
  }


  /** Replaces the filters of standard output and standard input. */
  set_stdio_filter(filter: Filter<In, Out>): void {
    this.set_stdout_filter(filter);
    this.set_stdin_filter(filter);
  }

  set_stdin_filter(filter: Filter<unknown, Out>): void {
    this.stdinFilter = filter;
  }

  /** Replaces the stdout filter; what the old one had buffered is parsed by the new one. */
  set_stdout_filter(filter: Filter<In, unknown>): void {
    const buffered = this.stdoutFilter.get_pending();
    this.stdoutFilter = filter;
    const pipe = this.output('STDOUT');
    if (buffered !== undefined && pipe !== undefined) this.parse(pipe, buffered as Chunk[]);
  }

  set_stderr_filter(filter: Filter<In, unknown>): void {
    const buffered = this.stderrFilter.get_pending();
    this.stderrFilter = filter;
    const pipe = this.output('STDERR');
    if (buffered !== undefined && pipe !== undefined) this.parse(pipe, buffered as Chunk[]);
  }

  get_stdin_filter(): Filter<unknown, Out> {
    return this.stdinFilter;
  }

  get_stdout_filter(): Filter<In, unknown> {
    return this.stdoutFilter;
  }

  get_stderr_filter(): Filter<In, unknown> {
    return this.stderrFilter;
  }

  /** Octets put and not yet written to the child. */
  get_driver_out_octets(): number {
    return this.stdinStream?.writableLength ?? 0;
  }

  /** Writes put and not yet completed. */
  get_driver_out_messages(): number {
    return this.writesInFlight;
  }

  protected release(): void {
    for (const pipe of this.outputs) {
      pipe.stream.removeAllListeners('readable').removeAllListeners('end').removeAllListeners('close');
      pipe.stream.removeAllListeners('error').on('error', ignore);
      pipe.stream.destroy();
    }
    const stdin = this.stdinStream;
    if (stdin !== undefined) {
      stdin.off('error', this.onStdinError).on('error', ignore);
      stdin.destroy();
    }
    this.stdin = undefined;
  }

  private output(name: Output): OutputPipe | undefined {
    const pipe = this.outputs.find((candidate) => candidate.name === name);
    return pipe === undefined || pipe.done || this.destroyed ? undefined : pipe;
  }

  private pause(name: Output): void {
    const pipe = this.output(name);
    if (pipe !== undefined) pipe.paused = true;
  }

  private resume(name: Output): void {
    const pipe = this.output(name);
    if (pipe === undefined || !pipe.paused) return;
    pipe.paused = false;
    // As POE's select_resume_read: what waits is read on the next turn, not inside this call.
    process.nextTick(() => this.drain(pipe));
  }

  /**
   * Pipes are read in paused mode ('readable' and read()), not with 'data': Node resumes an
   * unread 'data' stream by itself when the child exits, which would break pause_stdout().
   */
  private listen(pipe: OutputPipe): void {
    this.outputs.push(pipe);
    const stream = pipe.stream;
    stream.on('readable', () => this.drain(pipe));
    stream.on('end', () => this.closed(pipe, undefined));
    stream.on('error', (error: Error) => this.closed(pipe, error));
    // A pipe that closes without an end (it should not) is an end all the same.
    stream.on('close', () => this.closed(pipe, undefined));
  }

  private drain(pipe: OutputPipe): void {
    while (!pipe.paused && !pipe.done && !this.destroyed) {
      const chunk = pipe.stream.read() as Buffer | null;
      if (chunk === null) return;
      this.parse(pipe, [chunk]);
    }
  }

  /** Feeds chunks to the output's filter and dispatches each record, as POE's get_one loop. */
  private parse(pipe: OutputPipe, chunks: Chunk[]): void {
    const filter = pipe.name === 'STDOUT' ? this.stdoutFilter : this.stderrFilter;
    if (!this.guard(pipe, () => filter.get_one_start(chunks))) return;
    // Each FilterError drops at least one byte, so errors cannot outnumber the bytes buffered.
    let errorsLeft = 1 + chunks.reduce((n, chunk) => n + chunk.length, 0);
    for (;;) {
      // A filter switched by a handler has taken over what this one had buffered.
      if (this.destroyed || filter !== (pipe.name === 'STDOUT' ? this.stdoutFilter : this.stderrFilter)) return;
      let records: unknown[] = [];
      if (!this.guard(pipe, () => (records = filter.get_one()))) {
        if (--errorsLeft > 0) continue;
        return;
      }
      if (records.length === 0) return;
      for (const record of records) this.emit(this.names[pipe.event], record, this.ID());
    }
  }

  /** Runs a filter call; a FilterError becomes a 'read' ErrorEvent for that handle, and false. */
  private guard(pipe: OutputPipe, parse: () => void): boolean {
    try {
      parse();
      return true;
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      this.emit(this.names.ErrorEvent, 'read', FILTER_ERRNO[error.code] ?? 0, error.message, this.ID(), pipe.name);
      return false;
    }
  }

  /** End of one output (or its failure): ErrorEvent, then CloseEvent after the last one, as POE. */
  private closed(pipe: OutputPipe, error: Error | undefined): void {
    if (pipe.done || this.destroyed) return;
    pipe.done = true;
    const errno = error === undefined ? 0 : errnoOf(error);
    if (error === undefined) this.emit(this.names.ErrorEvent, 'read', 0, '', this.ID(), pipe.name);
    else this.emit(this.names.ErrorEvent, 'read', errno, strerror(error), this.ID(), pipe.name, error);
    if (this.outputs.every((other) => other.done)) this.emit(this.names.CloseEvent, this.ID());
  }

  /** One ErrorEvent per failure of the pipe, however many errors and failed writes it raises. */
  private readonly onStdinError = (error: Error): void => {
    if (this.stdinFailed || this.destroyed) return;
    this.stdinFailed = true;
    // A write cut short because the child exited (Node destroys the pipe then) is POE's EPIPE.
    const known = errnoOf(error) !== 0;
    this.emit(this.names.ErrorEvent, 'write', known ? errnoOf(error) : EPIPE, known ? strerror(error) : strerror(EPIPE), this.ID(), 'STDIN', error);
  };

  private readonly onWritten = (error?: Error | null): void => {
    this.writesInFlight--;
    if (error) {
      this.onStdinError(error);
      return;
    }
    if (this.destroyed || this.writesInFlight !== 0) return;
    this.emit(this.names.StdinEvent, this.ID());
  };
}

/** POE's constructor checks (croaks become TypeErrors, carps warnings); returns the default stdio filter. */
function checkOptions(options: RunOptions<unknown, unknown>): { stdio: Filter<unknown, unknown> } {
  const fail = (problem: string): never => {
    throw new TypeError(`POE::Wheel::Run: ${problem}`);
  };
  if (options === null || typeof options !== 'object') fail('needs an options object');
  warnUnknownParameters('POE::Wheel::Run', options, KNOWN);
  const program = options.Program;
  if (program === undefined || program === null) fail('needs a Program parameter');
  if (typeof program !== 'string' && typeof program !== 'function' && !Array.isArray(program)) fail('Program must be a string, an array or a function');
  if (Array.isArray(program) && program.length === 0) fail('Program must not be an empty array');
  if (options.ProgramArgs !== undefined && !Array.isArray(options.ProgramArgs)) fail('ProgramArgs must be an array');
  const conduit = options.Conduit;
  if (conduit !== undefined && conduit !== 'pipe') {
    if (OTHER_CONDUITS.includes(conduit)) fail(`Conduit '${conduit}' is not supported (only 'pipe': Node cannot give a child a pty or a socketpair)`);
    fail(`Conduit type (${conduit}) is unknown`);
  }
  if (
    (options.RedirectStdin !== undefined && options.StdinEvent !== undefined) ||
    ((options.RedirectStdout ?? options.RedirectOutput) !== undefined && options.StdoutEvent !== undefined) ||
    ((options.RedirectStderr ?? options.RedirectOutput) !== undefined && options.StderrEvent !== undefined)
  ) {
    fail('Redirect* and *Event stdio options are mutually exclusive');
  }
  if (options.NoStdin && options.StdinEvent !== undefined) fail('NoStdin and StdinEvent are mutually exclusive');
  let stdio = options.StdioFilter;
  if (options.Filter !== undefined) {
    if (stdio !== undefined) fail('Filter and StdioFilter cannot be used together');
    if (options.StderrEvent !== undefined && options.StderrFilter === undefined) fail('replace the deprecated Filter with StdioFilter and StderrFilter');
    warnParameter('POE::Wheel::Run: Filter is deprecated; use StdioFilter and/or StderrFilter');
    stdio = options.Filter;
  }
  return { stdio: stdio ?? new FilterLine({ Literal: '\n' }) };
}

/** Perl's exec(STRING) goes through the shell only for these (and for `. x`, `exec x`, `VAR=x`). */
const SHELL_META = /[$&*(){}[\]'";\\|?<>~`\n]/;

/** The file and arguments to spawn for a Program, as POE's exec would run it. */
function plan(program: RunProgram, programArgs: readonly unknown[]): Launch {
  if (typeof program === 'function') {
    const source = Function.prototype.toString.call(program);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new TypeError('POE::Wheel::Run: a native or bound function cannot be sent to a child process');
    }
    let json: string;
    try {
      json = JSON.stringify(programArgs);
    } catch (error) {
      throw new TypeError(`POE::Wheel::Run: ProgramArgs of a function Program must be JSON: ${String(error)}`);
    }
    return { file: process.execPath, args: ['-e', RUNNER, '--', source, json] };
  }
  if (typeof program !== 'string') {
    const argv = [...program, ...programArgs].map(String);
    return { file: argv[0]!, args: argv.slice(1) };
  }
  const command = [program, ...programArgs.map(String)].join(' ');
  if (SHELL_META.test(command) || /^\s*(?:\.|exec)\s/.test(command) || /^\s*\w+=/.test(command)) {
    return { file: '/bin/sh', args: ['-c', command] };
  }
  const words = command.trim().split(/\s+/);
  if (words[0] === '') throw new TypeError('POE::Wheel::Run: Program is an empty command');
  return { file: words[0]!, args: words.slice(1) };
}

/**
 * Spawns the program; if it cannot be executed, spawns a shell that tries again and reports why,
 * so that there is always a child. Throws only when not even that can start (no processes, no
 * descriptors left), as POE croaks when it cannot fork or make its pipes.
 */
function start(launch: Launch, stdio: (IOType | number)[], options: RunOptions<unknown, unknown>): ChildProcess {
  const spawnOptions = {
    stdio,
    detached: !options.NoSetPgrp,
    windowsHide: true,
    ...(options.User !== undefined ? { uid: options.User } : {}),
    ...(options.Group !== undefined ? { gid: options.Group } : {}),
  };
  let first: unknown;
  try {
    const child = spawn(launch.file, launch.args, spawnOptions);
    if (child.pid !== undefined) return child;
    abandon(child);
  } catch (error) {
    first = error;
  }
  try {
    const child = spawn('/bin/sh', ['-c', EXEC_FALLBACK, 'sh', launch.file, ...launch.args], spawnOptions);
    if (child.pid !== undefined) return child;
    abandon(child);
  } catch (error) {
    throw first ?? error;
  }
  throw first ?? new Error(`POE::Wheel::Run: cannot start a child process for ${launch.file}`);
}

/** A child that never started: its error and its half-made pipes must not outlive it. */
function abandon(child: ChildProcess): void {
  child.on('error', ignore);
  for (const stream of child.stdio) {
    if (stream === null || stream === undefined) continue;
    stream.on('error', ignore);
    stream.destroy();
  }
}

function brokenPipe(): Error {
  return Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -EPIPE, syscall: 'write' });
}

function ignore(): void {}
