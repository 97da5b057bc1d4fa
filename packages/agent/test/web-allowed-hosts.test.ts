// WEBServer's allowed hosts go through server-tcp's one matcher, as NRPEServer's do: IPv4 and IPv6, CIDR.
import { describe, expect, it } from 'vitest';
import { hostAllowed } from '@poets/agent';

describe('WEBServer allowed hosts', () => {
  it('matches IPv4 and IPv6 addresses and CIDR blocks, and localhost as both loopbacks', () => {
    const allowed = ['10.0.0.0/8', '2001:db8::/32', 'localhost'];
    expect(hostAllowed('10.1.2.3', allowed)).toBe(true);
    expect(hostAllowed('11.1.2.3', allowed)).toBe(false);
    expect(hostAllowed('2001:db8:1::7', allowed)).toBe(true);
    expect(hostAllowed('2001:db9::7', allowed)).toBe(false);
    expect(hostAllowed('127.0.0.1', allowed)).toBe(true);
    expect(hostAllowed('::1', allowed)).toBe(true);
    expect(hostAllowed('::ffff:10.9.9.9', allowed)).toBe(true);
  });

  it('allows everyone when the list is empty, as NSClient++ does', () => {
    expect(hostAllowed('192.0.2.1', [])).toBe(true);
  });
});
