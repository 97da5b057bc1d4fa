// check_cpu's history: /proc/stat read once a second by a kernel alarm in the module's session,
// kept for the longest window asked for (bounded), so a `time=5m` load is the last five minutes'.
import { parseProcStat, read, type CpuCounters } from './proc.js';

interface Sample { readonly at: number; readonly cores: readonly CpuCounters[] }

/** Load per core over a window, from the samples kept. */
export class CpuSampler {
  private readonly samples: Sample[] = [];
  private waiting: Array<() => void> = [];

  constructor(private readonly maxSeconds: number, private readonly readStat: () => string = () => read('/proc/stat')) {}

  /** Takes one sample (the alarm's handler); drops those older than the buffer. */
  sample(now = Date.now() / 1000): void {
    this.samples.push({ at: now, cores: parseProcStat(this.readStat()) });
    while (this.samples.length > 1 && now - this.samples[0]!.at > this.maxSeconds + 1) this.samples.shift();
    if (this.samples.length >= 2) for (const wake of this.waiting.splice(0)) wake();
  }

  /** Resolves once two samples exist (a query right after load waits for the first alarm, one second at most). */
  ready(): Promise<void> {
    if (this.samples.length >= 2) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Wakes whoever waits (unload): they answer over what there is. */
  release(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  get count(): number {
    return this.samples.length;
  }

  /** Busy percent per core between now and the sample closest to `seconds` ago (the oldest kept when younger). */
  load(seconds: number, now = Date.now() / 1000): Array<{ core: string; load: number }> {
    const latest: Sample = { at: now, cores: parseProcStat(this.readStat()) };
    let base = this.samples[0];
    for (const s of this.samples) if (now - s.at >= seconds) base = s;
    if (base === undefined) return latest.cores.map((c) => ({ core: c.core, load: 0 }));
    return latest.cores.map((c) => {
      const old = base.cores.find((o) => o.core === c.core);
      const total = old === undefined ? 0 : c.total - old.total;
      const busy = old === undefined ? 0 : c.busy - old.busy;
      return { core: c.core, load: total > 0 ? Math.round((busy / total) * 100) : 0 };
    });
  }
}
