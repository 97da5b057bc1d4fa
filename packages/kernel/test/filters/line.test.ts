import { Buffer } from 'node:buffer';
import process from 'node:process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FilterError, FilterLine, LINE_MAX_LENGTH, type LineOptions } from '../../src/filters/index.js';
import { expectFilterInterface, expectStandardBehaviour, plain } from './standard.js';

/** Feeds each chunk with its own get(), as a wheel does, and collects the lines. */
function feedEach(filter: FilterLine, chunks: (string | Buffer)[]): string[] {
  return chunks.flatMap((chunk) => filter.get([chunk]));
}

const pending = (filter: FilterLine): string | undefined => {
  const chunks = filter.get_pending();
  return chunks === undefined ? undefined : Buffer.concat(chunks).toString('latin1');
};

describe('FilterLine interface', () => {
  it('has the whole filter interface', () => {
    expectFilterInterface(new FilterLine());
  });
});

describe('FilterLine constructor', () => {
  const refused: [string, LineOptions & Record<string, unknown>][] = [
    ['an empty Literal', { Literal: '' }],
    ['Literal with Regexp', { Regexp: '\r', Literal: '\n' }],
    ['Literal with InputRegexp', { InputRegexp: '\r', Literal: '\n' }],
    ['Literal with InputLiteral', { InputLiteral: '\r', Literal: '\n' }],
    ['Literal with OutputLiteral', { OutputLiteral: '\r', Literal: '\n' }],
    ['InputLiteral with InputRegexp', { InputRegexp: '\r', InputLiteral: '\n' }],
    ['MaxLength above MaxBuffer', { MaxLength: 10, MaxBuffer: 5 }],
    ['a negative MaxLength', { MaxLength: -1 }],
    ['a MaxLength that is not a number', { MaxLength: 'something' as unknown as number }],
    ['a zero MaxBuffer', { MaxBuffer: 0 }],
    ['a MaxBuffer that is not a number', { MaxBuffer: 'something' as unknown as number }],
    ['an InputRegexp that does not compile', { InputRegexp: '(' }],
  ];
  it.each(refused)('refuses %s', (_name, options) => {
    expect(() => new FilterLine(options)).toThrow();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('warns about parameters it does not know, as POE carps', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    new FilterLine({ Literal: '\n', Bogus: 1 } as LineOptions);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/ignores unknown parameters: Bogus/);
  });

  it('defaults MaxLength to LINE_MAX_LENGTH (1 MiB)', () => {
    expect(LINE_MAX_LENGTH).toBe(1024 * 1024);
    const filter = new FilterLine({ Literal: '\n' });
    expect(filter.get(['x'.repeat(LINE_MAX_LENGTH) + '\n'])).toHaveLength(1);
    expect(() => filter.get(['x'.repeat(LINE_MAX_LENGTH + 1) + '\n'])).toThrow(FilterError);
  });
});

describe('FilterLine default mode (CR, LF, CR LF or LF CR in; CR LF out)', () => {
  it('passes the standard run', () => {
    expectStandardBehaviour(
      new FilterLine(),
      ['a\r', 'b\n', 'c\r\n', 'd\n\r'],
      ['a', 'b', 'c', 'd'],
      ['a\r\n', 'b\r\n', 'c\r\n', 'd\r\n'],
    );
  });

  it('returns only whole lines and keeps the partial one pending', () => {
    const filter = new FilterLine();
    expect(filter.get(['whole line\r\n', 'partial line'])).toEqual(['whole line']);
    expect(plain(filter.get_pending())).toEqual(['partial line']);
  });

  // POE documents this case as a bug: a CR LF split between reads gives an extra empty line.
  it('reads a CR LF split between chunks as one newline', () => {
    const filter = new FilterLine();
    expect(feedEach(filter, ['one\r', '\ntwo\r', '\n'])).toEqual(['one', 'two']);
    expect(feedEach(filter, ['three\n', '\rfour\n', '\n'])).toEqual(['three', 'four', '']);
    expect(filter.get_pending()).toBeUndefined();
  });

  it('delivers a line ended by a lone CR at the end of a chunk at once', () => {
    const filter = new FilterLine();
    expect(filter.get(['prompt\r'])).toEqual(['prompt']);
    expect(filter.get(['next\r\n'])).toEqual(['next']);
  });

  it('reads empty lines between newlines of different kinds', () => {
    expect(new FilterLine().get(['a\r\r\nb\n\nc\n\r\rd\r'])).toEqual(['a', '', 'b', '', 'c', '', 'd']);
  });
});

