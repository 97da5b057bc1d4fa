// Runs one external script at a time per call, many at once: a kernel session that starts each
// child with a Wheel::Run, collects its standard output (bounded), learns its exit status through
// sig_child, and kills its whole process group when the timeout alarm fires first.
import type { Buffer } from 'node:buffer';
import process from 'node:process';
import { ARG0, ARG1, ARG2, ARG3, FilterStream, type Kernel, Run, Session } from '@poets/kernel';

/** How one run ended. */
export type RunOutcome =
  | { kind: 'exited'; code: number; stdout: string; stderr: string; truncated: boolean }
  | { kind: 'signalled'; signal: number; stdout: string; stderr: string; truncated: boolean }
  | { kind: 'timeout'; pid: number; stdout: string; truncated: boolean }
  | { kind: 'failed'; reason: string };

export interface RunRequest {
  argv: readonly string[];
  /** Seconds before the process group is killed. */
  timeout: number;
  /** Bytes of standard output kept; the rest is read and dropped (so the child never blocks on a full pipe). */
  maxOutput: number;
}

interface Job {
  readonly request: RunRequest;
  readonly resolve: (outcome: RunOutcome) => void;
  wheel: Run<Buffer, Buffer> | undefined;
  pid: number;
  readonly stdout: Buffer[];
  stdoutBytes: number;
  readonly stderr: Buffer[];
  stderrBytes: number;
  truncated: boolean;
  status: number | undefined;
  closed: boolean;
  timer: number | undefined;
  done: boolean;
}

/** Standard error is only read for a reason to log; a little is enough. */
const MAX_STDERR = 4096;

function keep(parts: Buffer[], have: number, chunk: Buffer, max: number): { bytes: number; cut: boolean } {
  if (have >= max) return { bytes: have, cut: chunk.length > 0 };
  const room = max - have;
  parts.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
  return { bytes: have + Math.min(room, chunk.length), cut: chunk.length > room };
}

/** The session that runs scripts for one CheckExternalScripts instance. */
export class ScriptRunner {
  private readonly session: Session;
  private readonly jobs = new Map<number, Job>();
  private released = false;

  constructor(private readonly kernel: Kernel) {
    this.session = Session.create({
      kernel,
      inline_states: {
        start: (_: unknown[]) => this.onStart(_[ARG0] as Job),
        stdout: (_: unknown[]) => this.onOutput(_[ARG1] as number, _[ARG0] as Buffer, 'stdout'),
        stderr: (_: unknown[]) => this.onOutput(_[ARG1] as number, _[ARG0] as Buffer, 'stderr'),
        closed: (_: unknown[]) => this.onClosed(_[ARG0] as number),
        child: (_: unknown[]) => this.onChild(_[ARG3] as number, _[ARG2] as number),
        timeout: (_: unknown[]) => this.onTimeout(_[ARG0] as number),
        drop: (_: unknown[]) => (_[ARG0] as () => void)(),
      },
    });
    // Held until release(): between runs the session has nothing else that keeps it.
    kernel.refcount_increment(this.session.ID(), 'script runner');
  }

  /** Children running now. */
  get running(): number {
    return this.jobs.size;
  }

  /** Runs `argv`; resolves when the child has exited and closed its output, or at the timeout. */
  run(request: RunRequest): Promise<RunOutcome> {
    if (this.released) return Promise.resolve({ kind: 'failed', reason: 'CheckExternalScripts is unloading' });
    return new Promise<RunOutcome>((resolve) => {
      const job: Job = { request, resolve, wheel: undefined, pid: 0, stdout: [], stdoutBytes: 0, stderr: [], stderrBytes: 0, truncated: false, status: undefined, closed: false, timer: undefined, done: false };
      this.kernel.call(this.session, 'start', job);
    });
  }

  /** Kills what still runs (answered as failed) and lets the session go. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const job of [...this.jobs.values()]) {
      this.killGroup(job);
      this.finish(job, { kind: 'failed', reason: 'CheckExternalScripts unloaded while the script ran' });
    }
    this.kernel.refcount_decrement(this.session.ID(), 'script runner');
  }

  private onStart(job: Job): void {
    const kernel = this.kernel;
    let wheel: Run<Buffer, Buffer>;
    try {
      wheel = new Run<Buffer, Buffer>({
        Program: job.request.argv,
        StdoutEvent: 'stdout',
        StderrEvent: 'stderr',
        CloseEvent: 'closed',
        StdinEvent: undefined,
        StdioFilter: new FilterStream() as never,
        StderrFilter: new FilterStream() as never,
      });
    } catch (error) {
      job.resolve({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    job.wheel = wheel;
    job.pid = wheel.PID();
    // A check plugin reads nothing: it gets end of file at once rather than this process's input.
    wheel.shutdown_stdin();
    this.jobs.set(wheel.ID(), job);
    kernel.sig_child(job.pid, 'child', wheel.ID());
    job.timer = kernel.delay_set('timeout', job.request.timeout, wheel.ID()) || undefined;
  }

  private onOutput(id: number, chunk: Buffer, which: 'stdout' | 'stderr'): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    if (which === 'stdout') {
      const { bytes, cut } = keep(job.stdout, job.stdoutBytes, chunk, job.request.maxOutput);
      job.stdoutBytes = bytes;
      if (cut) job.truncated = true;
    } else {
      job.stderrBytes = keep(job.stderr, job.stderrBytes, chunk, MAX_STDERR).bytes;
    }
  }

  private onClosed(id: number): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    job.closed = true;
    this.settle(job);
  }

  private onChild(id: number, status: number): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    job.status = status;
    this.settle(job);
  }

  private onTimeout(id: number): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    job.timer = undefined;
    this.killGroup(job);
    this.finish(job, { kind: 'timeout', pid: job.pid, stdout: text(job.stdout), truncated: job.truncated });
  }

  /** Answers once the child has exited and its output pipes are closed (a grandchild may hold them: the timeout covers that). */
  private settle(job: Job): void {
    if (job.status === undefined || !job.closed) return;
    const status = job.status;
    const stdout = text(job.stdout);
    const stderr = text(job.stderr);
    const signal = status & 0x7f;
    this.finish(job, signal !== 0 ? { kind: 'signalled', signal, stdout, stderr, truncated: job.truncated } : { kind: 'exited', code: (status >> 8) & 0xff, stdout, stderr, truncated: job.truncated });
  }

  private killGroup(job: Job): void {
    if (job.pid <= 0) return;
    try {
      // The child leads its own process group (Wheel::Run's setpgrp): everything it started goes too.
      process.kill(-job.pid, 'SIGKILL');
    } catch {
      job.wheel?.kill('KILL');
    }
  }

  private finish(job: Job, outcome: RunOutcome): void {
    if (job.done) return;
    job.done = true;
    const id = job.wheel?.ID();
    if (id !== undefined) this.jobs.delete(id);
    const kernel = this.kernel;
    const drop = () => {
      if (job.timer !== undefined) kernel.alarm_remove(job.timer);
      if (job.status === undefined) kernel.sig_child(job.pid);
      job.wheel?.destroy();
    };
    if (kernel.get_active_session() === this.session) drop();
    else kernel.call(this.session, 'drop', drop);
    job.resolve(outcome);
  }
}

function text(parts: readonly Buffer[]): string {
  return parts.map((p) => p.toString('utf8')).join('');
}
