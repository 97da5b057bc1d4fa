// Session churn (100,000 created and collected) and the memory an idle session holds
// (100,000 kept alive by aliases). Needs node --expose-gc for the memory figure.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { compare, fmt, median, RUNS, report } from './lib.mjs';

const N = 100_000;
const churnStates = { _start: () => {}, _stop: () => {} };

async function churn() {
  const kernel = new Kernel();
  for (let i = 0; i < N; i++) Session.create({ kernel, inline_states: churnStates, heap: { i } });
  await kernel.run();
}

/** The same bookkeeping without a kernel: an object per session in an ID map, then removed. */
function bareChurn() {
  const table = new Map();
  for (let i = 0; i < N; i++) {
    const session = { id: i + 1, heap: { i }, states: churnStates, parent: null, refs: 0 };
    table.set(session.id, session);
    churnStates._start([session]);
  }
  for (const [id, session] of table) {
    churnStates._stop([session]);
    table.delete(id);
  }
}

const idleStates = { _start: (_) => void _[KERNEL].alias_set(`idle-${_[ARG0]}`) };

function heapUsed() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

function idleSessionBytes() {
  const kernel = new Kernel();
  const before = heapUsed();
  for (let i = 0; i < N; i++) Session.create({ kernel, inline_states: idleStates, args: [i] });
  kernel.run_one_timeslice(); // the creation-time garbage-collection events
  const bytes = (heapUsed() - before) / N;
  kernel.stop();
  return bytes;
}

function bareIdleBytes() {
  const before = heapUsed();
  const table = new Map();
  const aliases = new Map();
  for (let i = 0; i < N; i++) {
    const session = { id: i + 1, heap: {}, states: idleStates, aliases: [`idle-${i}`] };
    table.set(session.id, session);
    aliases.set(session.aliases[0], session);
  }
  const bytes = (heapUsed() - before) / N;
  table.clear();
  aliases.clear();
  return bytes;
}

export async function run() {
  const rates = await compare(N, churn, bareChurn);
  const ratio = report('sessions created+collected (100k)', 'ses/s', rates, undefined, 'bare object in an ID map');
  const rate = rates.ours;
  if (typeof globalThis.gc !== 'function') {
    console.log('memory per idle session: run with node --expose-gc');
    return ratio;
  }
  const ours = [];
  const bare = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(idleSessionBytes());
    bare.push(bareIdleBytes());
  }
  const bytes = median(ours);
  console.log(
    `${'memory per idle session (100k)'.padEnd(34)} ${bytes.toFixed(0).padStart(8)} B      ${'bare object + alias entry'.padEnd(28)} ${median(bare).toFixed(0).padStart(8)} B      ${bytes <= 1024 ? 'ok' : 'ABOVE'} (target ≤ 1024 B); churn ${fmt(rate)} ses/s ${rate >= 300_000 ? 'ok' : 'BELOW'} (target ≥ 300k/s)`,
  );
  return ratio;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
