import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterError } from '@poets/kernel';
import { FilterNscaSets, MAX_SET_BYTES, parseSet, splitSets, type InputCheck } from '../src/index.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** A parsed check as strings, for readable expectations. */
function text(check: InputCheck | undefined) {
  if (check === undefined) return undefined;
  return {
    host: check.host_name.toString('latin1'),
    svc: check.svc_description.toString('latin1'),
    rc: check.return_code,
    out: check.plugin_output.toString('latin1'),
  };
}

const parse = (s: string, options?: Parameters<typeof parseSet>[1]) => text(parseSet(b(s), options));

describe('parseSet (send_nsca 2.10 field semantics)', () => {
  it('reads a service check and a host check', () => {
    expect(parse('web\tHTTP\t0\tOK - 200')).toEqual({ host: 'web', svc: 'HTTP', rc: 0, out: 'OK - 200' });
    expect(parse('web\t1\thost is slow')).toEqual({ host: 'web', svc: '', rc: 1, out: 'host is slow' });
  });

  it('keeps everything after the third field in the output: tabs, newlines, a leading delimiter', () => {
    expect(parse('h1\ts1\t0\tfirst\nh2\ts2\t2\tsecond\n')).toEqual({ host: 'h1', svc: 's1', rc: 0, out: 'first\nh2\ts2\t2\tsecond' });
    expect(parse('h1\ts1\t0\t\tout')).toEqual({ host: 'h1', svc: 's1', rc: 0, out: '\tout' });
  });

  it('lets empty fields vanish (strtok): h\\t\\t0\\tout is a host check', () => {
    expect(parse('h1\t\t0\tout')).toEqual({ host: 'h1', svc: '', rc: 0, out: 'out' });
    expect(parse('\t\th1\t\t\ts\t\t3\tout')).toEqual({ host: 'h1', svc: 's', rc: 3, out: 'out' });
  });

  it('takes h\\t0\\tout\\twith tab as a service named 0', () => {
    expect(parse('h1\t0\tout\twith tab')).toEqual({ host: 'h1', svc: '0', rc: 0, out: 'with tab' });
  });

  it('strips trailing spaces, tabs, CR and LF only, keeping leading ones', () => {
    expect(parse('  lead\ts\t 7x\tout  \t\r\n')).toEqual({ host: '  lead', svc: 's', rc: 7, out: 'out' });
  });

  it('skips empty sets and sets of fewer than three fields', () => {
    expect(parse('')).toBeUndefined();
    expect(parse(' \t\r\n')).toBeUndefined();
    expect(parse('host\t0')).toBeUndefined();
    expect(parse('host\t\t\t0\t\t')).toBeUndefined();
  });

  it('ends a set at a NUL byte', () => {
    expect(parse('h\ts\t1\to\0ut')).toEqual({ host: 'h', svc: 's', rc: 1, out: 'o' });
    expect(parse('h\ts\0\t1\tout')).toBeUndefined();
  });

  it('reads the return code with atoi into 16 bits', () => {
    const rc = (field: string) => parse(`h\ts\t${field}\tout`)!.rc;
    expect(rc('70000')).toBe(4464);
    expect(rc('-1')).toBe(-1);
    expect(rc(' 12abc')).toBe(12);
    expect(rc('WARN')).toBe(0);
    expect(rc('+5')).toBe(5);
    expect(rc('\v\f6')).toBe(6);
    expect(rc('99999999999999999999')).toBe(-1);
    expect(rc('-99999999999999999999')).toBe(0);
    expect(rc('4294967297')).toBe(1);
  });

  it('cuts the fields byte-wise at 63, 127 and 4095 bytes (511 in legacy mode)', () => {
    const check = parseSet(b(`${'h'.repeat(100)}\t${'s'.repeat(200)}\t2\t${'o'.repeat(5000)}`))!;
    expect(check.host_name.length).toBe(63);
    expect(check.svc_description.length).toBe(127);
    expect(check.plugin_output.length).toBe(4095);
    expect(parseSet(b(`h\ts\t2\t${'o'.repeat(600)}`), { legacy: true })!.plugin_output.length).toBe(511);
    const utf8 = parseSet(Buffer.from(`${'é'.repeat(40)}\t0\tout`))!;
    expect(utf8.host_name.length).toBe(63);
    expect(utf8.host_name[62]).toBe(0xc3);
  });

  it('splits on another delimiter (-d ,), and never with an empty one', () => {
    expect(parse('h,s,1,out,x', { fieldDelimiter: 0x2c })).toEqual({ host: 'h', svc: 's', rc: 1, out: 'out,x' });
    expect(parse('h9s91', { fieldDelimiter: 0x39 })).toEqual({ host: 'h', svc: '', rc: 0, out: '1' });
    expect(parse('h\ts\t1\tout', { fieldDelimiter: null })).toBeUndefined();
  });

  it('never throws and bounds every field, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6000 }), fc.constantFrom(0x09, 0x2c, 0x00, 0xc3, null), fc.boolean(), (bytes, delimiter, legacy) => {
        const check = parseSet(bytes, { fieldDelimiter: delimiter === 0 ? null : delimiter, legacy });
        if (check === undefined) return;
        expect(check.host_name.length).toBeGreaterThan(0);
        expect(check.host_name.length).toBeLessThanOrEqual(63);
        expect(check.svc_description.length).toBeLessThanOrEqual(127);
        expect(check.plugin_output.length).toBeLessThanOrEqual(legacy ? 511 : 4095);
        expect(check.return_code).toBeGreaterThanOrEqual(-32768);
        expect(check.return_code).toBeLessThanOrEqual(32767);
      }),
    );
  });
});

