// Shared by the net-server suites: a server started on 127.0.0.1 port 0 with its bound port,
// a line client, and a logger that keeps its lines.
import { connect, type Socket } from 'node:net';
import { Kernel, formatLogLine, type Logger } from '@poets/kernel';
import type { NetServer, NetServerOptions } from '@poets/net-server';

export interface Captured extends Logger {
  lines: string[];
}

export function captureLogger(): Captured {
  const lines: string[] = [];
  return { lines, log: (level, message, context) => void lines.push(`${level} ${formatLogLine(message, context)}`) };
}

export interface Started<T extends NetServer> {
  server: T;
  ports: number[];
  done: Promise<T>;
  logger: Captured;
}

/** Runs `make(options)` with `args`, resolving once pre_loop_hook ran (every endpoint bound). */
export async function start<T extends NetServer>(
  Make: new (args?: Record<string, unknown>, options?: NetServerOptions) => T,
  args: Record<string, unknown>,
  options: NetServerOptions = {},
): Promise<Started<T>> {
  const logger = captureLogger();
  const server = new Make({}, { argv: [], logger, signals: false, kernel: new Kernel({ logger }), ...options });
  const ready = new Promise<void>((resolve) => {
    const original = server.pre_loop_hook.bind(server);
    server.pre_loop_hook = async () => {
      await original();
      resolve();
    };
  });
  const done = server.run({ host: '127.0.0.1', port: 0, ...args });
  await Promise.race([ready, done]);
  const ports = (server.server.sock ?? []).map((sock) => Number(sock.NS_port));
  return { server, ports, done, logger };
}

export interface LineClient {
  socket: Socket;
  /** The client's own port, known once connected. */
  localPort(): number | undefined;
  lines: string[];
  /** Resolves with the lines once `n` have come. */
  next(n: number): Promise<string[]>;
  send(line: string): void;
  closed: Promise<void>;
}

export function lineClient(port: number, host = '127.0.0.1'): LineClient {
  const socket = connect({ port, host });
  const lines: string[] = [];
  let buffer = '';
  const waiters: (() => void)[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, at).replace(/\r$/, ''));
      buffer = buffer.slice(at + 1);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => {});
  let localPort: number | undefined;
  socket.on('connect', () => (localPort = socket.localPort));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    localPort: () => localPort,
    lines,
    closed,
    send: (line) => void socket.write(`${line}\r\n`),
    next: (n) =>
      new Promise<string[]>((resolve, reject) => {
        const check = () => {
          if (lines.length >= n) return resolve(lines.slice(0, n));
          if (socket.destroyed) return reject(new Error(`closed after ${lines.length} lines: ${lines.join(' | ')}`));
          waiters.push(check);
        };
        socket.once('close', () => waiters.length > 0 && check());
        check();
      }),
  };
}

/** One connection: its first line (the greeting), then `line`'s answer; 'refused' if the connect failed. */
export function oneRequest(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${line}\r\nquit\r\n`));
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : `error ${error.code}`));
    socket.on('close', () => resolve(data.split('\r\n')[1] ?? `closed after "${data}"`));
  });
}
