import { Netmask } from 'netmask';

/**
 * The access list: peers allowed to connect (POE::Component::Server::NSCA's `access`, Net::Netmask
 * objects there, Netmask objects or CIDR strings here). An empty or absent list allows everyone.
 * The netmask package knows IPv4 only: an IPv4-mapped IPv6 peer (::ffff:a.b.c.d) is checked by its
 * IPv4 address, and any other IPv6 peer is refused by a non-empty list.
 */
export class AccessList {
  private readonly nets: readonly Netmask[];

  constructor(access: readonly (Netmask | string)[] | undefined) {
    this.nets = (access ?? []).map((net) => (typeof net === 'string' ? new Netmask(net) : net));
  }

  allows(address: string | undefined): boolean {
    if (this.nets.length === 0) return true;
    if (address === undefined) return false;
    const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ipv4)) return false;
    return this.nets.some((net) => net.contains(ipv4));
  }
}
