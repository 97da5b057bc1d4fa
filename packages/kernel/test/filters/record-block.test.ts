import { describe, expect, it } from 'vitest';
import { FilterRecordBlock, type RecordBlockOptions } from '../../src/filters/index.js';
import { expectFilterInterface, expectStandardBehaviour } from './standard.js';

const list = (text: string): string[] => text.split(' ');

describe('FilterRecordBlock', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterRecordBlock({ BlockSize: 1 }));
  });

  it('passes the standard run', () => {
    expectStandardBehaviour(
      new FilterRecordBlock<string>({ BlockSize: 4 }),
      list('1 2 3 4 5 6 7 8 9 10'),
      [list('1 2 3 4'), list('5 6 7 8')],
      list('1 2 3 4 5 6 7 8'),
    );
  });

  it('reads and changes BlockSize with blocksize(), refusing invalid sizes', () => {
    const filter = new FilterRecordBlock({ BlockSize: 4 });
    expect(filter.blocksize()).toBe(4);
    expect(filter.blocksize(2)).toBe(2);
    for (const bad of [undefined, 'elephant', -50, 0, 1.5]) filter.blocksize(bad as number);
    expect(filter.blocksize()).toBe(2);
  });

  const refused: [string, unknown][] = [
    ['a zero BlockSize', { BlockSize: 0 }],
    ['no BlockSize', {}],
    ['a BlockSize that is not a number', { BlockSize: 'elephant' }],
  ];
  it.each(refused)('refuses %s', (_name, options) => {
    expect(() => new FilterRecordBlock(options as RecordBlockOptions)).toThrow();
  });

  describe('with CheckPut', () => {
    it('holds back records until they make whole blocks', () => {
      const filter = new FilterRecordBlock<string>({ BlockSize: 3, CheckPut: true });
      expect(filter.put([list('1 2'), list('3 A')])).toEqual(list('1 2 3'));
      expect(filter.put_pending()).toEqual(['A']);
      expect(filter.put([list('2 3 1 2 3'), list('1 2 3 B')])).toEqual(list('A 2 3 1 2 3 1 2 3'));
      expect(filter.put_pending()).toEqual(['B']);
      expect(filter.put([list('2 3 1 2'), list('3 1'), list('2 3 1'), list('2 3')])).toEqual(
        list('B 2 3 1 2 3 1 2 3 1 2 3'),
      );
      expect(filter.put_pending()).toBeUndefined();
    });

    it('reads and changes the flag with checkput()', () => {
      const filter = new FilterRecordBlock({ BlockSize: 3, CheckPut: true });
      expect(filter.checkput()).toBe(true);
      expect(filter.checkput(false)).toBe(false);
      expect(filter.checkput()).toBe(false);
    });

    it('sends the held records first once CheckPut is turned off', () => {
      const filter = new FilterRecordBlock<string>({ BlockSize: 3, CheckPut: true });
      filter.put([list('1 2 3 4')]);
      filter.checkput(false);
      expect(filter.put([list('5')])).toEqual(['4', '5']);
    });
  });

  describe('without CheckPut', () => {
    it('flattens whatever it is given', () => {
      const filter = new FilterRecordBlock<string>({ BlockSize: 3 });
      expect(filter.checkput()).toBe(false);
      expect(filter.put([list('1 2'), list('1 2')])).toEqual(list('1 2 1 2'));
      expect(filter.put_pending()).toBeUndefined();
      expect(filter.put([list('1 2 3 4 5'), list('1 2 3 4')])).toEqual(list('1 2 3 4 5 1 2 3 4'));
      expect(filter.put([list('1 2 3 4'), list('1 2'), list('1 2 3'), list('1 2')])).toEqual(
        list('1 2 3 4 1 2 1 2 3 1 2'),
      );
    });
  });

  it('clones with the current BlockSize and CheckPut and empty buffers', () => {
    const filter = new FilterRecordBlock<number>({ BlockSize: 2, CheckPut: true });
    filter.get_one_start([1]);
    filter.put([[1]]);
    filter.blocksize(3);
    const clone = filter.clone();
    expect(clone.get_pending()).toBeUndefined();
    expect(clone.put_pending()).toBeUndefined();
    expect(clone.blocksize()).toBe(3);
    expect(clone.checkput()).toBe(true);
  });
});
