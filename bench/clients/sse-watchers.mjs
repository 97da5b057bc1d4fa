// A separate process of live page clients, so their CPU is not counted as the agent's: opens
// `count` server-sent-event streams on `url`, prints `ready` once each has its snapshot, and on
// stdin's end prints the deltas each received (min and max) and exits.
import { get, Agent } from 'node:http';

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const pool = new Agent({ maxSockets: Infinity });
const deltas = new Array(count).fill(0);
let ready = 0;
for (let i = 0; i < count; i++) {
  get(url, { agent: pool }, (res) => {
    let first = true;
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      if (first) {
        first = false;
        if (++ready === count) process.stdout.write('ready\n');
      }
      deltas[i] += chunk.split('event: delta').length - 1;
    });
  }).on('error', (error) => {
    process.stderr.write(`client ${i}: ${error.message}\n`);
    process.exit(1);
  });
}
process.stdin.resume();
process.stdin.on('end', () => {
  process.stdout.write(`${JSON.stringify({ min: Math.min(...deltas), max: Math.max(...deltas) })}\n`);
  process.exit(0);
});
