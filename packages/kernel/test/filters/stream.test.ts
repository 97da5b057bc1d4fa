import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { FilterStream } from '../../src/filters/index.js';
import { expectFilterInterface, expectStandardBehaviour, plain } from './standard.js';

const fodder = ['a', 'bc', 'def', 'ghij', 'klmno'];

describe('FilterStream', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterStream());
  });

  it('passes the standard run', () => {
    expectStandardBehaviour(new FilterStream(), [...fodder], [Buffer.from('abcdefghijklmno')], ['abcdefghijklmno']);
  });

  it('joins everything buffered into one record', () => {
    expect(plain(new FilterStream().get(fodder))).toEqual(['abcdefghijklmno']);
  });

  it('puts each record as its own chunk, unchanged', () => {
    const bytes = Buffer.from([0, 255, 10]);
    const put = new FilterStream().put([...fodder, bytes]);
    expect(put.slice(0, fodder.length)).toEqual(fodder);
    expect(put[fodder.length]).toBe(bytes);
  });

  it('buffers on get_one_start, returns it all on get_one, then nothing', () => {
    const filter = new FilterStream();
    filter.get_one_start(fodder);
    expect(plain(filter.get_pending())).toEqual(['abcdefghijklmno']);
    expect(plain(filter.get_one())).toEqual(['abcdefghijklmno']);
    expect(filter.get_one()).toEqual([]);
    expect(filter.get_pending()).toBeUndefined();
  });

  it('passes bytes through exactly, including invalid UTF-8', () => {
    const bytes = Buffer.from([0xff, 0xc3, 0x00, 0x0d, 0x0a]);
    const [record] = new FilterStream().get([bytes.subarray(0, 2), bytes.subarray(2)]);
    expect(record).toEqual(bytes);
  });

  it('returns nothing for empty chunks', () => {
    expect(new FilterStream().get(['', Buffer.alloc(0)])).toEqual([]);
  });
});
