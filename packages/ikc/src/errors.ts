// Every error @poets/ikc defines.

/** Why a remote post, call or subscription failed: the `code` says which, as an errno name. */
export type IKCErrorCode =
  /** No kernel of that name is known (not connected, or gone). */
  | 'ENOKERNEL'
  /** The session or state is not published by that kernel. */
  | 'EPERM'
  /** A call got no answer within its timeout. */
  | 'ETIMEDOUT'
  /** The message is larger than the limit (ours or the NATS server's max_payload). */
  | 'EMSGSIZE'
  /** The message could not be decoded, or is not a poets message. */
  | 'EBADMSG'
  /** A bad specifier or argument. */
  | 'EINVAL'
  /** Not connected to NATS (yet, or any more). */
  | 'ENOTCONN'
  /** The remote handler threw (its kernel raised DIE). */
  | 'EDIED';

export class IKCError extends Error {
  override readonly name = 'IKCError';
  constructor(
    readonly code: IKCErrorCode,
    message: string,
    /** The specifier the failed operation was for, as `poe://Kernel/session/state`. */
    readonly specifier?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A specifier that cannot be parsed (`poe://Kernel/session/state`, `poe:state`, an object). */
export class SpecifierError extends Error {
  override readonly name = 'SpecifierError';
}

/** A value the codec cannot carry (a function, a symbol, a cycle). */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}
