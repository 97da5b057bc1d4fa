import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NSCA } from './commands.js';
import { canConnect, freePort } from '../../support/index.js';

export { canConnect, freePort };

/**
 * The real nsca daemon (Debian 2.10.2) on 127.0.0.1, for one test suite: single mode, in the
 * foreground (`-f`), as the current user, writing check results to a regular file in a temporary
 * directory (append_to_file=1). Every wait is bounded; `stop()` ends it (TERM, then KILL).
 */
export interface NscaDaemon {
  readonly port: number;
  readonly commandFile: string;
  /** The command file's lines so far. */
  lines(): string[];
  /** Waits (at most `ms`) until the command file has at least `count` lines; returns them all. */
  waitForLines(count: number, ms?: number): Promise<string[]>;
  stop(): Promise<void>;
}

export interface NscaDaemonOptions {
  /** decryption_method. */
  method: number;
  /** Empty: no password line. */
  password: string;
  /** A temporary directory of the suite's own. */
  dir: string;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startNscaDaemon(options: NscaDaemonOptions): Promise<NscaDaemon> {
  const commandFile = join(options.dir, `nsca-${options.method}.cmd`);
  writeFileSync(commandFile, '');
  // The port is free when chosen; another process may take it before nsca binds: try again then.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const config = join(options.dir, `nsca-${options.method}-${port}.cfg`);
    const lines = [
      `server_address=127.0.0.1`,
      `server_port=${port}`,
      `nsca_user=${process.getuid?.() ?? 0}`,
      `nsca_group=${process.getgid?.() ?? 0}`,
      'debug=0',
      `command_file=${commandFile}`,
      `alternate_dump_file=${join(options.dir, `nsca-${options.method}.dump`)}`,
      'aggregate_writes=0',
      'append_to_file=1',
      'max_packet_age=30',
      `decryption_method=${options.method}`,
    ];
    if (options.password !== '') lines.push(`password=${options.password}`);
    writeFileSync(config, `${lines.join('\n')}\n`);
    const child = spawn(NSCA, ['-c', config, '-f'], { stdio: 'ignore' });
    const deadline = Date.now() + 5_000;
    let listening = false;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      if (await canConnect(port)) {
        listening = true;
        break;
      }
      await sleep(25);
    }
    if (!listening) {
      child.kill('SIGKILL');
      await exited(child);
      continue;
    }
    const read = () => readFileSync(commandFile, 'utf8').split('\n').filter((line) => line !== '');
    return {
      port,
      commandFile,
      lines: read,
      async waitForLines(count, ms = 5_000) {
        const until = Date.now() + ms;
        for (;;) {
          const got = read();
          if (got.length >= count) return got;
          if (Date.now() > until) throw new Error(`nsca wrote ${got.length} of ${count} lines within ${ms} ms:\n${got.join('\n')}`);
          await sleep(20);
        }
      },
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const gone = await Promise.race([exited(child).then(() => true), sleep(2_000).then(() => false)]);
        if (!gone) {
          child.kill('SIGKILL');
          await exited(child);
        }
      },
    };
  }
  throw new Error('could not start nsca on a free port in 3 attempts');
}

/** A command file line without its `[time] ` prefix. */
export function withoutTime(line: string): string {
  return line.replace(/^\[\d+\] /, '');
}
