import { Resolver } from 'node:dns';
import { isIPv4 } from 'node:net';
import type { Duplex } from 'node:stream';
import { AddressMatcher } from './address-matcher.js';

/** What the Net::Server-style hooks learn of a connection (Net::Server's peeraddr, peerhost, peerport, sockaddr, sockport). */
export interface ConnectionInfo {
  /** The peer's address as accepted (an IPv4 peer of a dual-stack listener reads `::ffff:a.b.c.d`); undefined for AF_UNIX. */
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** The peer's name, when `reverseLookups` is on and the lookup found one. */
  remoteHost?: string | undefined;
  /** The listening address and port the connection came in on. */
  localAddress: string | undefined;
  localPort: number | undefined;
  /** The accepted socket (not yet wrapped in TLS, not yet read). */
  socket: Duplex;
}

/** Resolves an address to a host name (undefined when it has none). */
export type ReverseLookup = (address: string) => Promise<string | undefined>;

/** Net::Server's access control, in the port's camelCase names. */
export interface AccessOptions {
  /** CIDR blocks (IPv4 or IPv6) a client must be in, unless it matches `allow` (Net::Server's cidr_allow). */
  cidrAllow?: readonly string[];
  /** CIDR blocks whose clients are refused (cidr_deny). */
  cidrDeny?: readonly string[];
  /** Patterns a client's address (or, with reverseLookups, its name) must match; anchored at both ends as in Net::Server (allow). */
  allow?: readonly (RegExp | string)[];
  /** Patterns whose clients are refused (deny). */
  deny?: readonly (RegExp | string)[];
  /** Look up each client's host name before checking `allow`/`deny` (reverse_lookups). */
  reverseLookups?: boolean;
  /** How names are looked up; default: a DNS PTR query with a 2-second timeout. */
  reverseLookup?: ReverseLookup;
}

/** Why a client was let in or refused. */
export interface Verdict {
  allowed: boolean;
  reason: string;
}

/**
 * Net::Server's allow_deny: with no rule every client is allowed; otherwise a client matching a
 * `deny` pattern or a `cidrDeny` block is refused, then one matching an `allow` pattern or a
 * `cidrAllow` block is allowed, and every other client is refused. An IPv4 address a dual-stack
 * listener reports as `::ffff:a.b.c.d` is checked as `a.b.c.d`. Unix-domain clients are always allowed.
 */
export class AccessControl {
  readonly reverseLookups: boolean;
  readonly lookup: ReverseLookup;
  private readonly allow: RegExp[];
  private readonly deny: RegExp[];
  private readonly cidrAllow: AddressMatcher;
  private readonly cidrDeny: AddressMatcher;

  private constructor(options: AccessOptions) {
    this.allow = patterns(options.allow, 'allow');
    this.deny = patterns(options.deny, 'deny');
    this.cidrAllow = new AddressMatcher(options.cidrAllow ?? [], 'cidrAllow');
    this.cidrDeny = new AddressMatcher(options.cidrDeny ?? [], 'cidrDeny');
    this.reverseLookups = options.reverseLookups === true;
    this.lookup = options.reverseLookup ?? dnsReverse;
  }

  /** The access control the options ask for; undefined when they set no rule and no lookup. */
  static from(options: AccessOptions): AccessControl | undefined {
    const control = new AccessControl(options);
    return control.hasRules || control.reverseLookups ? control : undefined;
  }

  get hasRules(): boolean {
    return this.allow.length + this.deny.length + this.cidrAllow.size + this.cidrDeny.size > 0;
  }

  /** Net::Server's allow_deny for one peer. `address` undefined is a Unix-domain peer. */
  check(address: string | undefined, host: string | undefined): Verdict {
    if (address === undefined) return { allowed: true, reason: 'unix-domain clients are not checked' };
    if (!this.hasRules) return { allowed: true, reason: 'no access rules' };
    const ip = unmapped(address);
    const names = this.reverseLookups && host !== undefined ? [host, ip] : [ip];
    for (const pattern of this.deny) {
      const hit = names.find((name) => pattern.test(name));
      if (hit !== undefined) return { allowed: false, reason: `'${hit}' matches deny ${pattern.source}` };
    }
    const denied = this.cidrDeny.find(ip);
    if (denied !== undefined) return { allowed: false, reason: `${ip} is in cidrDeny ${denied}` };
    for (const pattern of this.allow) {
      const hit = names.find((name) => pattern.test(name));
      if (hit !== undefined) return { allowed: true, reason: `'${hit}' matches allow ${pattern.source}` };
    }
    const allowed = this.cidrAllow.find(ip);
    if (allowed !== undefined) return { allowed: true, reason: `${ip} is in cidrAllow ${allowed}` };
    return { allowed: false, reason: `${host !== undefined && this.reverseLookups ? `${host} (${ip})` : ip} matches no allow or cidrAllow rule` };
  }
}

/** `::ffff:a.b.c.d` (an IPv4 peer of a dual-stack socket) as `a.b.c.d`. */
export function unmapped(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7);
  return address;
}

function patterns(list: readonly (RegExp | string)[] | undefined, what: string): RegExp[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new TypeError(`${what} must be a list of patterns`);
  return list.map((pattern) => {
    if (typeof pattern === 'string') return new RegExp(`^(?:${pattern})$`);
    if (pattern instanceof RegExp) return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
    throw new TypeError(`${what}: ${String(pattern)} is neither a RegExp nor a string`);
  });
}

let resolver: Resolver | undefined;

/** A PTR lookup bounded in time: undefined when the address has no name or the lookup fails. */
const dnsReverse: ReverseLookup = (address) => {
  resolver ??= new Resolver({ timeout: 2000, tries: 1 });
  return new Promise((resolve) => {
    resolver!.reverse(unmapped(address), (error, names) => resolve(error === null && names.length > 0 ? names[0] : undefined));
  });
};
