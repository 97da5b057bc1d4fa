// NRPE packets as bytes: the layouts check_nrpe 4 puts on the wire, CRC32, and every refusal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePacket, encodeResponse, packetCrc, parsePacket, splitQuery, QUERY_PACKET, RESPONSE_PACKET, type PacketVersion } from '@poets/agent';

describe('NRPE packet layout', () => {
  it('a v2 query is 1036 bytes: 10-byte header, 1024-byte buffer, 2 bytes of padding', () => {
    const p = encodePacket({ version: 2, type: QUERY_PACKET, result: 0, text: 'check_x!A1' });
    expect(p.length).toBe(1036);
    expect(p.readUInt16BE(0)).toBe(2);
    expect(p.subarray(10, 21).toString()).toBe('check_x!A1\0');
  });

  it('v4 is a 16-byte header and the buffer; v3 has 3 zero bytes more (check_nrpe -3 sends 1036 bytes for length 1017)', () => {
    const v4 = encodePacket({ version: 4, type: RESPONSE_PACKET, result: 1, text: 'hello' });
    expect(v4.length).toBe(16 + 6);
    expect(v4.readUInt32BE(12)).toBe(6);
    const v3 = encodePacket({ version: 3, type: QUERY_PACKET, result: 0, text: 'x', payloadLength: 1017 });
    expect(v3.length).toBe(1036);
    expect([...v3.subarray(1033)]).toEqual([0, 0, 0]);
  });

  it('the CRC32 covers the packet with its crc field zero', () => {
    const p = encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: '_NRPE_CHECK' });
    expect(p.readUInt32BE(4)).toBe(packetCrc(p));
    const zeroed = Buffer.from(p);
    zeroed.writeUInt32BE(0, 4);
    expect(packetCrc(zeroed)).toBe(p.readUInt32BE(4));
  });

  it('pads with random bytes: two encodings of the same text differ, and parse the same', () => {
    const a = encodePacket({ version: 2, type: QUERY_PACKET, result: 0, text: 'same' });
    const b = encodePacket({ version: 2, type: QUERY_PACKET, result: 0, text: 'same' });
    expect(a.equals(b)).toBe(false);
    expect(parsePacket(a)).toEqual(parsePacket(b));
  });

  it('round-trips any text, version and result, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom<PacketVersion>(2, 3, 4), fc.string({ maxLength: 900 }).filter((s) => !s.includes('\0')), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 64 }), (version, text, result, cut) => {
        const bytes = encodePacket({ version, type: RESPONSE_PACKET, result, text });
        const head = parsePacket(bytes.subarray(0, Math.min(cut, bytes.length - 1)));
        expect(head.kind).toBe('need');
        const out = parsePacket(bytes);
        expect(out).toEqual({ kind: 'packet', packet: { version, type: RESPONSE_PACKET, result, text, size: bytes.length } });
      }),
      { numRuns: 200 },
    );
  });

  it('v2 output is cut to payload - 1 bytes; extended response carries the rest in further v2 packets', () => {
    const text = 'x'.repeat(2500);
    const one = encodeResponse(2, 0, text);
    expect(one).toHaveLength(1);
    expect((parsePacket(one[0]!) as { packet: { text: string } }).packet.text).toBe('x'.repeat(1023));
    const many = encodeResponse(2, 0, text, 1024, true);
    expect(many.map((p) => (parsePacket(p) as { packet: { text: string } }).packet.text).join('')).toBe(text);
    const v4 = encodeResponse(4, 0, text, 1024, true);
    expect(v4).toHaveLength(1);
    expect((parsePacket(v4[0]!) as { packet: { text: string } }).packet.text).toBe(text);
  });

  it('splits cmd!arg1!arg2', () => {
    expect(splitQuery('check_disk!/!90')).toEqual({ command: 'check_disk', args: ['/', '90'] });
    expect(splitQuery('check_cpu')).toEqual({ command: 'check_cpu', args: [] });
  });
});

describe('NRPE packet refusals', () => {
  it('refuses garbage by its version field', () => {
    const out = parsePacket(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(out).toMatchObject({ kind: 'refused', code: 'bad_packet', reason: expect.stringMatching(/not an NRPE packet/) });
  });

  it('refuses a bad CRC', () => {
    const p = encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: 'check_cpu' });
    p[20] ^= 0xff;
    expect(parsePacket(p)).toMatchObject({ kind: 'refused', code: 'bad_crc', reason: expect.stringMatching(/bad CRC32/) });
  });

  it('refuses a version not accepted on this path (v3 to v4-only, v4 to v3-only)', () => {
    const v3 = encodePacket({ version: 3, type: QUERY_PACKET, result: 0, text: 'a' });
    const v4 = encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: 'a' });
    expect(parsePacket(v3, { versions: [4] })).toMatchObject({ kind: 'refused', code: 'bad_version', reason: expect.stringMatching(/v3 packets are not accepted/) });
    expect(parsePacket(v4, { versions: [3] })).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/v4 packets are not accepted/) });
  });

  it('asks for the rest of a truncated packet, and refuses a buffer length over 64 KiB unread', () => {
    const p = encodePacket({ version: 4, type: QUERY_PACKET, result: 0, text: 'check_cpu' });
    expect(parsePacket(p.subarray(0, 20))).toEqual({ kind: 'need', bytes: p.length });
    const huge = Buffer.from(p.subarray(0, 16));
    huge.writeUInt32BE(1 << 30, 12);
    expect(parsePacket(huge)).toMatchObject({ kind: 'refused', code: 'too_long', reason: expect.stringMatching(/over 65536/) });
  });
});
