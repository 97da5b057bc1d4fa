import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_MAX_LENGTH,
  FilterBlock,
  FilterError,
  type BlockOptions,
  type LengthDecoder,
  type LengthEncoder,
} from '../../src/filters/index.js';
import { expectFilterInterface, plain } from './standard.js';

const text = (records: Buffer[]): string[] => records.map((record) => record.toString('latin1'));

function caught(run: () => unknown): FilterError {
  try {
    run();
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error('expected a FilterError');
}

describe('FilterBlock', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterBlock());
  });
});

describe('FilterBlock with BlockSize', () => {
  it('parses fixed-size blocks and joins them on put', () => {
    const filter = new FilterBlock({ BlockSize: 4 });
    const raw = filter.put(['12345678']);
    const cooked = filter.get(raw);
    expect(text(cooked)).toEqual(['1234', '5678']);
    expect(text(filter.put(cooked))).toEqual(['12345678']);
  });

  it('returns one block per get_one', () => {
    const filter = new FilterBlock({ BlockSize: 4 });
    filter.get_one_start(filter.put(['12345678']));
    const cooked = filter.get_one();
    expect(text(cooked)).toEqual(['1234']);
    expect(text(filter.put(cooked))).toEqual(['1234']);
    expect(text(filter.get_one())).toEqual(['5678']);
    expect(filter.get_one()).toEqual([]);
  });

  it('returns only whole blocks and keeps the partial one pending', () => {
    const filter = new FilterBlock({ BlockSize: 64 });
    const whole = 'whole block'.padEnd(64, ' ');
    expect(plain(filter.get([whole, 'partial block']))).toEqual([whole]);
    expect(plain(filter.get_pending())).toEqual(['partial block']);
  });

  it('counts bytes, not characters', () => {
    const filter = new FilterBlock({ BlockSize: 2 });
    expect(filter.get(['é€'])).toEqual([Buffer.from('é'), Buffer.from('€').subarray(0, 2)]);
  });

  const refused: [string, BlockOptions][] = [
    ['a zero BlockSize', { BlockSize: 0 }],
    ['a fractional BlockSize', { BlockSize: 1.5 }],
    ['BlockSize with LengthCodec', { BlockSize: 4, LengthCodec: [(b) => b, () => undefined] }],
    ['BlockSize with MaxLength', { BlockSize: 4, MaxLength: 10 }],
  ];
  it.each(refused)('refuses %s', (_name, options) => {
    expect(() => new FilterBlock(options)).toThrow();
  });
});

