// WEBServer's session tokens, as NSClient++ keeps them: 32 letters and digits from a secure
// random source, each for one user, valid 8 hours, at most 4096 alive (each new one first drops
// the expired, then the oldest while the store is full).
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export interface TokenStoreOptions {
  /** How long a token is valid, in ms. Default 8 hours (NSClient++'s). */
  lifetime?: number;
  /** Tokens alive at most. Default 4096 (NSClient++'s). */
  maxTokens?: number;
  /** The clock, epoch ms. */
  now?: () => number;
}

/** A random token of `length` letters and digits. */
export function randomToken(length = 32): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export class TokenStore {
  // Insertion order is creation order, so the first entry is always the oldest.
  private readonly tokens = new Map<string, { user: string; created: number }>();
  readonly lifetime: number;
  readonly maxTokens: number;
  private readonly now: () => number;

  constructor(options: TokenStoreOptions = {}) {
    this.lifetime = options.lifetime ?? 8 * 3600 * 1000;
    this.maxTokens = options.maxTokens ?? 4096;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.tokens.size;
  }

  /** A new token for `user`. */
  issue(user: string): string {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (this.expired(entry.created, now)) this.tokens.delete(token);
    for (const token of this.tokens.keys()) {
      if (this.tokens.size < this.maxTokens) break;
      this.tokens.delete(token);
    }
    const token = randomToken();
    this.tokens.set(token, { user, created: now });
    return token;
  }

  /** The user a valid token is for; undefined (and forgotten) when it is unknown or expired. */
  userOf(token: string): string | undefined {
    const entry = this.tokens.get(token);
    if (entry === undefined) return undefined;
    if (this.expired(entry.created, this.now())) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.user;
  }

  revoke(token: string): boolean {
    return this.tokens.delete(token);
  }

  private expired(created: number, now: number): boolean {
    return created > now || now > created + this.lifetime;
  }
}
