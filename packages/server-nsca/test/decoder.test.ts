import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LEGACY_PACKET_SIZE,
  NscaDecoder,
  PACKET_SIZE,
  createCryptStream,
  decodeConnection,
  encodePacket,
  supportedMethods,
  type DecodeResult,
  type DecoderOptions,
  type PacketFields,
} from '../src/index.js';
import { IV, casesWithPackets, connectionBytes, unhex, vectors } from './helpers/vectors.js';

const PASSWORD = 'Secr3t!pw';
const NOW = 1700000000;

const check = (n: number, extra: Partial<PacketFields> = {}): PacketFields => ({
  host_name: `host${n}`,
  svc_description: `svc${n}`,
  return_code: n % 4,
  plugin_output: `output ${n}`,
  timestamp: NOW,
  ...extra,
});

interface Spec {
  fields: PacketFields;
  legacy?: boolean;
  corrupt?: boolean;
  version?: number;
}

/** A client's connection: each packet encoded, then encrypted with one stream. */
function connection(method: number, specs: Spec[], password: string | Uint8Array = PASSWORD): Buffer {
  const stream = createCryptStream(method, password, IV);
  return Buffer.concat(
    specs.map((s) => {
      const p = encodePacket(s.fields, { legacy: s.legacy === true, ...(s.version === undefined ? {} : { version: s.version }) });
      if (s.corrupt) p[300 % p.length] ^= 0x20; // inside plugin_output's filler: CRC breaks
      stream.encrypt(p);
      return p;
    }),
  );
}

const summary = (results: DecodeResult[]) =>
  results.map((r) => (r.ok ? `${r.packet.legacy ? 'legacy ' : ''}${r.packet.host_name}` : r.reason));

/** Decodes with every chunk boundary given, checking push/end and decodeConnection agree. */
function decodeChunks(method: number, bytes: Uint8Array, cuts: number[], options: DecoderOptions = {}): DecodeResult[] {
  const decoder = new NscaDecoder(method, PASSWORD, IV, options);
  const points = [...new Set([0, ...cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)), bytes.length])].sort(
    (a, b) => a - b,
  );
  const out: DecodeResult[] = [];
  for (let i = 0; i + 1 < points.length; i++) out.push(...decoder.push(bytes.subarray(points[i]!, points[i + 1]!)));
  out.push(...decoder.end());
  return out;
}

/** Results tile the connection: contiguous offsets, lengths adding up to every byte. */
function expectTiling(results: DecodeResult[], total: number): void {
  let at = 0;
  for (const r of results) {
    expect(r.offset).toBe(at);
    expect(r.length).toBeGreaterThan(0);
    at += r.length;
  }
  expect(at).toBe(total);
}

const MCRYPT_SAMPLE = [2, 8, 14].filter((m) => supportedMethods().includes(m));

