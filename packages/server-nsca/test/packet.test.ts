import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIELD_SIZE,
  LEGACY_PACKET_SIZE,
  OFFSET,
  PACKET_SIZE,
  PACKET_VERSION,
  decodePacket,
  encodePacket,
  isWellFormedUtf8,
  packetCrc32,
  type PacketFields,
} from '../src/index.js';
import { unhex, vectors } from './helpers/vectors.js';

const fields: PacketFields = {
  host_name: 'web01',
  svc_description: 'HTTP',
  return_code: 2,
  plugin_output: 'CRITICAL - down',
  timestamp: 1700000000,
};

function decodeOk(bytes: Uint8Array) {
  const r = decodePacket(bytes);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.packet;
}

describe('layout constants', () => {
  it('match the C struct', () => {
    expect(PACKET_VERSION).toBe(3);
    expect(PACKET_SIZE).toBe(4304);
    expect(LEGACY_PACKET_SIZE).toBe(720);
    expect(OFFSET.plugin_output + FIELD_SIZE.plugin_output + 2).toBe(PACKET_SIZE);
    expect(OFFSET.plugin_output + FIELD_SIZE.legacy_plugin_output + 2).toBe(LEGACY_PACKET_SIZE);
    expect(OFFSET.svc_description).toBe(OFFSET.host_name + FIELD_SIZE.host_name);
    expect(OFFSET.plugin_output).toBe(OFFSET.svc_description + FIELD_SIZE.svc_description);
  });
});

describe('packetCrc32', () => {
  it('is zlib’s CRC-32 over the packet with bytes 4..7 zero, whatever they hold', () => {
    const p = encodePacket(fields, { filler: 0x41 });
    const zeroed = Buffer.from(p);
    zeroed.fill(0, 4, 8);
    // Bitwise reference CRC-32 (reflected, poly 0xEDB88320).
    let crc = 0xffffffff;
    for (const byte of zeroed) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    expect(packetCrc32(p)).toBe((crc ^ 0xffffffff) >>> 0);
    expect(p.readUInt32BE(4)).toBe(packetCrc32(p));
    expect(packetCrc32(zeroed)).toBe(packetCrc32(p));
  });
});

