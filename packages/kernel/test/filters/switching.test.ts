// Changing filters in mid-stream, the way a wheel's set_filter does:
// whatever the old filter has not parsed moves to the new one.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { FilterBlock, FilterLine, FilterReference, type Filter, type LineOptions } from '../../src/filters/index.js';

type Mode = 'line' | 'reference' | 'block';
type AnyByteFilter = Filter<unknown, unknown>;

const script = [
  'do line', 'kyriel', 'do reference', 'coral', 'do reference', 'drforr', 'do block', 'fimmtiu',
  'do block', 'sungo', 'do reference', 'dynweb', 'do line', 'sky', 'do block', 'braderuna', 'do line',
  'fletch', 'done',
];

function make(mode: Mode, line: LineOptions): AnyByteFilter {
  if (mode === 'line') return new FilterLine(line) as AnyByteFilter;
  if (mode === 'reference') return new FilterReference() as AnyByteFilter;
  return new FilterBlock() as AnyByteFilter;
}

// References travel wrapped, as POE's test sends scalar references.
const wrap = (mode: Mode, step: string): unknown => (mode === 'reference' ? { payload: step } : step);
const unwrap = (mode: Mode, record: unknown): string =>
  mode === 'reference' ? (record as { payload: string }).payload : Buffer.isBuffer(record) ? record.toString() : String(record);

/** Everything the sender writes, switching its output filter after each "do". */
function sent(line: LineOptions): Buffer {
  let mode: Mode = 'line';
  let filter = make(mode, line);
  const chunks: Buffer[] = [];
  for (const step of script) {
    for (const chunk of filter.put([wrap(mode, step)])) chunks.push(Buffer.from(chunk));
    const next = /^do (\w+)/.exec(step)?.[1] as Mode | undefined;
    if (next !== undefined) filter = make((mode = next), line);
  }
  return Buffer.concat(chunks);
}

/** What the receiver reads from `chunks`, switching its input filter after each "do". */
function received(chunks: Buffer[], line: LineOptions): string[] {
  let mode: Mode = 'line';
  let filter = make(mode, line);
  const got: string[] = [];
  for (const chunk of chunks) {
    filter.get_one_start([chunk]);
    for (let record = filter.get_one(); record.length > 0; record = filter.get_one()) {
      const step = unwrap(mode, record[0]);
      got.push(step);
      const next = /^do (\w+)/.exec(step)?.[1] as Mode | undefined;
      if (next !== undefined) {
        const pending = filter.get_pending();
        filter = make((mode = next), line);
        if (pending !== undefined) filter.get_one_start(pending);
      }
    }
  }
  expect(filter.get_pending()).toBeUndefined();
  return got;
}

describe('switching filters in mid-stream', () => {
  it('unpacks a stream written with changing filters and read all at once', () => {
    expect(received([sent({})], {})).toEqual(script);
  });

  it('unpacks it arriving one byte at a time', () => {
    // A literal CR LF: with POE's any-newline default, a CR that is the last
    // byte read cannot yet say whether an LF (for the old filter) follows.
    const line = { Literal: '\r\n' };
    const bytes = sent(line);
    const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(received(single, line)).toEqual(script);
  });
});
