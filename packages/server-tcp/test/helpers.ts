// Shared helpers for the server-tcp tests (not a test file).
import { connect, type Socket } from 'node:net';
import type { ComponentLog, LogLevel } from '@poets/server-tcp';
import { until as waitFor } from '../../../test/support/index.js';

export { runBounded, sleep, until as waitFor } from '../../../test/support/index.js';

/** A log that keeps its lines, for assertions. */
export function captureLog(): { log: ComponentLog; lines: string[]; levels: LogLevel[] } {
  const lines: string[] = [];
  const levels: LogLevel[] = [];
  return {
    lines,
    levels,
    log: (line, level) => {
      lines.push(line);
      levels.push(level);
    },
  };
}

/** A line-oriented Node socket client: sends lines, collects the lines it reads (CR LF or LF ended). */
export class LineClient {
  readonly socket: Socket;
  readonly lines: string[] = [];
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  error: Error | undefined;
  private buffer = '';
  private ended = false;

  constructor(port: number, host = '127.0.0.1', options: { path?: string } = {}) {
    this.socket = options.path !== undefined ? connect({ path: options.path }) : connect({ port, host });
    this.socket.setEncoding('utf8');
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', (error) => (this.error = error));
    this.socket.on('end', () => (this.ended = true));
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let at: number;
      while ((at = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, at).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(at + 1);
      }
    });
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Waits until `n` lines have come; returns them all. */
  async expectLines(n: number, ms = 3000): Promise<string[]> {
    await waitFor(() => this.lines.length >= n, ms, `${n} line(s) (have ${JSON.stringify(this.lines)})`);
    return this.lines;
  }

  /** Sends a line and waits for the next line back. */
  async ask(line: string, ms = 3000): Promise<string> {
    const n = this.lines.length;
    this.send(line);
    await this.expectLines(n + 1, ms);
    return this.lines[n]!;
  }

  get gotEnd(): boolean {
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Whether ::1 can be bound here. */
export async function ipv6Available(): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}
