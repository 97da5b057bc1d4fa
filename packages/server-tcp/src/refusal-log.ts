import type { LogLevel, Logger } from '@poets/kernel';

export interface RefusalLogOptions {
  /** Where the lines go (the component's logger, which names the component). */
  logger: Logger;
  /** How long refusals of one kind from one peer are counted before a summary line (ms, default 10 s). */
  periodMs?: number;
  /** The level of refusal and summary lines (default 'warning'). */
  level?: LogLevel;
  /** Distinct peer-and-kind pairs counted at once; past it, new pairs are counted under `other peers` (default 10,000). */
  maxPeers?: number;
}

interface Count {
  address: string;
  kind: string;
  noun: string;
  /** Refusals since the last line (the first one is logged at once and not counted here). */
  count: number;
  since: number;
}

const OTHER_PEERS = 'other peers';

/**
 * Refusal logging that no flood can turn into a full disk: the first refusal of each kind from
 * each peer address is logged at once, with the peer; the ones that follow within a period are
 * counted, and one summary line per peer and kind ends the period (`nsca: refused 8,117
 * connections from 127.0.0.1 in 10 s: bad version`). A pair that stays quiet for a whole period is forgotten,
 * so its next refusal is logged at once again. Shared by Server::TCP and Server::NSCA.
 */
export class RefusalLog {
  private readonly logger: Logger;
  private readonly periodMs: number;
  private readonly level: LogLevel;
  private readonly maxPeers: number;
  private readonly counts = new Map<string, Count>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RefusalLogOptions) {
    this.logger = options.logger;
    this.periodMs = options.periodMs ?? 10_000;
    this.level = options.level ?? 'warning';
    this.maxPeers = options.maxPeers ?? 10_000;
  }

  /**
   * One refusal: `kind` is what summaries group by ("bad version", "not in the access list"),
   * `noun` what was refused ("connection", "packet"), `message` the line logged for the first one
   * (a function is called only when the line is written: a flood builds no strings).
   */
  refuse(peer: { address: string; port?: number }, kind: string, noun: string, message: string | (() => string)): void {
    let key = `${peer.address}\0${kind}`;
    let count = this.counts.get(key);
    if (count === undefined && this.counts.size >= this.maxPeers) {
      key = `${OTHER_PEERS}\0${kind}`;
      count = this.counts.get(key);
      if (count === undefined) {
        count = { address: OTHER_PEERS, kind, noun, count: 1, since: Date.now() };
        this.counts.set(key, count);
        this.schedule();
        return;
      }
    }
    if (count === undefined) {
      this.counts.set(key, { address: peer.address, kind, noun, count: 0, since: Date.now() });
      this.logger.log(this.level, typeof message === 'function' ? message() : message, { peer });
      this.schedule();
      return;
    }
    count.count++;
  }

  /** Writes the pending summaries now (at shutdown) and forgets every pair. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const count of this.counts.values()) if (count.count > 0) this.summarize(count, Date.now());
    this.counts.clear();
  }

  /** How many peer-and-kind pairs are being counted (for tests and memory figures). */
  get size(): number {
    return this.counts.size;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(this.tick, this.periodMs);
    // a summary due is no reason to keep the process alive: flush() writes it at shutdown
    this.timer.unref();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = Date.now();
    for (const [key, count] of this.counts) {
      if (now - count.since < this.periodMs) continue;
      if (count.count === 0) {
        this.counts.delete(key);
        continue;
      }
      this.summarize(count, now);
      count.count = 0;
      count.since = now;
    }
    if (this.counts.size > 0) this.schedule();
  };

  private summarize(count: Count, now: number): void {
    const seconds = Math.max(1, Math.round((now - count.since) / 1000));
    const noun = count.count === 1 ? count.noun : `${count.noun}s`;
    // the address is in the text (not the context): the line reads the same through every logger
    this.logger.log(this.level, `refused ${count.count.toLocaleString('en-US')} ${noun} from ${count.address} in ${seconds} s: ${count.kind}`);
  }
}
