// Net::Server's allow_deny, as AccessControl ports it; the CIDR matching checked against bit arithmetic.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AccessControl, unmapped } from '@poets/server-tcp';

const control = (options: Parameters<typeof AccessControl.from>[0]) => AccessControl.from(options)!;

describe('AccessControl (Net::Server allow_deny)', () => {
  it('no rules at all: no access control object, every client allowed', () => {
    expect(AccessControl.from({})).toBeUndefined();
    expect(AccessControl.from({ reverseLookups: true })!.check('10.0.0.1', undefined).allowed).toBe(true);
  });

  it('cidrAllow lets in only the listed blocks', () => {
    const c = control({ cidrAllow: ['127.0.0.0/8', '192.168.1.0/24'] });
    expect(c.check('127.0.0.1', undefined).allowed).toBe(true);
    expect(c.check('192.168.1.200', undefined).allowed).toBe(true);
    const refused = c.check('192.168.2.1', undefined);
    expect(refused.allowed).toBe(false);
    expect(refused.reason).toMatch(/192\.168\.2\.1 matches no allow or cidrAllow rule/);
  });

  it('deny and cidrDeny win over allow and cidrAllow', () => {
    const c = control({ cidrAllow: ['127.0.0.0/8'], cidrDeny: ['127.0.0.2/32'], deny: [/127\.0\.0\.3/] });
    expect(c.check('127.0.0.1', undefined).allowed).toBe(true);
    expect(c.check('127.0.0.2', undefined)).toEqual({ allowed: false, reason: '127.0.0.2 is in cidrDeny 127.0.0.2/32' });
    expect(c.check('127.0.0.3', undefined).reason).toMatch(/matches deny/);
  });

  it('with only deny rules, as in Net::Server, a client must still match an allow rule', () => {
    const c = control({ deny: ['10\\..*'] });
    expect(c.check('10.1.1.1', undefined).allowed).toBe(false);
    expect(c.check('127.0.0.1', undefined).allowed).toBe(false);
  });

  it('patterns are anchored at both ends, as Net::Server writes /^$pattern$/', () => {
    const c = control({ allow: ['127\\.0\\.0\\.1'] });
    expect(c.check('127.0.0.1', undefined).allowed).toBe(true);
    expect(c.check('127.0.0.10', undefined).allowed).toBe(false);
    expect(control({ allow: [/127\.0\.0\.1/g] }).check('127.0.0.1', undefined).allowed).toBe(true);
  });

  it('host patterns apply to the looked-up name only with reverseLookups', () => {
    const withLookups = control({ allow: [/.*\.example\.org/], reverseLookups: true });
    expect(withLookups.check('192.0.2.1', 'web.example.org').allowed).toBe(true);
    expect(withLookups.check('192.0.2.1', undefined).allowed).toBe(false);
    const without = control({ allow: [/.*\.example\.org/] });
    expect(without.check('192.0.2.1', 'web.example.org').allowed).toBe(false);
    expect(control({ deny: [/evil\..*/], allow: ['.*'], reverseLookups: true }).check('192.0.2.9', 'evil.example').allowed).toBe(false);
  });

  it('an IPv4 peer of a dual-stack listener (::ffff:a.b.c.d) is checked as IPv4', () => {
    expect(unmapped('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapped('::1')).toBe('::1');
    expect(control({ cidrAllow: ['127.0.0.0/8'] }).check('::ffff:127.0.0.1', undefined).allowed).toBe(true);
    expect(control({ allow: ['127\\.0\\.0\\.1'] }).check('::FFFF:127.0.0.1', undefined).allowed).toBe(true);
  });

  it('IPv6 blocks match IPv6 peers only', () => {
    const c = control({ cidrAllow: ['::1/128', '2001:db8::/32'] });
    expect(c.check('::1', undefined).allowed).toBe(true);
    expect(c.check('2001:db8::42', undefined).allowed).toBe(true);
    expect(c.check('2001:db9::1', undefined).allowed).toBe(false);
    expect(c.check('127.0.0.1', undefined).allowed).toBe(false);
  });

  it('unix-domain peers are never checked', () => {
    expect(control({ cidrAllow: ['10.0.0.0/8'] }).check(undefined, undefined).allowed).toBe(true);
  });

  it('cidrAllow agrees with the bit arithmetic for any IPv4 address and prefix', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (net, peer, bits) => {
        const toInt = (o: number[]) => ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const base = (toInt(net) & mask) >>> 0;
        const baseText = [24, 16, 8, 0].map((s) => (base >>> s) & 255).join('.');
        const expected = ((toInt(peer) & mask) >>> 0) === base;
        return control({ cidrAllow: [`${baseText}/${bits}`] }).check(peer.join('.'), undefined).allowed === expected;
      }),
      { numRuns: 500 },
    );
  });
});
