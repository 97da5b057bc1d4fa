import { constants } from 'node:os';
import type { CallerSite } from '../caller.js';
import { UsageError } from '../errors.js';
import { madeAt } from '../holds.js';
import { STRERROR } from '../strerror-table.js';
import type { Watched } from '../handles.js';
import { activeKernel, type Kernel } from '../kernel.js';
import { Session } from '../session.js';

let lastWheelId = 0;

/** @internal A new wheel ID, unique in the process (POE::Wheel::allocate_wheel_id); every Wheel takes one when made. */
export function allocateWheelId(): number {
  return ++lastWheelId;
}

/**
 * What every wheel shares (POE::Wheel): it belongs to the session whose handler created it,
 * keeps that session alive until `destroy()`, and after `destroy()` never dispatches again.
 */
export abstract class Wheel implements Watched {
  protected readonly kernel: Kernel;
  protected readonly session: Session;
  protected destroyed = false;
  private readonly id = allocateWheelId();
  private readonly kind: string;
  /** Where the wheel was made, when its kernel captures caller information. */
  private readonly site: CallerSite | undefined;

  constructor(kind: string) {
    const kernel = activeKernel();
    const session = kernel?.get_active_session();
    if (kernel === undefined || !(session instanceof Session)) {
      throw new UsageError(`${kind} must be created inside a session's event handler`);
    }
    this.kernel = kernel;
    this.session = session;
    this.kind = kind;
    this.site = kernel.captureSite(new.target);
    kernel.watchHandle(session, this);
  }

  ID(): number {
    return this.id;
  }

  /** `POE::Wheel::ReadWrite 3 made at file:line`: how the kernel names a wheel that holds its session. */
  describe(): string {
    return `wheel ${this.kind} ${this.id}${madeAt(this.site)}`;
  }

  /** Stops the wheel: it releases what it holds and its session, and dispatches nothing more. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.kernel.unwatchHandle(this.session, this);
    this.release();
  }

  /** Frees the wheel's own resources (listeners, handles, timers). */
  protected abstract release(): void;

  /** Dispatches one of the wheel's events to its session, unless unnamed or destroyed. */
  protected emit(event: string | undefined, ...args: unknown[]): void {
    if (event !== undefined && !this.destroyed) this.kernel.deliver(this.session, event, ...args);
  }
}

/**
 * POE carps about constructor parameters a wheel does not know and goes on: so does every wheel
 * here, in the same words, through its kernel's logger. Called before the wheel exists, so the
 * kernel is the one whose handler is running (a wheel made elsewhere throws just after).
 */
export function warnUnknownParameters(kind: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  activeKernel()?.warn(`${kind}: ignoring unknown parameters: ${unknown.sort().join(', ')}`);
}

/** Warns through the running kernel (a wheel's constructor checks run before the wheel exists). */
export function warnParameter(line: string): void {
  activeKernel()?.warn(line);
}

/**
 * The renamings a wheel's `event()` was given, as POE's flat pairs (`'InputEvent', 'got_line'`)
 * or one object; a parameter the wheel does not have throws, as POE croaks.
 */
export function eventChanges<Name extends string>(
  kind: string,
  known: readonly Name[],
  changes: readonly unknown[],
): [Name, string | undefined][] {
  const first = changes[0];
  const pairs: [unknown, unknown][] = [];
  if (typeof first === 'object' && first !== null) pairs.push(...Object.entries(first));
  else for (let i = 0; i < changes.length; i += 2) pairs.push([changes[i], changes[i + 1]]);
  return pairs.map(([name, event]) => {
    if (!known.includes(name as Name)) throw new TypeError(`${kind}: unknown event parameter '${String(name)}'`);
    return [name as Name, event as string | undefined];
  });
}

/** A Node error's errno as a positive number, as Perl's `$!` has it (0 when unknown). */
export function errnoOf(error: unknown): number {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in constants.errno) return constants.errno[code as keyof typeof constants.errno];
  // TLS failures carry OpenSSL's codes, not an errno: report a protocol error, never 0 (end of input).
  if (code !== undefined && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) return constants.errno.EPROTO;
  const errno = (error as NodeJS.ErrnoException | undefined)?.errno;
  return typeof errno === 'number' ? Math.abs(errno) : 0;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, errno]) => [errno, name]));

/**
 * The system's text for an error's errno, as Perl's `$!` prints it and POE puts in ARG2 of an
 * ErrorEvent (`Connection refused`, `Connection reset by peer`): glibc's strerror() texts (see
 * scripts/strerror.sh). Takes a Node system error (by its `code`) or an errno number; any other
 * error (a TLS failure, a component's own) gives its own message.
 */
export function strerror(error: unknown): string {
  if (typeof error === 'number') {
    const name = ERRNO_NAMES.get(Math.abs(error));
    return name !== undefined && Object.hasOwn(STRERROR, name) ? STRERROR[name]! : `Unknown error ${Math.abs(error)}`;
  }
  // Only an error a system call raised (Node gives it `syscall`) has the system's text; an error a
  // component made with an errno code of its own keeps its message.
  const system = error as NodeJS.ErrnoException | undefined;
  const code = system?.code;
  if (typeof code === 'string' && typeof system?.syscall === 'string' && Object.hasOwn(STRERROR, code)) return STRERROR[code]!;
  return error instanceof Error ? error.message : String(error);
}

/** The errno a filter error is reported with (POE wheels report numbers), by its code. */
export const FILTER_ERRNO: Record<string, number> = {
  ERECORDTOOLONG: constants.errno.EMSGSIZE,
  EBUFFERFULL: constants.errno.ENOBUFS,
  EBADDATA: constants.errno.EBADMSG,
};
