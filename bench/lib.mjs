// Shared helpers for the benchmarks: timing, medians and the report line format.
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

export const RUNS = Number(process.env.BENCH_RUNS ?? 5);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Seconds taken by `fn` (sync or async). */
export async function seconds(fn) {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Runs `ours` and `baseline` alternately RUNS times; returns the median rates (units per second). */
export async function compare(units, ours, baseline) {
  const oursRates = [];
  const baseRates = [];
  for (let i = 0; i < RUNS; i++) {
    baseRates.push(units / (await seconds(baseline)));
    oursRates.push(units / (await seconds(ours)));
  }
  return { ours: median(oursRates), baseline: median(baseRates) };
}

export function fmt(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(1);
}

/** One report line: the figure, the baseline measured in the same run, their ratio, and the target. */
export function report(name, unit, { ours, baseline }, target, baselineName) {
  const ratio = ours / baseline;
  const verdict = target === undefined ? '' : ratio >= target ? `  ok (target ≥ ${(target * 100).toFixed(0)}%)` : `  BELOW target ≥ ${(target * 100).toFixed(0)}%`;
  console.log(
    `${name.padEnd(34)} ${fmt(ours).padStart(8)} ${unit}   ${baselineName.padEnd(28)} ${fmt(baseline).padStart(8)} ${unit}   ratio ${(ratio * 100).toFixed(1)}%${verdict}`,
  );
  return ratio;
}

let lastPort = 20000 + (process.pid % 8000);

/**
 * A TCP port free on 127.0.0.1 for a benchmark server. Taken below 32768, the start of Linux's
 * ephemeral range, where the load generators' thousands of client ports would collide with it.
 */
export async function freePort() {
  for (let tries = 0; tries < 1000; tries++) {
    lastPort = lastPort >= 32000 ? 20000 : lastPort + 1;
    const port = lastPort;
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found below 32000');
}
