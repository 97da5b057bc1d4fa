// The one logging contract of every poets package: the kernel's warnings, each component's
// refusals and errors, and the daemons' log files all go through a Logger.

/** Net::Server's log levels, in its order: 0 err, 1 warning, 2 notice, 3 info, 4 debug. */
export type LogLevel = 'error' | 'warning' | 'notice' | 'info' | 'debug';

/** Each level's Net::Server number (`log_level` 0-4); a line is written when its number is ≤ the threshold. */
export const LOG_LEVELS: Readonly<Record<LogLevel, number>> = { error: 0, warning: 1, notice: 2, info: 3, debug: 4 };

/** Who a line is about: the component that logs it and, for a connection, the peer. */
export interface LogContext {
  /** The component or module that logs, e.g. `'Server::TCP'`, `'nscad'`, `'kernel'`. */
  component?: string;
  /** The remote end the line is about. */
  peer?: { address: string; port?: number };
  /** The error behind the line, for loggers that keep stacks or codes. */
  error?: unknown;
}

/** Where log lines go. Implementations must not throw. */
export interface Logger {
  log(level: LogLevel, message: string, context?: LogContext): void;
}

/** `component: [address]:port message`, the one-line form the default loggers write. */
export function formatLogLine(message: string, context?: LogContext): string {
  const parts: string[] = [];
  if (context?.component) parts.push(`${context.component}:`);
  if (context?.peer) parts.push(formatPeer(context.peer));
  parts.push(message);
  return parts.join(' ');
}

/** `127.0.0.1:5667`, `[::1]:5667`, or the bare address when there is no port. */
export function formatPeer(peer: { address: string; port?: number }): string {
  const host = peer.address.includes(':') ? `[${peer.address}]` : peer.address;
  return peer.port === undefined ? host : `${host}:${peer.port}`;
}

/** A Logger that writes each line at or below `threshold` through `write` (standard error by default). */
export function lineLogger(
  write: (line: string, level: LogLevel) => void = (line) => void process.stderr.write(`${line}\n`),
  threshold: LogLevel = 'debug',
): Logger {
  const max = LOG_LEVELS[threshold];
  return {
    log(level, message, context) {
      if (LOG_LEVELS[level] <= max) write(formatLogLine(message, context), level);
    },
  };
}

/** The same logger with `component` filled in where a line names none. */
export function componentLogger(logger: Logger, component: string): Logger {
  return {
    log(level, message, context) {
      logger.log(level, message, context?.component ? context : { ...context, component });
    },
  };
}

/** A Logger that drops everything. */
export const silentLogger: Logger = { log() {} };
