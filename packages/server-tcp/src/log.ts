import type { Kernel } from '@poets/kernel';

/**
 * How bad a logged line is, after Net::Server's log levels (0 error ... 3 info). The component
 * logs refused and idle clients, client and listener errors, and parameter warnings.
 */
export type LogLevel = 'error' | 'warning' | 'notice' | 'info';

/** Where the components write their log lines (Net::Server's write_to_log_hook). */
export type ComponentLog = (line: string, level: LogLevel) => void;

/** The given log, or one that writes every line through the kernel's `warn` (standard error by default). */
export function logTo(log: ComponentLog | undefined, kernel: Kernel): ComponentLog {
  return log ?? ((line) => kernel.warn(line));
}

/** An error's message, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
