// `log_file`: the Logger that appends each line to a file, reopened on HUP so logrotate works.
import { closeSync, openSync, writeSync } from 'node:fs';
import { formatLogLine, type Logger } from '@poets/kernel';
import { ConfigError } from './errors.js';

/** A Logger appending to `path`; `reopen()` closes and opens it again (a rotated file is left to its rotator). */
export class FileLogger implements Logger {
  private fd: number;

  constructor(readonly path: string) {
    this.fd = FileLogger.open(path);
  }

  private static open(path: string): number {
    try {
      return openSync(path, 'a');
    } catch (error) {
      throw new ConfigError(`couldn't open log file "${path}" [${(error as NodeJS.ErrnoException).code ?? String(error)}]`);
    }
  }

  log(_level: Parameters<Logger['log']>[0], message: string, context?: Parameters<Logger['log']>[2]): void {
    try {
      writeSync(this.fd, `${formatLogLine(message, context)}\n`);
    } catch {
      // a Logger must not throw: a full disk loses the line, not the server
    }
  }

  reopen(): void {
    const fd = FileLogger.open(this.path);
    const old = this.fd;
    this.fd = fd;
    closeSync(old);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