describe('FilterBlock with length headers (default codec: ASCII length, NUL)', () => {
  it('parses its own output', () => {
    const filter = new FilterBlock();
    expect(text(filter.get(filter.put(['a', 'bc', 'def', 'ghij'])))).toEqual(['a', 'bc', 'def', 'ghij']);
  });

  it('waits for the header and the payload to be complete', () => {
    const filter = new FilterBlock();
    for (const part of ['1', '0', '\0', 'klmno']) expect(filter.get([part])).toEqual([]);
    expect(text(filter.get(['pqrst']))).toEqual(['klmnopqrst']);
  });

  it('frames each record on put', () => {
    expect(text(new FilterBlock().put(['a', 'bc', 'def', 'ghij']))).toEqual(['1\0a', '2\0bc', '3\0def', '4\0ghij']);
    expect(text(new FilterBlock().put(['', 'é']))).toEqual(['0\0', '2\0\xc3\xa9']);
  });

  it('keeps the header in the pending bytes until its block is complete', () => {
    const filter = new FilterBlock();
    expect(text(filter.get(['2\0ab5\0cd']))).toEqual(['ab']);
    expect(plain(filter.get_pending())).toEqual(['5\0cd']);
  });

  it('drops bytes that cannot start a header, reports them, and goes on', () => {
    const filter = new FilterBlock();
    const error = caught(() => filter.get(['xy', 'z2\0ok']));
    expect(error.code).toBe('EBADDATA');
    expect(error.message).toMatch(/bad block header/);
    expect(text(filter.get([]))).toEqual(['ok']);
    expect(caught(() => filter.get(['12x3\0abc'])).code).toBe('EBADDATA');
    expect(text(filter.get([]))).toEqual(['abc']);
  });

  it('reports a run of junk once, however many chunks it arrives in', () => {
    const filter = new FilterBlock();
    expect(caught(() => filter.get(['junk'])).code).toBe('EBADDATA');
    expect(filter.get(['more junk'])).toEqual([]);
    expect(text(filter.get(['!2\0ok']))).toEqual(['ok']);
    expect(caught(() => filter.get(['again'])).code).toBe('EBADDATA');
  });

  it('refuses a header with more digits than any length could have', () => {
    const filter = new FilterBlock();
    expect(caught(() => filter.get(['9'.repeat(40)])).code).toBe('EBADDATA');
  });

  const refused: [string, BlockOptions][] = [
    ['MaxLength above MaxBuffer', { MaxLength: 10, MaxBuffer: 5 }],
    ['a MaxBuffer with no room for the header', { MaxLength: 10, MaxBuffer: 12 }],
    ['a negative MaxLength', { MaxLength: -1 }],
    ['a MaxLength that is not a number', { MaxLength: 'something' as unknown as number }],
    ['a zero MaxBuffer', { MaxBuffer: 0 }],
    ['a MaxBuffer that is not a number', { MaxBuffer: 'something' as unknown as number }],
    ['a LengthCodec that is not a pair', { LengthCodec: [(b: Buffer) => b] as unknown as BlockOptions['LengthCodec'] }],
    ['a LengthCodec of non-functions', { LengthCodec: [1, 2] as unknown as BlockOptions['LengthCodec'] }],
  ];
  it.each(refused)('refuses %s', (_name, options) => {
    expect(() => new FilterBlock(options)).toThrow();
  });

  it('defaults MaxLength to 64 MiB, as POE', () => {
    expect(BLOCK_MAX_LENGTH).toBe(64 * 1024 * 1024);
    expect(caught(() => new FilterBlock().get([`${BLOCK_MAX_LENGTH + 1}\0`])).code).toBe('ERECORDTOOLONG');
  });

  it('refuses a block longer than MaxLength, skips it as it arrives, and resyncs', () => {
    const filter = new FilterBlock({ MaxLength: 10 });
    const error = caught(() => filter.get(['2\0ok134\0a bunch of data here']));
    expect(error.code).toBe('ERECORDTOOLONG');
    expect(error.message).toMatch(/block exceeds MaxLength/);
    expect(text(error.records as Buffer[])).toEqual(['ok']);
    const rest = 134 - 'a bunch of data here'.length;
    expect(filter.get([Buffer.alloc(rest - 1, 'z')])).toEqual([]);
    expect(filter.get_pending()).toBeUndefined();
    expect(text(filter.get(['z3\0end']))).toEqual(['end']);
  });

  it('refuses input that would overflow MaxBuffer', () => {
    const filter = new FilterBlock({ MaxBuffer: 10, MaxLength: 5 });
    expect(caught(() => filter.get(['134\0a bunch of data here'])).message).toMatch(/buffer exceeds MaxBuffer/);
  });
});

describe('FilterBlock with a custom LengthCodec', () => {
  // A 32-bit big-endian length, as POE's test uses with pack("N").
  const encoder: LengthEncoder = (block) => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(block.length);
    return Buffer.concat([header, block]);
  };
  const decoder: LengthDecoder = (buffer) =>
    buffer.length < 4 ? undefined : { length: buffer.readUInt32BE(0), headerLength: 4 };

  it('parses its own output', () => {
    const filter = new FilterBlock({ LengthCodec: [encoder, decoder] });
    expect(text(filter.get(filter.put(['a', 'bc', 'def', 'ghij'])))).toEqual(['a', 'bc', 'def', 'ghij']);
  });

  it('waits for the whole header and payload', () => {
    const filter = new FilterBlock({ LengthCodec: [encoder, decoder] });
    for (const part of ['\x00', '\x00', '\x00', '\x0a', 'klmno']) expect(filter.get([part])).toEqual([]);
    expect(text(filter.get(['pqrst']))).toEqual(['klmnopqrst']);
  });

  it('uses the encoder on put', () => {
    const filter = new FilterBlock({ LengthCodec: [encoder, decoder] });
    expect(text(filter.put(['a', 'bc', 'def', 'ghij']))).toEqual([
      '\x00\x00\x00\x01a',
      '\x00\x00\x00\x02bc',
      '\x00\x00\x00\x03def',
      '\x00\x00\x00\x04ghij',
    ]);
  });

  it('applies MaxLength to custom headers too', () => {
    const filter = new FilterBlock({ LengthCodec: [encoder, decoder], MaxLength: 3 });
    expect(caught(() => filter.get(filter.put(['long one', 'ok']))).code).toBe('ERECORDTOOLONG');
    expect(text(filter.get([]))).toEqual(['ok']);
  });

  it('throws a TypeError when the decoder returns nonsense', () => {
    const filter = new FilterBlock({ LengthCodec: [encoder, () => ({ length: -1, headerLength: 0 })] });
    expect(() => filter.get(['x'])).toThrow(TypeError);
  });
});
