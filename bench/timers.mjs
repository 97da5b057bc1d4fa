// 200,000 timers set with random delays, half removed, the rest fired; beside a bare binary heap
// (with removal by index, as the kernel's) driven by one setTimeout.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { compare, report } from './lib.mjs';

const N = 200_000;
const delays = Array.from({ length: N }, (_, i) => ((i * 7919) % 1000) / 1e6); // 0–1 ms, spread
const OPS = N + N / 2 + N / 2; // sets, removes, fires

async function poets() {
  const kernel = new Kernel();
  let fired = 0;
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        const k = _[KERNEL];
        const ids = new Array(N);
        for (let i = 0; i < N; i++) ids[i] = k.delay_set('due', delays[i], i);
        for (let i = 0; i < N; i += 2) k.alarm_remove(ids[i]);
      },
      due: (_) => {
        fired += _[ARG0] & 1;
      },
    },
  });
  await kernel.run();
  if (fired !== N / 2) throw new Error(`fired ${fired}`);
}

class BareHeap {
  items = [];
  push(item) {
    item.index = this.items.length;
    this.items.push(item);
    this.up(item.index);
  }
  remove(item) {
    const last = this.items.pop();
    if (last !== item) {
      this.items[item.index] = last;
      last.index = item.index;
      this.up(last.index);
      this.down(last.index);
    }
  }
  pop() {
    const top = this.items[0];
    this.remove(top);
    return top;
  }
  less(a, b) {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }
  up(i) {
    const items = this.items;
    const item = items[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(item, items[p])) break;
      items[i] = items[p];
      items[i].index = i;
      i = p;
    }
    items[i] = item;
    item.index = i;
  }
  down(i) {
    const items = this.items;
    const n = items.length;
    const item = items[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(items[c + 1], items[c])) c++;
      if (!this.less(items[c], item)) break;
      items[i] = items[c];
      items[i].index = i;
      i = c;
    }
    items[i] = item;
    item.index = i;
  }
}

function bare() {
  return new Promise((resolve) => {
    const heap = new BareHeap();
    let fired = 0;
    const handler = (args) => {
      fired += args[0] & 1;
    };
    const now = performance.now() / 1000;
    const items = new Array(N);
    for (let i = 0; i < N; i++) heap.push((items[i] = { time: now + delays[i], seq: i, fn: handler, args: [i], index: -1 }));
    for (let i = 0; i < N; i += 2) heap.remove(items[i]);
    const drain = () => {
      const t = performance.now() / 1000;
      while (heap.items.length > 0 && heap.items[0].time <= t) {
        const item = heap.pop();
        item.fn(item.args);
      }
      if (heap.items.length > 0) setTimeout(drain, Math.max(0, (heap.items[0].time - t) * 1000));
      else resolve(fired);
    };
    setTimeout(drain, 0);
  });
}

export async function run() {
  return report('timers: 200k set, 100k removed, fired', 'ops/s', await compare(OPS, poets, bare), 0.5, 'bare heap + one setTimeout');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
