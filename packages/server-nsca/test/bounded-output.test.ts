// --json's stdout when its reader stalls: bounded by bytes, the oldest results dropped and counted.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BoundedOutput } from '../src/daemon/bounded-output.js';

/** A stream whose reader takes nothing until `resume()`. */
function stalled() {
  const taken: Buffer[] = [];
  let pending: (() => void)[] = [];
  let open = false;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      taken.push(chunk);
      if (open) callback();
      else pending.push(callback);
    },
  });
  return {
    stream,
    taken,
    resume() {
      open = true;
      for (const callback of pending) callback();
      pending = [];
    },
  };
}

describe('BoundedOutput', () => {
  it('keeps at most maxBytes waiting while the reader stalls, drops the oldest, and writes the rest in order once it reads', async () => {
    const out = stalled();
    const logs: string[] = [];
    const output = new BoundedOutput(out.stream, 10_000, (l) => logs.push(l));
    const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(80) })}\n`;
    for (let i = 0; i < 2000; i++) output.write(line(i)); // ~190 KB
    const waiting = output.pending * line(0).length;
    expect(waiting).toBeLessThanOrEqual(10_000);
    expect(out.stream.writableLength).toBeLessThanOrEqual(1024 + line(0).length);
    expect(output.droppedLines).toBeGreaterThan(1500);
    expect(logs[0]).toMatch(/stdout is not being read; dropping the oldest results beyond 10000 bytes/);
    out.resume();
    expect(await output.close(5000)).toBe(0);
    const got = Buffer.concat(out.taken).toString().trimEnd().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    expect(got.length + output.droppedLines).toBe(2000);
    expect(got).toEqual([...got].sort((a, b) => a - b)); // in order
    expect(got.at(-1)).toBe(1999); // the newest kept
    expect(logs.at(-1)).toMatch(/stdout is read again; \d+ result\(s\) were dropped meanwhile/);
  });
});
