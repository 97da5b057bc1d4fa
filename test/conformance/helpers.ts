// Shared helpers for the POE conformance suite (not a test file).
import { readFileSync } from 'node:fs';
import type { Kernel } from '@poets/kernel';
import { runBounded } from '../support/index.js';

export { runBounded };


/** What `runBounded` rejected with, or undefined when it resolved. */
export async function runOutcome(kernel: Kernel, ms = 3000): Promise<unknown> {
  try {
    await runBounded(kernel, ms);
    return undefined;
  } catch (error) {
    return error ?? new Error('run() rejected with nothing');
  }
}

/** Linux only: whether this process currently ignores `signal` (from /proc/self/status SigIgn). */
export function signalIgnored(signalNumber: number): boolean | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const line = /^SigIgn:\s*([0-9a-f]+)$/im.exec(status);
  if (!line) return undefined;
  return ((BigInt(`0x${line[1]}`) >> BigInt(signalNumber - 1)) & 1n) === 1n;
}

/** A deterministic pseudo-random sequence (an LCG), so fills are the same on every run. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}