describe('FilterLine literal modes', () => {
  it('passes the standard run with one Literal', () => {
    expectStandardBehaviour(
      new FilterLine({ Literal: 'x' }),
      ['axa', 'bxb', 'cxc', 'dxd'],
      ['a', 'ab', 'bc', 'cd'],
      ['ax', 'abx', 'bcx', 'cdx'],
    );
  });

  it('parses with InputLiteral and serialises with OutputLiteral', () => {
    const filter = new FilterLine({ InputLiteral: 'x', OutputLiteral: 'y' });
    const received = filter.get(['axa', 'bxb', 'cxc', 'dxd']);
    expect(received).toEqual(['a', 'ab', 'bc', 'cd']);
    expect(filter.put(received)).toEqual(['ay', 'aby', 'bcy', 'cdy']);
  });

  it('finds a multi-byte literal split between chunks', () => {
    const filter = new FilterLine({ Literal: '\r\n' });
    expect(feedEach(filter, ['a\r', '\nb\r\n\r', '\r\n'])).toEqual(['a', 'b', '\r']);
    const long = new FilterLine({ Literal: '<END>' });
    expect(feedEach(long, ['one<E', 'N', 'D><EN<END>', '<<END>'])).toEqual(['one', '<EN', '<']);
  });

  it('uses Literal for output too, and CR LF by default', () => {
    expect(new FilterLine({ Literal: '\0' }).put(['a', ''])).toEqual(['a\0', '\0']);
    expect(new FilterLine({ InputLiteral: '\n' }).put(['a'])).toEqual(['a\r\n']);
  });
});

describe('FilterLine InputRegexp', () => {
  it('accepts a pattern as a string', () => {
    const filter = new FilterLine({ InputRegexp: '[xy]', OutputLiteral: '!' });
    const received = filter.get(['axa', 'byb', 'cxc', 'dyd']);
    expect(received).toEqual(['a', 'ab', 'bc', 'cd']);
    expect(filter.put(received)).toEqual(['a!', 'ab!', 'bc!', 'cd!']);
  });

  it('accepts a RegExp, whatever its flags', () => {
    const filter = new FilterLine({ InputRegexp: /[xy]/y, OutputLiteral: '!' });
    const received = filter.get(['axa', 'byb', 'cxc', 'dyd']);
    expect(received).toEqual(['a', 'ab', 'bc', 'cd']);
    expect(filter.put(received)).toEqual(['a!', 'ab!', 'bc!', 'cd!']);
  });

  it('matches the earliest terminator, taking as much as the pattern does', () => {
    const filter = new FilterLine({ InputRegexp: /[\r\n]{2,}/, OutputLiteral: '\n---\n' });
    expect(filter.get(['para one\nstill one\n\npara two\r\n\r\n\r\nthree'])).toEqual([
      'para one\nstill one',
      'para two',
    ]);
    expect(pending(filter)).toBe('three');
  });

  it('does not turn an empty match into endless empty lines', () => {
    const filter = new FilterLine({ InputRegexp: /x*/ });
    expect(filter.get(['abxcdxx'])).toEqual(['ab', 'cd']);
  });

  it('matches bytes, so UTF-8 text around the terminator survives', () => {
    const filter = new FilterLine({ InputRegexp: ';+' });
    const bytes = Buffer.from('café;;naïve;', 'utf8');
    expect(feedEach(filter, [bytes.subarray(0, 4), bytes.subarray(4, 11), bytes.subarray(11)])).toEqual([
      'café',
      'naïve',
    ]);
  });
});