describe('NscaDecoder framing', () => {
  for (const method of [0, 1, ...MCRYPT_SAMPLE]) {
    it(`method ${method}: several 4304 and 720 packets in any order on one connection (nsca loses these)`, () => {
      const specs: Spec[] = [
        { fields: check(1), legacy: true },
        { fields: check(2), legacy: true },
        { fields: check(3) },
        { fields: check(4), legacy: true },
        { fields: check(5) },
        { fields: check(6) },
        { fields: check(7), legacy: true },
      ];
      const bytes = connection(method, specs);
      const results = decodeConnection(bytes, { method, password: PASSWORD, iv: IV });
      expect(summary(results)).toEqual([
        'legacy host1',
        'legacy host2',
        'host3',
        'legacy host4',
        'host5',
        'host6',
        'legacy host7',
      ]);
      expectTiling(results, bytes.length);
      // byte by byte gives the same
      const cuts = Array.from({ length: bytes.length }, (_, i) => i);
      expect(summary(decodeChunks(method, bytes, cuts))).toEqual(summary(results));
    });
  }

  it('refuses a bad CRC with its reason, then goes on with the next packet', () => {
    for (const method of [1, ...MCRYPT_SAMPLE]) {
      const bytes = connection(method, [{ fields: check(1) }, { fields: check(2), corrupt: true }, { fields: check(3) }]);
      const results = decodeConnection(bytes, { method, password: PASSWORD, iv: IV });
      expect(summary(results)).toEqual(['host1', 'crc', 'host3']);
      const bad = results[1]!;
      expect(!bad.ok && bad.message).toMatch(/CRC-32 mismatch/);
      expect(!bad.ok && bad.packet?.host_name).toBe('host2');
      expect(bad.offset).toBe(PACKET_SIZE);
    }
  });

  it('delivers bad-CRC packets flagged with deliverBadCrc', () => {
    const bytes = connection(1, [{ fields: check(1), corrupt: true }, { fields: check(2) }]);
    const results = decodeConnection(bytes, { method: 1, password: PASSWORD, iv: IV, deliverBadCrc: true });
    expect(results.map((r) => r.ok && r.packet.crc_ok)).toEqual([false, true]);
  });

  it('refuses version ≠ 3 (e.g. a wrong password) with a reason, never throwing', () => {
    const bytes = connection(1, [{ fields: check(1), version: 2 }, { fields: check(2) }]);
    expect(summary(decodeConnection(bytes, { method: 1, password: PASSWORD, iv: IV }))).toEqual(['version', 'host2']);
    for (const method of [1, ...MCRYPT_SAMPLE]) {
      const good = connection(method, [{ fields: check(1) }, { fields: check(2) }]);
      const wrong = decodeConnection(good, { method, password: 'wrong', iv: IV });
      expect(wrong.every((r) => !r.ok && (r.reason === 'version' || r.reason === 'crc'))).toBe(true);
      expectTiling(wrong, good.length);
    }
  });

  it('reports a connection that ends inside a packet as truncated', () => {
    const bytes = connection(0, [{ fields: check(1) }, { fields: check(2) }]);
    const results = decodeConnection(bytes.subarray(0, PACKET_SIZE + 1000), { method: 0, password: PASSWORD, iv: IV });
    expect(summary(results)).toEqual(['host1', 'truncated']);
    expect(results[1]).toMatchObject({ offset: PACKET_SIZE, length: 1000 });
    expect(!results[1]!.ok && results[1]!.message).toMatch(/closed after 1000 bytes/);
  });

  it('reads the last 720 bytes as a legacy packet, as nsca does: a bad one gets its CRC refusal', () => {
    const bytes = connection(1, [{ fields: check(1) }, { fields: check(2), legacy: true, corrupt: true }]);
    const results = decodeConnection(bytes, { method: 1, password: PASSWORD, iv: IV });
    expect(summary(results)).toEqual(['host1', 'crc']);
    expect(results[1]).toMatchObject({ offset: PACKET_SIZE, length: LEGACY_PACKET_SIZE });
    expect(!results[1]!.ok && results[1]!.packet?.legacy).toBe(true);
  });

  it('acceptLegacy: false refuses legacy packets but keeps the framing', () => {
    const bytes = connection(14, [{ fields: check(1), legacy: true }, { fields: check(2) }, { fields: check(3), legacy: true }]);
    const results = decodeConnection(bytes, { method: 14, password: PASSWORD, iv: IV, acceptLegacy: false });
    expect(summary(results)).toEqual(['legacy', 'host2', 'legacy']);
    expect(!results[0]!.ok && results[0]!.packet?.host_name).toBe('host1');
  });

  it('enforces maxPacketAge both ways when given; not at all by default (as nsca 2.10)', () => {
    const specs = [NOW - 100, NOW - 30, NOW, NOW + 30, NOW + 100, 1].map((t, i) => ({ fields: check(i, { timestamp: t }) }));
    const bytes = connection(1, specs);
    const now = () => NOW + 0.9;
    const results = decodeConnection(bytes, { method: 1, password: PASSWORD, iv: IV, maxPacketAge: 30, now });
    expect(summary(results)).toEqual(['age', 'host1', 'host2', 'host3', 'future', 'age']);
    expect(!results[0]!.ok && results[0]!.message).toMatch(/100 s old/);
    expect(!results[4]!.ok && results[4]!.message).toMatch(/100 s in the future/);
    expect(decodeConnection(bytes, { method: 1, password: PASSWORD, iv: IV, now }).every((r) => r.ok)).toBe(true);
    expect(() => new NscaDecoder(1, PASSWORD, IV, { maxPacketAge: -1 })).toThrow(RangeError);
  });

  it('takes no bytes after end()', () => {
    const d = new NscaDecoder(0, '', IV);
    expect(d.end()).toEqual([]);
    expect(d.end()).toEqual([]);
    expect(() => d.push(new Uint8Array(1))).toThrow(/after end/);
  });

  it('tracks pending bytes and the offset', () => {
    const d = new NscaDecoder(0, '', IV);
    const bytes = connection(0, [{ fields: check(1) }]);
    expect(d.push(bytes.subarray(0, 1000))).toEqual([]);
    expect([d.pending, d.offset]).toEqual([1000, 1000]);
    expect(d.push(bytes.subarray(1000)).length).toBe(1);
    expect([d.pending, d.offset]).toEqual([0, PACKET_SIZE]);
  });

  it('decodes send_nsca’s legacy packet followed by nothing, and accepts chunk lists', () => {
    for (const method of [0, 1, ...MCRYPT_SAMPLE]) {
      const c = casesWithPackets(method).find((x) => x.case === 'legacy-2-7-mode')!;
      const results = decodeConnection(c.packets.map(unhex), { method, password: c.password, iv: IV });
      expect(summary(results)).toEqual(['legacy web01']);
    }
  });
});

