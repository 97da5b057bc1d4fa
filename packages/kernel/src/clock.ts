import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

/** Epoch time in seconds with sub-millisecond precision, monotonic within the process (POE's `time()`). */
export function time(): number {
  return (origin + performance.now()) / 1000;
}
