// Shared test support for every package's tests and the root suites (not a test file).
// Imported by relative path, so it needs no package of its own; type-checked by tsconfig.test.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, it } from 'vitest';

/** What `runBounded` needs of a kernel (structural, so this module depends on no package). */
export interface RunnableKernel {
  run(): Promise<void>;
  stop(): void;
}

/**
 * `await kernel.run()`, but never longer than `ms`: past that the kernel is stopped and the
 * promise rejects, so a kernel that fails to finish fails its test fast instead of hanging it.
 */
export async function runBounded(kernel: RunnableKernel, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      kernel.stop();
      reject(new Error(`kernel.run() did not return within ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([kernel.run(), guard]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `condition()` holds, polling every `every` ms; rejects past `ms`. A bound, not a
 * timing assertion: keep `ms` generous (a busy 2-core machine must not trip it).
 */
export async function until(
  condition: () => boolean,
  ms = 5000,
  what: string | (() => string) = 'condition',
  every = 5,
): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(every);
  }
}

/** A TCP port on `host` nobody listens on now: bound by the system, then freed. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a process with this PID is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PID a pid file holds, or undefined while it is missing or not (yet) a number. */
export function readPidFile(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal` to each PID (emptying the list); a PID already gone is no error. */
export function killPids(pids: number[], signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * A list of child PIDs that are killed after every test, whatever happened in it. Call at the top
 * level of a test file; push each child's PID as it is started.
 */
export function reapChildrenAfterEach(signal: NodeJS.Signals = 'SIGKILL'): number[] {
  const pids: number[] = [];
  afterEach(() => killPids(pids, signal));
  return pids;
}

/** The programs in `programs` (absolute paths) that are not installed. */
export function missingPrograms(programs: readonly string[]): string[] {
  return programs.filter((program) => !existsSync(program));
}

/**
 * `describe` for a suite that needs a real peer. `missing` undefined: the suite runs. Otherwise
 * (`missing` says what is absent): under CI (env CI set) the suite FAILS, naming it (`.ci/run`
 * installs the peers); outside CI it is skipped, saying why.
 */
export function describeWithPeer(missing: string | undefined, name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it(`needs ${missing}`, () => {
        throw new Error(`CI is set and the peer is missing: ${missing} (.ci/run installs the peers)`);
      });
    });
    return;
  }
  console.warn(`skipping '${name}': ${missing} (set CI to make this a failure)`);
  describe.skip(name, body);
}

/** `describeWithPeer` for a suite that drives the real programs at the paths in `programs`. */
export function describeWithPrograms(programs: readonly string[], name: string, body: () => void): void {
  const missing = missingPrograms(programs);
  describeWithPeer(missing.length === 0 ? undefined : `${missing.join(', ')} not installed`, name, body);
}

/** A UDP port on 127.0.0.1 nobody listens on now: bound by the system, then freed. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Whether a TCP connection to host:port is accepted now (tried once, given up after 500 ms). */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

/** One xinetd service (`wait = no`, run as root) on a loopback port. */
export interface XinetdService {
  name: string;
  port: number;
  server: string;
  serverArgs: string;
  env?: string;
}

/**
 * Starts a real xinetd in the foreground (`-dontfork`) on its own config in `dir`, serving one
 * service on 127.0.0.1, and resolves once the port accepts. Its PID is pushed on `pids`.
 */
export async function startXinetd(dir: string, service: XinetdService, pids: number[]): Promise<ChildProcess> {
  const conf = join(dir, 'xinetd.conf');
  const lines = ['defaults', '{', '  instances = 50', '}', `service ${service.name}`, '{', '  type = UNLISTED', '  socket_type = stream', '  protocol = tcp', '  wait = no', '  user = root'];
  lines.push(`  port = ${service.port}`, '  bind = 127.0.0.1', `  server = ${service.server}`, `  server_args = ${service.serverArgs}`);
  if (service.env !== undefined) lines.push(`  env = ${service.env}`);
  writeFileSync(conf, [...lines, '}', ''].join('\n'));
  const xinetd = spawn('/usr/sbin/xinetd', ['-dontfork', '-f', conf, '-pidfile', join(dir, 'xinetd.pid')], { stdio: 'ignore' });
  pids.push(xinetd.pid!);
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(service.port))) {
    if (Date.now() > deadline) throw new Error('xinetd did not listen');
    await sleep(50);
  }
  return xinetd;
}
