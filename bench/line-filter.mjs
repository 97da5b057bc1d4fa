// Line parsing throughput: FilterLine.get over 64 KiB chunks of 64-byte lines, beside a bare
// split loop (Buffer.indexOf, toString, carry the partial line) over the same chunks.
import { FilterLine } from '@poets/kernel';
import { compare, report } from './lib.mjs';

const LINES = 1_000_000;
const data = Buffer.from(`${'y'.repeat(63)}\n`.repeat(LINES), 'latin1');
const CHUNK = 64 * 1024;
const chunks = [];
for (let i = 0; i < data.length; i += CHUNK) chunks.push(data.subarray(i, i + CHUNK));
const MB = data.length / (1024 * 1024);

function poets() {
  const filter = new FilterLine({ Literal: '\n' });
  let count = 0;
  for (const chunk of chunks) count += filter.get([chunk]).length;
  if (count !== LINES) throw new Error(`got ${count} lines`);
}

function bare() {
  let rest;
  let count = 0;
  for (const chunk of chunks) {
    const buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    let start = 0;
    let nl;
    const lines = [];
    while ((nl = buf.indexOf(10, start)) !== -1) {
      lines.push(buf.toString('utf8', start, nl));
      start = nl + 1;
    }
    count += lines.length;
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (count !== LINES) throw new Error(`got ${count} lines`);
}

export async function run() {
  return report('Line filter parse (64 MB)', 'MB/s', await compare(MB, poets, bare), 0.7, 'bare indexOf split loop');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
