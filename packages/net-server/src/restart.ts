// HUP restart and background without fork: the server re-executes its saved command line as a new
// process, handing it the listening sockets as inherited descriptors described in BOUND_SOCKETS
// (Net::Server's own variable: one `fd|host|port|proto|ipv` a line). The new process listens on the
// same sockets, so the kernel's accept queue is never closed and no client is refused; the old one
// stops accepting only once the new one says it is serving.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { NetServerError } from './errors.js';
import type { ProtoSocket } from './proto.js';

/** Net::Server's environment variable carrying the bound sockets across an exec. */
export const BOUND_SOCKETS = 'BOUND_SOCKETS';
/** The pid of the process that handed its sockets over (its pid_file entry may be taken over). */
export const RESTART_FROM_PID = 'NET_SERVER_RESTART_FROM';
/** Set in a process started by respawn: it reports `serving` on its IPC channel once looping. */
const REPORT_SERVING = 'NET_SERVER_REPORT_SERVING';

/** One entry of BOUND_SOCKETS. */
export interface BoundSocket {
  fd: number;
  host: string;
  port: string;
  proto: string;
  ipv: string;
}

/** Parses BOUND_SOCKETS (`fd|host|port|proto|ipv` lines); a malformed line is an error naming it. */
export function parse_bound_sockets(text: string): BoundSocket[] {
  const out: BoundSocket[] = [];
  for (const line of text.split(/\s*\n\s*/)) {
    if (line.trim() === '') continue;
    const parts = line.trim().split('|');
    if (parts.length < 4 || !/^\d+$/.test(parts[0]!)) throw new NetServerError(`${BOUND_SOCKETS}: "${line}" is no fd|host|port|proto|ipv`);
    const [fd, host, port, proto, ipv = '4'] = parts as [string, string, string, string, string?];
    out.push({ fd: Number(fd), host, port, proto, ipv });
  }
  return out;
}

/** What respawn needs to know. */
export interface RespawnOptions {
  /** The saved command line: `[script, ...arguments]` (Net::Server's commandline). */
  commandline: string[];
  /** The bound endpoints to hand over (each must know its descriptor). */
  socks: ProtoSocket[];
  /** A new session and no terminal (background/setsid); the standard streams go to /dev/null. */
  detached: boolean;
  /** Give up waiting for `serving` after this long (the child is then killed). */
  readyTimeoutMs?: number;
  /** Extra environment for the new process. */
  env?: Record<string, string>;
}

/**
 * Starts the saved command line again with the sockets inherited (fd 3 upwards) and resolves with
 * the child once it reports it is serving; rejects (and kills it) if it exits or stays silent.
 */
export function respawn(options: RespawnOptions): Promise<ChildProcess> {
  const fds = options.socks.map((sock) => {
    const fd = sock.fileno();
    if (fd === undefined) throw new NetServerError(`${sock.NS_proto} port ${sock.NS_port} has no descriptor to hand over`);
    return fd;
  });
  const lines = options.socks.map((sock, i) => `${3 + i}|${sock.hup_string()}`);
  const std = options.detached ? 'ignore' : 'inherit';
  const stdio: StdioOptions = [std, std, std, ...fds, 'ipc'];
  const [script, ...args] = options.commandline;
  if (script === undefined) return Promise.reject(new NetServerError('no command line saved to restart with'));
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    stdio,
    detached: options.detached,
    env: {
      ...process.env,
      ...options.env,
      [BOUND_SOCKETS]: lines.join('\n'),
      [RESTART_FROM_PID]: String(process.pid),
      [REPORT_SERVING]: '1',
    },
  });
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail(new NetServerError(`the new process (pid ${child.pid}) did not report serving within ${(options.readyTimeoutMs ?? 30_000) / 1000} s`)), options.readyTimeoutMs ?? 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new NetServerError(`the new process (pid ${child.pid}) exited before serving (${signal ?? `code ${code}`})`)));
    child.on('message', (message) => {
      if (message !== 'serving') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.disconnect();
      child.unref();
      resolve(child);
    });
  });
}

/** In a process respawn started: tells the parent it is serving, then lets the channel go. */
export function report_serving(): void {
  if (process.env[REPORT_SERVING] === undefined) return;
  delete process.env[REPORT_SERVING];
  delete process.env[BOUND_SOCKETS];
  delete process.env[RESTART_FROM_PID];
  if (process.send === undefined) return;
  process.send('serving', () => process.disconnect?.());
}
