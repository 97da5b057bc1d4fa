// Every error the kernel reports is defined here.

/** POSIX-style reasons, as POE puts them in `$!` or returns them. */
export const ESRCH = 'ESRCH';
export const EPERM = 'EPERM';
export const EEXIST = 'EEXIST';
export const EINVAL = 'EINVAL';
export const ENOSYS = 'ENOSYS';
export type Errno = typeof ESRCH | typeof EPERM | typeof EEXIST | typeof EINVAL | typeof ENOSYS;

/** Why the last kernel call that returned false/undefined failed (POE's `$!`). */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: Errno,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A kernel method that must run inside a session was called from outside one (POE confesses). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A handler threw and nothing handled the DIE signal: `run()` rejects with this. */
export class SessionDiedError extends Error {
  override readonly name = 'SessionDiedError';
  constructor(
    readonly sessionId: number,
    readonly event: string,
    readonly error: unknown,
    previous?: SessionDiedError,
  ) {
    const what = error instanceof Error ? error.message : String(error);
    const more = previous ? `\nAdditional error thrown in handler for previous error:\n${previous.message}` : '';
    super(`session ${sessionId} died in event '${event}': ${what}${more}`, { cause: error });
  }
}

/**
 * Node's event loop had nothing left to wait for while sessions were still held: no event, timer,
 * socket or child could ever wake them. `run()` rejects with this instead of letting the process
 * end in silence; `holds` says, per session, what holds it (a postback never released, a wheel
 * never destroyed, an extra refcount).
 */
export class SessionsHeldError extends Error {
  override readonly name = 'SessionsHeldError';
  constructor(readonly holds: readonly { session: number; name: string; holds: string[] }[]) {
    const lines = holds.map((held) => `  ${held.name}: ${held.holds.length > 0 ? held.holds.join('; ') : 'nothing the kernel can name'}`);
    super(
      `the kernel still holds ${holds.length} session${holds.length === 1 ? '' : 's'} that can never run again ` +
        `(Node's event loop has nothing left to wait for):\n${lines.join('\n')}`,
    );
  }
}
