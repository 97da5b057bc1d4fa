// npm run bench: every benchmark, each figure beside a baseline measured in the same run.
// BENCH_RUNS (default 5) sets how many alternating runs each median is taken over.
import { RUNS } from './lib.mjs';

const suites = ['yield-loop', 'ping-pong', 'call-loop', 'timers', 'sessions', 'line-filter', 'echo', 'tcp-server', 'nsca', 'nsca-daemon', 'faults', 'nsca-attacks', 'snmp', 'agent', 'agent-protobuf', 'agent-nats', 'ikc', 'net-server', 'agent-nsca', 'external-scripts', 'scheduler', 'nrpe', 'net-server-hup', 'agent-page', 'agent-web'];
const only = process.argv.slice(2);

console.log(`poets benchmarks — node ${process.version}, medians of ${RUNS} runs (BENCH_RUNS to change)`);
console.log(`${'figure'.padEnd(34)} ${'poets'.padStart(8)}         ${'baseline (same run)'.padEnd(28)} ${''.padStart(8)}`);
for (const name of suites) {
  if (only.length > 0 && !only.includes(name)) continue;
  const suite = await import(`./${name}.mjs`);
  await suite.run();
}
