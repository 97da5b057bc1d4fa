import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, SpecifierError, jsonCodec, specifier_name, specifier_parse, subjectToken, v8Codec } from '../src/index.js';

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double().map((x) => (Object.is(x, -0) ? 0 : x)),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array().map((bytes) => Buffer.from(bytes)),
    fc.uint8Array(),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }),
    fc.array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie('node')), { maxLength: 3 }).map((entries) => new Map(entries)),
  ),
})).node;

describe('jsonCodec', () => {
  it('round-trips bigint, Buffer, Uint8Array, Date, Map, undefined in lists, NaN and ±Infinity', () => {
    const v = [1n, Buffer.from('x'), new Uint8Array([1, 2]), new Date(5), new Map([['k', new Set([1])]]), undefined, NaN, -Infinity, { $poe: 'not a tag' }];
    const back = jsonCodec.decode(jsonCodec.encode(v)) as unknown[];
    expect(back).toEqual(v);
    expect(Buffer.isBuffer(back[1])).toBe(true);
    expect(Buffer.isBuffer(back[2])).toBe(false);
    expect(back[2]).toBeInstanceOf(Uint8Array);
  });

  it('round-trips any value made of the kept types (property)', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(jsonCodec.decode(jsonCodec.encode(v))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses functions and cycles with a CodecError; malformed bytes throw on decode', () => {
    expect(() => jsonCodec.encode({ f: () => 1 })).toThrow(CodecError);
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(() => jsonCodec.encode(cycle)).toThrow(CodecError);
    expect(() => jsonCodec.decode(new TextEncoder().encode('{'))).toThrow();
    expect(() => jsonCodec.decode(new Uint8Array([0xff, 0xfe]))).toThrow();
  });

  it('v8Codec is pluggable in its place', () => {
    const v = { n: 1n, m: new Map([[1, new Date(1)]]) };
    expect(v8Codec.decode(v8Codec.encode(v))).toEqual(v);
  });
});

describe('specifiers', () => {
  it("parse IKC's forms", () => {
    expect(specifier_parse('poe://Server/hello/world')).toEqual({ kernel: 'Server', session: 'hello', state: 'world' });
    expect(specifier_parse('poe://Server/hello')).toEqual({ kernel: 'Server', session: 'hello' });
    expect(specifier_parse('poe:/elsewhere/hi')).toEqual({ session: 'elsewhere', state: 'hi' });
    expect(specifier_parse('poe:callback')).toEqual({ state: 'callback' });
    expect(specifier_parse({ kernel: '*', session: 's', state: 'e' })).toEqual({ kernel: '*', session: 's', state: 'e' });
    expect(specifier_name({ kernel: 'K', session: 's', state: 'e' })).toBe('poe://K/s/e');
  });

  it('refuse anything else', () => {
    for (const bad of ['', 'http://x/y/z', 'poe://', 'poe://K', 'poe://K/s/e/f', 'poe:'] as const) expect(() => specifier_parse(bad)).toThrow(SpecifierError);
    expect(() => specifier_parse({ kernel: '' })).toThrow(SpecifierError);
  });

  it('kernel names become single subject tokens that cannot widen a subscription', () => {
    expect(subjectToken('Server')).toBe('Server');
    for (const name of ['a.b', '*', '>', 'host:1234', 'x y', 'ünï']) expect(subjectToken(name)).toMatch(/^[A-Za-z0-9_~-]+$/);
    expect(subjectToken('a.b')).not.toBe(subjectToken('a_b'));
  });
});
