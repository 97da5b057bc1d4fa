// Round trips through the wire with fast-check: plain -> bytes -> plain is the identity, and
// bytes -> plain -> bytes gives the same bytes (the encoding is canonical, as NSClient++'s is).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ProtobufDecodeError,
  eventFromWire,
  eventToWire,
  execRequestFromWire,
  execRequestToWire,
  execResponseFromWire,
  execResponseToWire,
  parsePerfData,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromWire,
  queryResponseToWire,
  renderPerfData,
  submitRequestFromWire,
  submitRequestToWire,
  submitResponseFromWire,
  submitResponseToWire,
} from '../../src/protobuf/index.js';
import * as arb from './arbitraries.js';

const cases = [
  ['QueryRequestMessage', arb.queryRequest, queryRequestToWire, queryRequestFromWire],
  ['QueryResponseMessage', arb.queryResponse, queryResponseToWire, queryResponseFromWire],
  ['SubmitRequestMessage', arb.submitRequest, submitRequestToWire, submitRequestFromWire],
  ['SubmitResponseMessage', arb.submitResponse, submitResponseToWire, submitResponseFromWire],
  ['ExecuteRequestMessage', arb.execRequest, execRequestToWire, execRequestFromWire],
  ['ExecuteResponseMessage', arb.execResponse, execResponseToWire, execResponseFromWire],
  ['EventMessage', arb.eventBatch, eventToWire, eventFromWire],
] as const;

describe.each(cases)('%s', (_name, arbitrary, toWire, fromWire) => {
  const encode = toWire as (x: unknown) => Uint8Array;
  const decode = fromWire as (b: Uint8Array) => unknown;

  it('plain -> bytes -> plain is the identity', () => {
    fc.assert(fc.property(arbitrary as fc.Arbitrary<unknown>, (plain) => {
      expect(decode(encode(plain))).toEqual(plain);
    }), { numRuns: 300 });
  });

  it('bytes -> plain -> bytes gives the same bytes', () => {
    fc.assert(fc.property(arbitrary as fc.Arbitrary<unknown>, (plain) => {
      const bytes = encode(plain);
      expect(Buffer.from(encode(decode(bytes))).equals(Buffer.from(bytes))).toBe(true);
    }), { numRuns: 200 });
  });

  it('any bytes either decode or are refused with ProtobufDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decode(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufDecodeError);
      }
    }), { numRuns: 500 });
  });

  it('a valid message with a byte flipped either decodes or is refused with ProtobufDecodeError', () => {
    fc.assert(fc.property(arbitrary as fc.Arbitrary<unknown>, fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, at, flip) => {
      const bytes = encode(plain);
      if (bytes.length === 0) return;
      const bad = Uint8Array.from(bytes);
      bad[at % bad.length]! ^= flip;
      try {
        decode(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufDecodeError);
      }
    }), { numRuns: 300 });
  });
});

describe('perfdata text', () => {
  const alias = fc.string({ unit: fc.constantFrom(...'abcXYZ019 _./%-'), minLength: 1, maxLength: 10 }).filter((s) => s.trim() !== '');
  const unit = fc.string({ unit: fc.constantFrom(...'abcsBKMG%/_'), maxLength: 4 });
  const threshold = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('4:5', '10:', ':20', '@0:90', '~:10', ''));
  const item = fc
    .tuple(alias, fc.integer({ min: -1e9, max: 1e9 }), unit, fc.array(threshold, { maxLength: 4 }))
    .map(([a, v, u, rest]) => `'${a}'=${v}${u}${rest.map((t) => `;${t}`).join('')}`);

  it('what NSClient++ renders reparses and renders to the same text', () => {
    fc.assert(fc.property(fc.array(item, { maxLength: 4 }), (items) => {
      const once = renderPerfData(parsePerfData(items.join(' ')));
      expect(renderPerfData(parsePerfData(once))).toBe(once);
    }), { numRuns: 500 });
  });

  it('any text parses without throwing', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      expect(typeof renderPerfData(parsePerfData(s))).toBe('string');
    }), { numRuns: 1000 });
  });
});
