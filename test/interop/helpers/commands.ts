import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real Debian programs the interop suites compare with (nsca-client, nsca 2.10.2). */
export const SEND_NSCA = '/usr/sbin/send_nsca';
export const NSCA = '/usr/sbin/nsca';

/** The built poets-send-nsca (`npx tsc -b`). */
export const POETS_SEND_NSCA = fileURLToPath(new URL('../../../packages/server-nsca/dist/cli/send-nsca.js', import.meta.url));

export const haveSendNsca = existsSync(SEND_NSCA);
export const haveNsca = existsSync(NSCA);

/** Fails clearly when the command under test has not been built. */
export function requireBuiltCommand(): void {
  if (!existsSync(POETS_SEND_NSCA)) {
    throw new Error(`${POETS_SEND_NSCA} is missing: build first (npx tsc -b)`);
  }
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** A piece of standard input, written `afterMs` after `after` has resolved (or after the start). */
export interface InputPiece {
  after?: Promise<unknown>;
  afterMs: number;
  data: Buffer | string;
}

/** Standard input: all at once, or in pieces (the input ends after the last one). */
export type CommandInput = Buffer | string | readonly InputPiece[];

/**
 * Runs a command with `input` on standard input; kills it (SIGKILL) and fails if it runs longer
 * than `timeoutMs`.
 */
export function runCommand(file: string, args: readonly string[], input: CommandInput = '', timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // The command may exit without reading its input (a refused connection...).
    child.stdin.on('error', () => {});
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')}: still running after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(killer);
      reject(error);
    });
    let closed = false;
    child.on('close', (code, signal) => {
      closed = true;
      clearTimeout(killer);
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    });
    if (typeof input === 'string' || Buffer.isBuffer(input)) {
      child.stdin.end(input);
    } else {
      let left = input.length;
      if (left === 0) child.stdin.end();
      for (const piece of input) {
        void Promise.resolve(piece.after).then(() => {
          if (closed) return;
          timers.push(
            setTimeout(() => {
              if (!child.stdin.destroyed) child.stdin.write(piece.data);
              if (--left === 0 && !child.stdin.destroyed) child.stdin.end();
            }, piece.afterMs),
          );
        });
      }
    }
  });
}

/** Runs the real send_nsca. */
export function sendNsca(args: readonly string[], input?: CommandInput, timeoutMs?: number): Promise<CommandResult> {
  return runCommand(SEND_NSCA, args, input, timeoutMs);
}

/** Runs the built poets-send-nsca with this Node. */
export function poetsSendNsca(args: readonly string[], input?: CommandInput, timeoutMs?: number): Promise<CommandResult> {
  return runCommand(process.execPath, [POETS_SEND_NSCA, ...args], input, timeoutMs);
}
