import { componentLogger, type Kernel, type Logger } from '@poets/kernel';

/**
 * How bad a logged line is, after Net::Server's log levels (0 error ... 3 info). The component
 * logs refused and idle clients, client and listener errors, and parameter warnings.
 */
export type LogLevel = 'error' | 'warning' | 'notice' | 'info';

/** The peer a line is about (the Logger contract's `LogContext.peer`). */
export interface LogPeer {
  address: string;
  port?: number;
}

/** Where the components write their log lines (Net::Server's write_to_log_hook); the older form of `logger`. */
export type ComponentLog = (line: string, level: LogLevel, peer?: LogPeer) => void;

/**
 * The given `log` function, else the Logger (`logger`, default the kernel's) with the component
 * named and the peer in the line's context.
 */
export function logTo(log: ComponentLog | undefined, logger: Logger | undefined, kernel: Kernel, component: string): ComponentLog {
  if (log !== undefined) return log;
  const target = componentLogger(logger ?? kernel.logger, component);
  return (line, level, peer) => target.log(level, line, peer === undefined ? undefined : { peer });
}

/** A Logger over a ComponentLog, for the helpers that take one (RefusalLog). */
export function loggerOf(log: () => ComponentLog): Logger {
  return { log: (level, message, context) => log()(message, level === 'debug' ? 'info' : level, context?.peer) };
}

/** An error's message, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