describe('NscaDecoder properties', () => {
  const realConnections = vectors.cases
    .filter((c) => c.packets.length > 0 && (c.method <= 3 || c.method === 14))
    .map((c) => ({ method: c.method, password: c.password, bytes: connectionBytes(c) }));

  it('never throws on random bytes, accounts for every byte, and chunking never changes the results', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2, 14),
        fc.uint8Array({ maxLength: 12000 }),
        fc.array(fc.nat({ max: 12000 }), { maxLength: 12 }),
        fc.boolean(),
        (method, bytes, cuts, deliverBadCrc) => {
          const whole = decodeChunks(method, bytes, [], { deliverBadCrc });
          expectTiling(whole, bytes.length);
          expect(decodeChunks(method, bytes, cuts, { deliverBadCrc })).toEqual(whole);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('random bytes that start like a packet (version 3) still never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 720, maxLength: 9000 }), fc.array(fc.nat({ max: 9000 }), { maxLength: 8 }), (bytes, cuts) => {
        // method 0: plaintext on the wire, so this puts version 3 at every boundary guess.
        for (const at of [0, 720, 1440, 4304, 5024]) if (at + 1 < bytes.length) bytes.set([0, 3], at);
        const whole = decodeChunks(0, bytes, [], { deliverBadCrc: true });
        expectTiling(whole, bytes.length);
        expect(decodeChunks(0, bytes, cuts, { deliverBadCrc: true })).toEqual(whole);
      }),
      { numRuns: 120 },
    );
  });

  it('real send_nsca connections, chunked at random, give the same results as whole', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...realConnections),
        fc.array(fc.nat({ max: 13000 }), { maxLength: 20 }),
        ({ method, password, bytes }, cuts) => {
          const whole = decodeConnection(bytes, { method, password, iv: IV });
          expect(whole.every((r) => r.ok)).toBe(true);
          const decoder = new NscaDecoder(method, password, IV);
          const points = [...new Set([0, ...cuts.map((c) => Math.min(c, bytes.length)), bytes.length])].sort((a, b) => a - b);
          const chunked: DecodeResult[] = [];
          for (let i = 0; i + 1 < points.length; i++) chunked.push(...decoder.push(bytes.subarray(points[i]!, points[i + 1]!)));
          chunked.push(...decoder.end());
          expect(chunked).toEqual(whole);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('truncated or corrupted real connections: refusals with reasons, never a throw, never a wrong packet', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...realConnections),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        (conn, cutSeed, flips) => {
          const { method, password } = conn;
          const bytes = Buffer.from(conn.bytes.subarray(0, conn.bytes.length - (cutSeed % 3 === 0 ? cutSeed % conn.bytes.length : 0)));
          for (const [at, mask] of flips) if (bytes.length > 0) bytes[at % bytes.length] ^= mask;
          const results = decodeConnection(bytes, { method, password, iv: IV });
          expectTiling(results, bytes.length);
          const clean = decodeConnection(conn.bytes, { method, password, iv: IV });
          for (const r of results) {
            if (!r.ok) {
              expect(['crc', 'version', 'truncated']).toContain(r.reason);
              expect(r.message.length).toBeGreaterThan(10);
              continue;
            }
            // Anything accepted is one of the packets really sent, at its place.
            const same = clean.find((c) => c.offset === r.offset);
            expect(same?.ok && same.packet.raw.plugin_output.equals(r.packet.raw.plugin_output)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
