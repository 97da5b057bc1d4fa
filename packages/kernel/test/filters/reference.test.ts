import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FilterError,
  FilterReference,
  type ReferenceOptions,
  type ReferenceSerializer,
} from '../../src/filters/index.js';
import { expectFilterInterface, plain } from './standard.js';

const reverse = (text: string): string => [...text].reverse().join('');

/** Like POE's test serializer: frozen data is JSON written backwards. */
const backwards: ReferenceSerializer = {
  freeze: (value) => reverse(JSON.stringify(value)),
  thaw: (data) => JSON.parse(reverse(data.toString('utf8'))) as unknown,
};

/** A class instance whose nfreeze must be preferred to its freeze, as POE does. */
class NetworkFreezer implements ReferenceSerializer {
  readonly prefix = 'N:';
  freeze(): string {
    throw new Error('freeze must not be used when nfreeze exists');
  }
  nfreeze(value: unknown): string {
    return this.prefix + JSON.stringify(value);
  }
  thaw(data: Buffer): unknown {
    return JSON.parse(data.toString('utf8').slice(this.prefix.length)) as unknown;
  }
}

function caught(run: () => unknown): FilterError {
  try {
    run();
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error('expected a FilterError');
}

describe('FilterReference', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterReference());
  });

  const serializers: [string, ReferenceOptions['Serializer']][] = [
    ['the default (JSON)', undefined],
    ['json', 'json'],
    ['v8', 'v8'],
    ['a serializer object', backwards],
    ['a serializer class instance', new NetworkFreezer()],
  ];
  const values = ['this is a test', { list: [1, 1, 2, 3, 5], nested: { ok: true, none: null } }];
  for (const [name, Serializer] of serializers) {
    for (const Compression of [false, true]) {
      it(`freezes and thaws with ${name}${Compression ? ', compressed' : ''}`, () => {
        const filter = new FilterReference({ Serializer, Compression });
        expect(filter.get(filter.put(values))).toEqual(values);
      });
    }
  }

  it('frames each record as its length in ASCII, a NUL, then the frozen bytes', () => {
    expect(plain(new FilterReference().put([{ a: 'é' }]))).toEqual(['10\0{"a":"é"}']);
  });

  it('hands back its pending input intact', () => {
    const filter = new FilterReference();
    const frozen = filter.put([[2, 4, 6]]);
    filter.get_one_start(frozen);
    expect(filter.get(filter.get_pending()!)).toEqual([
      [2, 4, 6],
      [2, 4, 6],
    ]);
  });

  it('returns only whole references and keeps the partial one pending', () => {
    const filter = new FilterReference();
    const whole = filter.put(['whole_reference']);
    expect(filter.get([whole[0]!, '100\0partial reference'])).toEqual(['whole_reference']);
    expect(plain(filter.get_pending())).toEqual(['100\0partial reference']);
  });

  it('compresses with zlib when asked', () => {
    const record = [Array(20).fill('honk').join(' ')];
    const plainFilter = new FilterReference();
    const compressed = new FilterReference({ Compression: true });
    const [a] = plainFilter.put([record]);
    const [b] = compressed.put([record]);
    expect(b).not.toEqual(a);
    expect(b!.length).toBeLessThan(a!.length);
  });

  it('keeps v8 types that JSON cannot carry', () => {
    const filter = new FilterReference({ Serializer: 'v8' });
    const value = { when: new Date(0), set: new Set([1, 2]), map: new Map([['k', 1n]]) };
    expect(filter.get(filter.put([value]))).toEqual([value]);
  });

  it('refuses to put what JSON cannot represent', () => {
    expect(() => new FilterReference().put([undefined])).toThrow(TypeError);
    expect(() => new FilterReference().put([1n])).toThrow(TypeError);
  });

  it('refuses a serializer without freeze or thaw', () => {
    expect(() => new FilterReference({ Serializer: { thaw: () => 1 } })).toThrow(TypeError);
    expect(() => new FilterReference({ Serializer: 'yaml' as 'json' })).toThrow(TypeError);
  });

  describe('bad input', () => {
    const notJson = '12\0{not json!!}';

    it('throws when a record cannot be thawed, and carries on after it', () => {
      const filter = new FilterReference();
      const error = caught(() => filter.get([notJson, '2\0[]']));
      expect(error.code).toBe('EBADDATA');
      expect(error.cause).toBeInstanceOf(SyntaxError);
      expect(filter.get([])).toEqual([[]]);
    });

    it('returns the error as a string with NoFatals', () => {
      const filter = new FilterReference({ NoFatals: true });
      const [message, next] = filter.get([notJson, '2\0[]']);
      expect(typeof message).toBe('string');
      expect(next).toEqual([]);
    });

    it('reports an overflowing buffer as a string with NoFatals', () => {
      const filter = new FilterReference({ NoFatals: true, MaxBuffer: 10 });
      const [message] = filter.get(['12\x00123456789012']);
      expect(message).toMatch(/buffer exceeds MaxBuffer/);
    });

    it('thaws a well-formed record and refuses one with a trailing document marker', () => {
      const good = JSON.stringify({ test: 1, foo: [1, 2], bar: 42 });
      const bad = good + '\n...\n';
      const frame = (text: string): string => `${Buffer.byteLength(text)}\0${text}`;
      expect(new FilterReference().get([frame(good)])).toEqual([{ test: 1, foo: [1, 2], bar: 42 }]);
      expect(() => new FilterReference().get([frame(bad)])).toThrow(FilterError);
      const [message] = new FilterReference({ NoFatals: true }).get([frame(bad)]);
      expect(typeof message).toBe('string');
    });

    it('drops a record longer than MaxLength and resyncs', () => {
      const filter = new FilterReference({ MaxLength: 8 });
      const [big, small] = filter.put(['a long string', 'ok']);
      expect(caught(() => filter.get([big!, small!])).code).toBe('ERECORDTOOLONG');
      expect(filter.get([])).toEqual(['ok']);
    });

    it('refuses compressed data that inflates past MaxLength', () => {
      const filter = new FilterReference({ Compression: true, MaxLength: 1000 });
      const bomb = deflateSync(Buffer.from(JSON.stringify('x'.repeat(100_000))));
      const error = caught(() => filter.get([Buffer.concat([Buffer.from(`${bomb.length}\0`), bomb])]));
      expect(error.code).toBe('EBADDATA');
    });

    it('drops junk in front of a header', () => {
      const filter = new FilterReference();
      expect(caught(() => filter.get(['junk2\0[]'])).code).toBe('EBADDATA');
      expect(filter.get([])).toEqual([[]]);
    });
  });

  it('refuses MaxLength above MaxBuffer', () => {
    expect(() => new FilterReference({ MaxLength: 100, MaxBuffer: 10 })).toThrow(RangeError);
  });

  it('clones with the same serializer and an empty buffer', () => {
    const filter = new FilterReference({ Serializer: backwards, Compression: true });
    filter.get_one_start(['5\0']);
    const clone = filter.clone();
    expect(clone.get_pending()).toBeUndefined();
    expect(clone.get(filter.put([{ x: 1 }]))).toEqual([{ x: 1 }]);
  });
});
