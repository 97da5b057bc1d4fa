import { AddressMatcher, type NetmaskLike } from '@poets/server-tcp';

/**
 * The access list: peers allowed to connect (POE::Component::Server::NSCA's `access`, Net::Netmask
 * objects there, Netmask objects or CIDR strings here, IPv4 or IPv6). An empty or absent list
 * allows everyone. Matching is Server::TCP's AddressMatcher (net.BlockList): an IPv4-mapped IPv6
 * peer (::ffff:a.b.c.d) is in the IPv4 blocks that hold a.b.c.d, and a peer is never compared
 * with a block of the other family.
 */
export class AccessList {
  private readonly matcher: AddressMatcher;

  constructor(access: readonly (NetmaskLike | string)[] | undefined) {
    this.matcher = new AddressMatcher(access ?? [], 'access');
  }

  allows(address: string | undefined): boolean {
    if (this.matcher.size === 0) return true;
    if (address === undefined) return false;
    return this.matcher.has(address);
  }
}
