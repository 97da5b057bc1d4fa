import type { LogContext, LogLevel, Logger } from '@poets/kernel';

/**
 * Log lines that a peer can provoke at will (garbage answers, traps with a wrong community):
 * the first of each kind is written at once, the rest at most once per `intervalMs` with a
 * count of those left out, so no flood fills a log.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  log(level: LogLevel, kind: string, message: string, context?: LogContext): void {
    const now = Date.now();
    const seen = this.last.get(kind);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const more = seen !== undefined && seen.suppressed > 0 ? ` (and ${seen.suppressed} more in the last ${Math.round((now - seen.at) / 1000)} s)` : '';
    this.logger.log(level, `${message}${more}`, context);
    // bounded: a peer cannot make the map grow past a few hundred kinds
    if (this.last.size > 256) this.last.clear();
    this.last.set(kind, { at: now, suppressed: 0 });
  }
}
