// Listen endpoints (Net::Server's several ports, as `listen`) and the packed remote_addr.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packAddress } from '@poets/server-tcp';
import { endpointsOf } from '../src/endpoints.js';

describe('endpoints', () => {
  it('without listen: one endpoint from Address, Port, Domain (AF_INET, port 0, any address by default)', () => {
    expect(endpointsOf({}, 'x')).toEqual([{ domain: 'AF_INET', unix: false, address: undefined, port: 0, tls: undefined }]);
    expect(endpointsOf({ Address: '127.0.0.1', Port: 7 }, 'x')[0]).toMatchObject({ address: '127.0.0.1', port: 7 });
    expect(endpointsOf({ Hostname: 'localhost' }, 'x')[0]!.address).toBe('localhost');
    expect(endpointsOf({ Domain: 'AF_UNIX', Address: '/tmp/s' }, 'x')[0]).toMatchObject({ unix: true, address: '/tmp/s' });
  });

  it("listen entries take what they leave out from the top level (the address only within its own domain)", () => {
    const list = endpointsOf(
      { Address: '127.0.0.1', Port: 9000, listen: [{}, { Port: 9001 }, { Domain: 'AF_INET6', Address: '::1' }, { Domain: 'AF_INET6' }, { Hostname: 'localhost' }] },
      'x',
    );
    expect(list.map((e) => [e.domain, e.address, e.port])).toEqual([
      ['AF_INET', '127.0.0.1', 9000],
      ['AF_INET', '127.0.0.1', 9001],
      ['AF_INET6', '::1', 9000],
      ['AF_INET6', undefined, 9000],
      ['AF_INET', 'localhost', 9000],
    ]);
  });

  it('packs IPv4 addresses in 4 bytes', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), (o) => packAddress(o.join('.'))!.equals(Buffer.from(o))),
    );
  });

  it('packs IPv6 addresses in 16 bytes, compressed or not, with an IPv4 tail or a zone', () => {
    expect(packAddress('::1')!.toString('hex')).toBe('00000000000000000000000000000001');
    expect(packAddress('::')!.toString('hex')).toBe('0'.repeat(32));
    expect(packAddress('2001:db8::ff00:42:8329')!.toString('hex')).toBe('20010db8000000000000ff0000428329');
    expect(packAddress('::ffff:127.0.0.1')!.toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(packAddress('fe80::1%eth0')!.toString('hex')).toBe('fe800000000000000000000000000001');
    expect(packAddress(undefined)).toBeUndefined();
    fc.assert(
      fc.property(fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16)).join(':');
        const bytes = Buffer.alloc(16);
        groups.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
        return packAddress(full)!.equals(bytes);
      }),
    );
  });
});
