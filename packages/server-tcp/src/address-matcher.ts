import { BlockList, isIP } from 'node:net';
import { Netmask } from 'netmask';

/** A block as a Netmask object describes it (Net::Netmask's base and bits): what `AddressMatcher` also takes. */
export interface NetmaskLike {
  base: string;
  bitmask: number;
}

/** One block of an address list, as it was given (for log lines) and as it is matched. */
interface Rule {
  text: string;
  list: BlockList;
}

/**
 * One access matcher for every component (Server::TCP's cidrAllow/cidrDeny, Server::NSCA's
 * `access`, nscad's allowed_hosts): IPv4 and IPv6 blocks, matched by Node's net.BlockList, which
 * also matches an IPv4-mapped IPv6 peer (`::ffff:a.b.c.d`, what a dual-stack listener reports)
 * against IPv4 blocks and an IPv4 peer against `::ffff:` blocks. A peer of one family is never
 * compared bit by bit with a block of the other (the netmask package throws there).
 *
 * Blocks are CIDR strings in every form the netmask package reads (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`,
 * a bare address, `::1/128`), or Netmask objects.
 */
export class AddressMatcher {
  private readonly rules: Rule[];

  /** Throws a TypeError naming `what` for an entry that is not an address block. */
  constructor(entries: readonly (string | NetmaskLike)[] = [], what = 'address list') {
    if (!Array.isArray(entries)) throw new TypeError(`${what} must be a list of CIDR blocks`);
    this.rules = entries.map((entry) => ruleOf(entry, what));
  }

  get size(): number {
    return this.rules.length;
  }

  /** The block (as given) that holds `address`, or undefined; an address that is not an IP address is in none. */
  find(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return undefined;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    for (const rule of this.rules) if (rule.list.check(address, type)) return rule.text;
    return undefined;
  }

  /** Whether `address` is in one of the blocks. */
  has(address: string): boolean {
    return this.find(address) !== undefined;
  }
}

function ruleOf(entry: string | NetmaskLike, what: string): Rule {
  let base: string;
  let bits: number;
  let text: string;
  if (typeof entry === 'string') {
    text = entry.trim();
    let mask: Netmask;
    try {
      mask = new Netmask(text);
    } catch (error) {
      throw new TypeError(`${what}: '${entry}' is not a CIDR block (${error instanceof Error ? error.message : String(error)})`);
    }
    base = mask.base;
    bits = mask.bitmask;
  } else if (typeof entry === 'object' && entry !== null && typeof entry.base === 'string' && typeof entry.bitmask === 'number') {
    base = entry.base;
    bits = entry.bitmask;
    text = `${base}/${bits}`;
  } else {
    throw new TypeError(`${what}: ${String(entry)} is neither a CIDR string nor a Netmask`);
  }
  const family = isIP(base);
  if (family === 0) throw new TypeError(`${what}: '${text}' has no IP address as its base`);
  const list = new BlockList();
  list.addSubnet(base, bits, family === 4 ? 'ipv4' : 'ipv6');
  return { text, list };
}
