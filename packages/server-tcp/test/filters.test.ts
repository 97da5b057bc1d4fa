// ClientFilter/Filter in POE's forms: an instance (cloned), a class, [Class, ...args], a POE class name.
import { describe, expect, it } from 'vitest';
import { FilterBlock, FilterHTTPD, FilterLine, FilterStream } from '@poets/kernel';
import { filterClassByName } from '@poets/server-tcp';
import { filterFactory } from '../src/filters.js';

describe('filter specs', () => {
  it('the default is a Line filter: any newline in, CR LF out', () => {
    const make = filterFactory(undefined, undefined, 'ClientFilter');
    const filter = make();
    expect(filter).toBeInstanceOf(FilterLine);
    expect(filter.get(['a\nb\r\nc\rd'])).toEqual(['a', 'b', 'c']);
    expect(filter.put(['x'])).toEqual(['x\r\n']);
    expect(make()).not.toBe(filter);
  });

  it('an instance is cloned for each connection, keeping its configuration but not its buffer', () => {
    const original = new FilterLine({ Literal: '|' });
    original.get_one_start(['half']);
    const make = filterFactory(original, undefined, 'ClientFilter');
    const a = make();
    const b = make();
    expect(a).not.toBe(original);
    expect(a).not.toBe(b);
    expect(a.get(['x|y|'])).toEqual(['x', 'y']);
    expect(b.get_pending()).toBeUndefined();
  });

  it('a class gives a new filter per connection; [Class, ...args] passes the arguments', () => {
    expect(filterFactory(FilterStream, undefined, 'ClientFilter')()).toBeInstanceOf(FilterStream);
    const line = filterFactory([FilterLine, { Literal: '\n' }], undefined, 'ClientFilter')();
    expect(line.put(['x'])).toEqual(['x\n']);
    const block = filterFactory([FilterBlock, { BlockSize: 2 }], undefined, 'ClientFilter')();
    expect((block.get([Buffer.from('abcd')]) as Buffer[]).map(String)).toEqual(['ab', 'cd']);
  });

  it("POE's class names work, alone and in the list form", () => {
    expect(filterClassByName('POE::Filter::Stream')).toBe(FilterStream);
    expect(filterClassByName('Line')).toBe(FilterLine);
    expect(filterFactory('POE::Filter::Line', undefined, 'f')()).toBeInstanceOf(FilterLine);
    const line = filterFactory(['POE::Filter::Line', { InputLiteral: '|' }], undefined, 'f')();
    expect(line.get(['a|b|'])).toEqual(['a', 'b']);
    expect(filterClassByName('POE::Filter::HTTPD')).toBe(FilterHTTPD);
    expect(() => filterClassByName('POE::Filter::Nonexistent')).toThrow(/unknown filter class/);
  });

  it('bad constructor arguments fail at construction, not per connection', () => {
    expect(() => filterFactory([FilterLine, { Literal: '' }], undefined, 'ClientFilter')).toThrow(/Literal/);
  });

  it('maxLineLength becomes the Line filter MaxLength (the options given win)', () => {
    const limited = filterFactory(undefined, 8, 'ClientFilter')();
    expect(() => limited.get(['0123456789\n'])).toThrow(/MaxLength \(8 bytes\)/);
    const literal = filterFactory([FilterLine, { Literal: '\n' }], 4, 'ClientFilter')();
    expect(() => literal.get(['12345\n'])).toThrow(/MaxLength \(4 bytes\)/);
    const own = filterFactory([FilterLine, { MaxLength: 100 }], 4, 'ClientFilter')();
    expect(own.get(['12345\n'])).toEqual(['12345']);
  });
});