describe('splitSets / FilterNscaSets (the ETB-separated sets and the input limit)', () => {
  const sets = (s: string | Buffer, blockDelimiter?: number | null) => {
    const split = splitSets(typeof s === 'string' ? b(s) : s, blockDelimiter === undefined ? {} : { blockDelimiter });
    return { sets: split.sets.map((x) => x.toString('latin1')), tooLong: split.tooLong };
  };

  it('splits on ETB, not on newlines; the last set runs to the end of input', () => {
    expect(sets('a\x17b\nc\x17\nd')).toEqual({ sets: ['a', 'b\nc', '\nd'], tooLong: false });
    expect(sets('a\x17')).toEqual({ sets: ['a', ''], tooLong: false });
    expect(sets('')).toEqual({ sets: [''], tooLong: false });
  });

  it('splits on another byte (-ds), on NUL bytes for 0, and never for a byte ≥ 0x80 (null)', () => {
    expect(sets('a\nb', 0x0a).sets).toEqual(['a', 'b']);
    expect(sets('a\0b', 0).sets).toEqual(['a', 'b']);
    expect(sets('a\xc3b\x17c', null).sets).toEqual(['a\xc3b\x17c']);
  });

  it('accepts 5119 bytes before a delimiter, and 5120 at the end of input, but no more', () => {
    const x = (n: number) => 'x'.repeat(n);
    expect(sets(`${x(5119)}\x17`).tooLong).toBe(false);
    expect(sets(x(5120)).tooLong).toBe(false);
    expect(sets(x(5120)).sets[0]!.length).toBe(5120);
    expect(sets(`${x(5120)}\x17`)).toEqual({ sets: [], tooLong: true });
    expect(sets(`${x(5120)}\n`).tooLong).toBe(true);
    expect(sets(x(5121)).tooLong).toBe(true);
    expect(sets(`first\x17${x(6000)}\x17last`)).toEqual({ sets: ['first'], tooLong: true });
    expect(MAX_SET_BYTES).toBe(5120);
  });

  it('gives the same sets whatever the chunking, and throws a FilterError for a set too long', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\x17', '\n'), { maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), (chars, sizes) => {
        const input = b(chars.join(''));
        const whole = splitSets(input);
        const filter = new FilterNscaSets();
        const got: string[] = [];
        let pos = 0;
        for (let i = 0; pos < input.length; i++) {
          const size = sizes[i % sizes.length]!;
          got.push(...filter.get([input.subarray(pos, pos + size)]).map((s) => s.toString('latin1')));
          pos += size;
        }
        got.push(filter.get_pending()?.[0]?.toString('latin1') ?? '');
        expect(got).toEqual(whole.sets.map((s) => s.toString('latin1')));
      }),
    );
    const filter = new FilterNscaSets();
    filter.get_one_start([b('ok\x17'), b('y'.repeat(6000)), b('\x17after')]);
    expect(filter.get_one().map(String)).toEqual(['ok']);
    expect(() => filter.get_one()).toThrow(FilterError);
    // The offending set is dropped through its delimiter; the filter goes on.
    expect(filter.get_one()).toEqual([]);
    expect(filter.get_pending()?.map(String)).toEqual(['after']);
  });

  it('puts sets back with their delimiter', () => {
    const filter = new FilterNscaSets();
    expect(Buffer.concat(filter.put([b('a'), b('b')]) as Buffer[]).toString('latin1')).toBe('a\x17b\x17');
  });
});
