export { Kernel, poe_kernel, type Destination, type DieInfo, type Dispatch, type KernelOptions } from './kernel.js';
export {
  Session,
  type InlineStates,
  type MethodBinding,
  type Postback,
  type SessionFlags,
  type SessionOptions,
  type StateBindings,
} from './session.js';
export * from './slots.js';
export { NFA, MACHINE, RUNSTATE, EVENT, type NFAEventArgs, type NFAHandler, type NFAOptions, type NFAStateBindings } from './nfa.js';
export { EEXIST, EINVAL, ENOSYS, EPERM, ESRCH, KernelError, SessionDiedError, SessionsHeldError, UsageError, type Errno } from './errors.js';
export type { RemovedAlarm } from './event-queue.js';
export type { Watched } from './handles.js';
export { time } from './clock.js';
export {
  LOG_LEVELS,
  componentLogger,
  formatLogLine,
  formatPeer,
  lineLogger,
  silentLogger,
  type LogContext,
  type LogLevel,
  type Logger,
} from './logger.js';
export { waitStatus } from './children.js';
export { dispatches, fromSessionEvent, postEach, type PostEachOptions } from './rx.js';
export * from './filters/index.js';
export * from './wheels/index.js';
export { Subscribers } from './subscribers.js';