describe('FilterLine autodetection (InputLiteral: undefined)', () => {
  const detecting = () => new FilterLine({ InputLiteral: undefined, OutputLiteral: '!' });

  it('detects CR LF split between the first two chunks', () => {
    const filter = detecting();
    const received = feedEach(filter, ['a\r', '\nb\r\n', 'c\n\r', '\n']);
    expect(filter.put(received)).toEqual(['a!', 'b!', 'c\n!']);
  });

  it('detects LF CR on the first line', () => {
    const filter = detecting();
    const received = feedEach(filter, ['a\n\r', '\rb\n\r', 'c\r', '\n\r']);
    expect(filter.put(received)).toEqual(['a!', '\rb!', 'c\r!']);
  });

  it('settles on a lone LF when the next chunk does not complete it', () => {
    const filter = detecting();
    const received = feedEach(filter, ['a\n', 'b\r\n', 'c\r', '\n']);
    expect(filter.put(received)).toEqual(['a!', 'b\r!', 'c\r!']);
  });

  it('also detects with an empty InputLiteral, settling on the first newline seen', () => {
    const filter = new FilterLine({ InputLiteral: '' });
    expect(filter.get(['a\rb\r\n'])).toEqual(['a', 'b']);
    expect(pending(filter)).toBe('\n');
  });

  it('clones with detection reset: clone() copies configuration, not stream state', () => {
    const filter = detecting();
    filter.get(['a\n\r']);
    expect(filter.clone().get(['x\ry\r'])).toEqual(['x', 'y']);
  });
});

describe('FilterLine chunks and encoding', () => {
  it('takes Buffers and strings alike, strings as UTF-8', () => {
    const filter = new FilterLine({ Literal: '\n' });
    expect(filter.get([Buffer.from('ab'), 'cé\n', Buffer.from('ü\n')])).toEqual(['abcé', 'ü']);
  });

  it('returns a multi-byte character split between chunks whole', () => {
    const text = 'a😀b€c\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const filter = new FilterLine({ Literal: '\n' });
      expect(filter.get([bytes.subarray(0, cut)])).toEqual([]);
      expect(filter.get([bytes.subarray(cut)])).toEqual(['a😀b€c']);
    }
  });

  it('keeps exactly the unparsed bytes pending, even half a character', () => {
    const filter = new FilterLine({ Literal: '\n' });
    const bytes = Buffer.from('done\nhalf €', 'utf8');
    expect(filter.get([bytes.subarray(0, bytes.length - 1)])).toEqual(['done']);
    expect(filter.get_pending()).toEqual([bytes.subarray(5, bytes.length - 1)]);
  });

  it('gives the same lines through get_one_start/get_one, one at a time', () => {
    const filter = new FilterLine();
    filter.get_one_start(['one\ntwo\r\nthr', 'ee\nfour']);
    expect(filter.get_one()).toEqual(['one']);
    expect(filter.get_one()).toEqual(['two']);
    expect(filter.get_one()).toEqual(['three']);
    expect(filter.get_one()).toEqual([]);
    filter.get_one_start(['\nfive\n']);
    expect(filter.get_one()).toEqual(['four']);
    expect(filter.get_one()).toEqual(['five']);
    expect(filter.get_one()).toEqual([]);
  });
});

