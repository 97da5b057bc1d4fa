// Every error server-nsca defines, in one place.
// methods.ts imports UnsupportedMethodError and this file its message function: the cycle is safe,
// as each is used only inside functions, never while the modules load.
import { unsupportedMessage } from './ciphers/methods.js';
import type { ClientNSCAFailure, ClientNSCAResult } from './client/result.js';

/** Raised for a configuration nscad refuses to start with (the CLI exits with status 2). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `done` rejects with this when the daemon could not listen (or listen again after HUP); the CLI exits with status 1. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** `done` rejects with this when JSON results can no longer be written (the reader of stdout went away); the CLI exits with status 1. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** Thrown at stream creation for a method nobody provides: never a silently garbled stream. */
export class UnsupportedMethodError extends Error {
  override readonly name = 'UnsupportedMethodError';
  constructor(readonly method: number) {
    super(unsupportedMessage(method));
  }
}

/** Thrown (rejected) by the Promise helpers when a check could not be sent. */
export class NscaSendError<Context = unknown> extends Error {
  override readonly name = 'NscaSendError';

  /** @param results every check's result, in order (at least one failed). */
  constructor(readonly results: readonly ClientNSCAResult<Context>[]) {
    const failed = results.filter((r): r is ClientNSCAFailure<Context> => !r.success);
    const first = failed[0]?.error ?? 'Error: no check was sent';
    super(failed.length > 1 ? `${first} (${failed.length} of ${results.length} checks failed)` : first);
  }

  /** The results of the checks that failed. */
  get failures(): ClientNSCAFailure<Context>[] {
    return this.results.filter((r): r is ClientNSCAFailure<Context> => !r.success);
  }
}
