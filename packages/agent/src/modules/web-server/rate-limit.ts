// WEBServer's limit on wrong credentials, as NSClient++'s: per peer address, `max failures`
// consecutive failures (default 10) block the address for `block seconds` (default 60); a
// success forgets the address; 0 failures turns the limit off. poets also bounds the table.

export interface RateLimitOptions {
  maxFailures?: number;
  blockSeconds?: number;
  /** Addresses remembered at most; the least recently failed is forgotten first. Default 10 000. */
  maxPeers?: number;
  now?: () => number;
}

export class AuthRateLimiter {
  private readonly peers = new Map<string, { failures: number; blockedUntil: number }>();
  readonly maxFailures: number;
  readonly blockSeconds: number;
  private readonly maxPeers: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.blockSeconds = options.blockSeconds ?? 60;
    this.maxPeers = options.maxPeers ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds `peer` stays blocked; 0 when it is not. */
  blockedFor(peer: string): number {
    if (this.maxFailures <= 0 || this.peers.size === 0) return 0;
    const entry = this.peers.get(peer);
    if (entry === undefined) return 0;
    const left = entry.blockedUntil - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  /** Counts a failure; true when it blocks the peer now. */
  failure(peer: string): boolean {
    if (this.maxFailures <= 0) return false;
    const entry = this.peers.get(peer) ?? { failures: 0, blockedUntil: 0 };
    this.peers.delete(peer);
    if (this.peers.size >= this.maxPeers) {
      const oldest = this.peers.keys().next();
      if (oldest.done !== true) this.peers.delete(oldest.value);
    }
    this.peers.set(peer, entry);
    entry.failures++;
    if (entry.failures < this.maxFailures) return false;
    entry.blockedUntil = this.now() + this.blockSeconds * 1000;
    entry.failures = 0;
    return true;
  }

  success(peer: string): void {
    if (this.peers.size !== 0) this.peers.delete(peer);
  }
}