describe('encodePacket', () => {
  it('writes send_nsca’s layout: version, CRC, timestamp, rc, C strings over the filler', () => {
    const p = encodePacket(fields, { filler: 0x7e });
    expect(p.length).toBe(PACKET_SIZE);
    expect(p.readInt16BE(0)).toBe(3);
    expect(p.subarray(2, 4)).toEqual(Buffer.from([0x7e, 0x7e]));
    expect(p.readUInt32BE(8)).toBe(1700000000);
    expect(p.readInt16BE(12)).toBe(2);
    expect(p.subarray(14, 20).toString('latin1')).toBe('web01\0');
    expect(p[20]).toBe(0x7e);
    expect(p.subarray(78, 83).toString('latin1')).toBe('HTTP\0');
    expect(p.subarray(206, 222).toString('latin1')).toBe('CRITICAL - down\0');
    expect(p.subarray(4302)).toEqual(Buffer.from([0x7e, 0x7e]));
  });

  it('fills with random characters in 0..w by default, like send_nsca', () => {
    const p = encodePacket({ ...fields, plugin_output: '' });
    const filler = p.subarray(OFFSET.plugin_output + 1);
    expect(filler.every((b) => b >= 0x30 && b <= 0x77)).toBe(true);
    expect(new Set(filler).size).toBeGreaterThan(40);
    expect(decodeOk(p).plugin_output).toBe('');
  });

  it('truncates byte-wise at 63, 127 and 4095 (511 legacy) bytes, and at an embedded NUL', () => {
    const long = encodePacket({
      ...fields,
      host_name: 'é'.repeat(40),
      svc_description: 'S'.repeat(200),
      plugin_output: 'x'.repeat(5000),
    });
    const p = decodeOk(long);
    expect(p.raw.host_name.length).toBe(63);
    expect(p.raw.host_name.at(-1)).toBe(0xc3);
    expect(p.raw.svc_description.length).toBe(127);
    expect(p.raw.plugin_output.length).toBe(4095);
    const legacy = decodeOk(encodePacket({ ...fields, plugin_output: 'y'.repeat(600) }, { legacy: true }));
    expect(legacy.legacy).toBe(true);
    expect(legacy.raw.plugin_output.length).toBe(511);
    expect(decodeOk(encodePacket({ ...fields, host_name: 'a\0b' })).host_name).toBe('a');
  });

  it('truncates the return code to 16 bits as send_nsca does', () => {
    const rc = (n: number) => decodeOk(encodePacket({ ...fields, return_code: n })).return_code;
    expect(rc(-1)).toBe(-1);
    expect(rc(70000)).toBe(4464);
    expect(rc(32768)).toBe(-32768);
    expect(rc(Number.NaN)).toBe(0);
    expect(rc(3.9)).toBe(3);
  });

  it('makes a host check from an empty or absent svc_description', () => {
    expect(decodeOk(encodePacket({ ...fields, svc_description: '' })).svc_description).toBeUndefined();
    const { svc_description: _omit, ...host } = fields;
    expect(decodeOk(encodePacket(host)).svc_description).toBeUndefined();
  });

  it('takes byte arrays as they are, and refuses a short filler template', () => {
    const raw = Buffer.from([0xff, 0xfe, 0x41]);
    expect(decodeOk(encodePacket({ ...fields, plugin_output: raw })).raw.plugin_output).toEqual(raw);
    expect(() => encodePacket(fields, { filler: new Uint8Array(100) })).toThrow(RangeError);
  });

  it('round-trips any fields (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 150 }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.uint8Array({ maxLength: 4200 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.boolean(),
        (host, svc, rc, output, ts, legacy) => {
          const p = decodeOk(
            encodePacket({ host_name: host, svc_description: svc, return_code: rc, plugin_output: output, timestamp: ts }, { legacy }),
          );
          const cut = (b: Uint8Array, max: number) => {
            const nul = b.indexOf(0);
            return Buffer.from(b.subarray(0, Math.min(nul < 0 ? b.length : nul, max)));
          };
          expect(p.raw.host_name).toEqual(cut(host, 63));
          expect(p.raw.svc_description).toEqual(cut(svc, 127));
          expect(p.raw.plugin_output).toEqual(cut(output, legacy ? 511 : 4095));
          expect(p.return_code).toBe(rc);
          expect(p.timestamp).toBe(ts);
          expect(p.legacy).toBe(legacy);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('decodePacket', () => {
  it('refuses a wrong size, a wrong version, and a bad CRC — with reasons', () => {
    expect(decodePacket(new Uint8Array(100))).toMatchObject({ ok: false, reason: 'size' });
    const v2 = encodePacket(fields, { version: 2 });
    expect(decodePacket(v2)).toMatchObject({ ok: false, reason: 'version' });
    const bad = encodePacket(fields);
    bad[300] ^= 1;
    const r = decodePacket(bad);
    expect(r).toMatchObject({ ok: false, reason: 'crc' });
    expect(!r.ok && r.packet?.host_name).toBe('web01');
    expect(!r.ok && r.message).toMatch(/CRC-32 mismatch/);
  });

  it('delivers a bad-CRC packet flagged when asked', () => {
    const bad = encodePacket(fields);
    bad[4] ^= 0xff;
    const r = decodePacket(bad, { deliverBadCrc: true });
    expect(r.ok).toBe(true);
    expect(r.ok && r.packet.crc_ok).toBe(false);
    expect(r.ok && r.packet.crc32 !== r.packet.checksum).toBe(true);
  });

  it('reads a field without NUL as its first size−1 bytes (nsca forces the last byte to NUL)', () => {
    const p = encodePacket(fields, { filler: 0x41 });
    p.fill(0x42, OFFSET.host_name, OFFSET.host_name + 64);
    p.writeUInt32BE(packetCrc32(p), 4);
    expect(decodeOk(p).host_name).toBe('B'.repeat(63));
  });

  it('keeps exact bytes beside the text: a cut UTF-8 char is one U+FFFD in the text only', () => {
    const c = vectors.cases.find((x) => x.method === 0 && x.case === 'utf8-truncated-mid-char')!;
    const p = decodeOk(unhex(c.plaintexts![0]!));
    expect(p.host_name).toBe(`${'é'.repeat(31)}\uFFFD`);
    expect(p.raw.host_name.toString('hex')).toBe(c.decoded![0]!.host_name_hex);
    expect(isWellFormedUtf8(p.raw.host_name)).toBe(false);
    expect(isWellFormedUtf8(p.raw.svc_description)).toBe(true);
    // A leading BOM is kept in the text.
    const bom = decodeOk(encodePacket({ ...fields, host_name: '\uFEFFh' }));
    expect(bom.host_name).toBe('\uFEFFh');
    expect(bom.raw.host_name.length).toBe(4);
  });

  it('returns copies, so the packet buffer can be reused', () => {
    const p = encodePacket(fields);
    const packet = decodeOk(p);
    p.fill(0);
    expect(packet.raw.host_name.toString()).toBe('web01');
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 5000 }),
          fc.uint8Array({ minLength: 720, maxLength: 720 }),
          fc.uint8Array({ minLength: 4304, maxLength: 4304 }),
        ),
        fc.boolean(),
        (bytes, version3) => {
          if (version3 && bytes.length >= 2) {
            bytes[0] = 0;
            bytes[1] = 3;
          }
          const r = decodePacket(bytes, { deliverBadCrc: true });
          if (bytes.length !== 720 && bytes.length !== 4304) expect(r).toMatchObject({ ok: false, reason: 'size' });
          else if (!version3) expect(r.ok || r.reason === 'version').toBe(true);
          else expect(r.ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