describe('FilterLine MaxLength', () => {
  it('refuses a line longer than MaxLength', () => {
    const filter = new FilterLine({ MaxLength: 10 });
    expect(() => filter.get(['This line is going to be too long for our filter\n'])).toThrow(/line exceeds MaxLength/);
  });

  it('reports the error after the lines before it and resumes after it (get_one)', () => {
    const filter = new FilterLine({ Literal: '\n', MaxLength: 5 });
    filter.get_one_start(['ok\nmuch too long\nfine\n']);
    expect(filter.get_one()).toEqual(['ok']);
    let error: unknown;
    try {
      filter.get_one();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FilterError);
    expect((error as FilterError).code).toBe('ERECORDTOOLONG');
    expect((error as FilterError).message).toContain('5 bytes');
    expect(filter.get_one()).toEqual(['fine']);
    expect(filter.get_one()).toEqual([]);
  });

  it('hands get() callers the lines before the error; the rest stays buffered', () => {
    const filter = new FilterLine({ Literal: '\n', MaxLength: 5 });
    let error: FilterError | undefined;
    try {
      filter.get(['a\nb\nmuch too long\nc\nd']);
    } catch (caught) {
      error = caught as FilterError;
    }
    expect(error?.code).toBe('ERECORDTOOLONG');
    expect(error?.records).toEqual(['a', 'b']);
    expect(filter.get([])).toEqual(['c']);
    expect(pending(filter)).toBe('d');
  });

  it('drops an over-long line as it arrives, once, and recovers at the next line ending', () => {
    for (const literal of ['\n', '\r\n', '<END>']) {
      const filter = new FilterLine({ Literal: literal, MaxLength: 8 });
      const errors: FilterError[] = [];
      const lines: string[] = [];
      const chunks = ['fine' + literal + 'xxxxxx', 'xxxxxxxx', 'xxxx' + literal.slice(0, 1), literal.slice(1) + 'next' + literal];
      for (const chunk of chunks) {
        try {
          lines.push(...filter.get([chunk]));
        } catch (caught) {
          errors.push(caught as FilterError);
          lines.push(...(caught as FilterError).records.map(String));
        }
        expect((filter.get_pending()?.[0]?.length ?? 0) <= 8 + literal.length).toBe(true);
      }
      expect(errors.map((error) => error.code)).toEqual(['ERECORDTOOLONG']);
      expect(lines).toEqual(['fine', 'next']);
    }
  });

  it('drops an over-long line in default and autodetect modes too', () => {
    for (const options of [{}, { InputLiteral: undefined }] as LineOptions[]) {
      const filter = new FilterLine({ ...options, MaxLength: 4 });
      expect(() => filter.get(['abcdefgh'])).toThrow(FilterError);
      expect(filter.get(['ij\r', '\nkl\r\n'])).toEqual(['kl']);
    }
  });

  it('keeps memory bounded when a peer sends 100 MB without a newline', () => {
    const filter = new FilterLine();
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const total = 100 * 1024 * 1024;
    let errors = 0;
    let largest = 0;
    for (let sent = 0; sent < total; sent += chunk.length) {
      try {
        expect(filter.get([chunk])).toEqual([]);
      } catch (caught) {
        expect(caught).toBeInstanceOf(FilterError);
        expect((caught as FilterError).code).toBe('ERECORDTOOLONG');
        errors++;
      }
      largest = Math.max(largest, filter.get_pending()?.[0]?.length ?? 0);
    }
    expect(largest).toBeLessThanOrEqual(LINE_MAX_LENGTH + chunk.length);
    expect(errors).toBe(1);
    expect(filter.get(['tail\r\nhello\r\n'])).toEqual(['hello']);
    expect(filter.get_pending()).toBeUndefined();
  });
});

describe('FilterLine MaxBuffer', () => {
  it('refuses input that would overflow the framing buffer', () => {
    const filter = new FilterLine({ MaxBuffer: 10, MaxLength: 5 });
    expect(() => filter.get(['This line is going to be too long for our filter\n'])).toThrow(
      /buffer exceeds MaxBuffer/,
    );
  });

  it('keeps what it had and carries on after refusing', () => {
    const filter = new FilterLine({ Literal: '\n', MaxBuffer: 10, MaxLength: 5 });
    filter.get_one_start(['ab\ncd']);
    expect(() => filter.get_one_start(['0123456789'])).toThrow(expect.objectContaining({ code: 'EBUFFERFULL' }));
    expect(filter.get(['\n'])).toEqual(['ab', 'cd']);
  });
});
