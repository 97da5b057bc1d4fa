// Property tests: chunk boundaries never change the records out; put then
// get gives back what went in; get_pending is exactly the unparsed bytes;
// the pull interface (get_one) agrees with get.
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FilterBlock,
  FilterError,
  FilterLine,
  FilterReference,
  FilterStream,
  type Filter,
  type LineOptions,
} from '../../src/filters/index.js';

type ByteFilter = Filter<unknown, unknown>;

interface Outcome {
  records: unknown[];
  errors: string[];
  pending: Buffer;
}

const pendingOf = (filter: ByteFilter): Buffer => Buffer.concat((filter.get_pending() ?? []).map((c) => Buffer.from(c)));

/** Feeds each chunk with get(), as a wheel would, resuming after errors. */
function viaGet(filter: ByteFilter, chunks: Buffer[]): Outcome {
  const records: unknown[] = [];
  const errors: string[] = [];
  for (const chunk of chunks) {
    let input = [chunk];
    for (;;) {
      try {
        records.push(...filter.get(input));
        break;
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        records.push(...error.records);
        errors.push(error.code);
        input = [];
      }
    }
  }
  return { records, errors, pending: pendingOf(filter) };
}

/** Feeds each chunk with get_one_start() and pulls records one at a time. */
function viaGetOne(filter: ByteFilter, chunks: Buffer[]): Outcome {
  const records: unknown[] = [];
  const errors: string[] = [];
  for (const chunk of chunks) {
    filter.get_one_start([chunk]);
    for (;;) {
      try {
        const next = filter.get_one();
        if (next.length === 0) break;
        expect(next).toHaveLength(1);
        records.push(...next);
      } catch (error) {
        if (!(error instanceof FilterError)) throw error;
        errors.push(error.code);
      }
    }
  }
  return { records, errors, pending: pendingOf(filter) };
}

/** `bytes` cut at the given positions. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Bytes rich in what the filters look for: newlines, digits, NULs, a multi-byte literal, UTF-8. */
const streamBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom(...Buffer.from('\r\n\r\n<EOL>ab 12\0é😀')),
      fc.integer({ min: 0, max: 255 }),
    ),
    { maxLength: 300 },
  )
  .map((bytes) => Buffer.from(bytes));
const cuts = fc.array(fc.nat(), { maxLength: 20 });

/** (a) and (d): any split, either interface, gives what one chunk gives. */
function expectChunkingIrrelevant(make: () => ByteFilter, bytes: fc.Arbitrary<Buffer> = streamBytes): void {
  fc.assert(
    fc.property(bytes, cuts, (input, at) => {
      const whole = viaGet(make(), [input]);
      expect(viaGet(make(), split(input, at))).toEqual(whole);
      expect(viaGetOne(make(), split(input, at))).toEqual(whole);
      expect(viaGetOne(make(), [input])).toEqual(whole);
    }),
  );
}

const text = fc.string({ unit: 'grapheme', maxLength: 30 });

const lineModes: [string, LineOptions, string][] = [
  ['Literal LF', { Literal: '\n' }, '\n'],
  ['Literal CR LF', { Literal: '\r\n' }, '\r\n'],
  ['a multi-byte Literal', { Literal: '<EOL>' }, '<EOL>'],
  ['InputLiteral/OutputLiteral', { InputLiteral: '\r', OutputLiteral: '\r' }, '\r'],
  ['autodetect, LF', { InputLiteral: undefined, OutputLiteral: '\n' }, '\n'],
  ['autodetect, CR LF', { InputLiteral: undefined, OutputLiteral: '\r\n' }, '\r\n'],
  ['autodetect, CR', { InputLiteral: undefined, OutputLiteral: '\r' }, '\r'],
  ['default (any newline)', {}, '\r\n'],
];

/** Whether `record` followed by `ending` reads back as `record` under this mode. */
function fits(options: LineOptions, ending: string, record: string): boolean {
  if (options.Literal === undefined && options.InputRegexp === undefined && !('InputLiteral' in options && options.InputLiteral)) {
    return !/[\r\n]/.test(record);
  }
  return (record + ending).indexOf(ending) === record.length;
}

describe('FilterLine properties', () => {
  for (const [name, options, ending] of lineModes) {
    describe(name, () => {
      it('gives the same records however the input is split', () => {
        expectChunkingIrrelevant(() => new FilterLine(options) as ByteFilter);
      });

      it('gives the same records and errors with a small MaxLength', () => {
        expectChunkingIrrelevant(() => new FilterLine({ ...options, MaxLength: 6 }) as ByteFilter);
      });

      it('reads back what it puts', () => {
        const records = fc.array(text.filter((r) => fits(options, ending, r)), { maxLength: 20 });
        fc.assert(
          fc.property(records, cuts, (lines, at) => {
            const filter = new FilterLine(options);
            const bytes = Buffer.from(filter.put(lines).join(''), 'utf8');
            expect(viaGet(filter, split(bytes, at)).records).toEqual(lines);
          }),
        );
      });

      it('keeps exactly the unparsed bytes pending', () => {
        const records = fc.array(text.filter((r) => fits(options, ending, r)), { maxLength: 10 });
        const partial = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)).filter((bytes) => {
          const latin = bytes.toString('latin1');
          return 'Literal' in options || ('InputLiteral' in options && options.InputLiteral)
            ? !latin.includes(ending) && !(ending + latin).slice(1).includes(ending)
            : !/[\r\n]/.test(latin);
        });
        fc.assert(
          fc.property(records.filter((lines) => lines.length > 0), partial, (lines, rest) => {
            const filter = new FilterLine(options);
            const bytes = Buffer.concat([Buffer.from(filter.put(lines).join(''), 'utf8'), rest]);
            expect(filter.get([bytes])).toEqual(lines);
            expect(filter.get_pending()).toEqual(rest.length === 0 ? undefined : [rest]);
          }),
        );
      });
    });
  }
});

describe('FilterStream properties', () => {
  it('gives the same bytes however the input is split', () => {
    fc.assert(
      fc.property(streamBytes, cuts, (input, at) => {
        const joined = (outcome: Outcome): Buffer => Buffer.concat(outcome.records as Buffer[]);
        expect(joined(viaGet(new FilterStream() as ByteFilter, split(input, at)))).toEqual(input);
        expect(joined(viaGetOne(new FilterStream() as ByteFilter, split(input, at)))).toEqual(input);
      }),
    );
  });

  it('reads back what it puts, and holds exactly what it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 10 }), (arrays) => {
        const chunks = arrays.map((bytes) => Buffer.from(bytes));
        const filter = new FilterStream();
        const all = Buffer.concat(chunks);
        filter.get_one_start(filter.put(chunks));
        expect(filter.get_pending()).toEqual(all.length === 0 ? undefined : [all]);
        expect(Buffer.concat(filter.get([]))).toEqual(all);
      }),
    );
  });
});

const blobs = fc.array(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  { maxLength: 15 },
);

describe('FilterBlock properties', () => {
  describe('fixed size', () => {
    it('gives the same blocks however the input is split', () => {
      for (const BlockSize of [1, 3, 16]) expectChunkingIrrelevant(() => new FilterBlock({ BlockSize }) as ByteFilter);
    });

    it('reads back what it puts and keeps a partial block pending', () => {
      const size = 5;
      const blocks = fc.array(fc.uint8Array({ minLength: size, maxLength: size }).map((b) => Buffer.from(b)), {
        maxLength: 10,
      });
      const partial = fc.uint8Array({ maxLength: size - 1 }).map((b) => Buffer.from(b));
      fc.assert(
        fc.property(blocks, partial, cuts, (records, rest, at) => {
          const filter = new FilterBlock({ BlockSize: size });
          const bytes = Buffer.concat([...filter.put(records), rest]);
          const outcome = viaGet(filter, split(bytes, at));
          expect(outcome.records).toEqual(records);
          expect(outcome.pending).toEqual(rest);
          expect(filter.get_pending()).toEqual(rest.length === 0 ? undefined : [rest]);
        }),
      );
    });
  });

  describe('length-prefixed', () => {
    it('gives the same blocks however the input is split, junk included', () => {
      expectChunkingIrrelevant(() => new FilterBlock() as ByteFilter);
      expectChunkingIrrelevant(() => new FilterBlock({ MaxLength: 4 }) as ByteFilter);
    });

    it('gives the same blocks however its own output is split', () => {
      const framed = blobs.map((records) => Buffer.concat(new FilterBlock().put(records)));
      expectChunkingIrrelevant(() => new FilterBlock() as ByteFilter, framed);
    });

    it('reads back what it puts', () => {
      fc.assert(
        fc.property(blobs, cuts, (records, at) => {
          const filter = new FilterBlock();
          const outcome = viaGet(filter, split(Buffer.concat(filter.put(records)), at));
          expect(outcome).toEqual({ records, errors: [], pending: Buffer.alloc(0) });
        }),
      );
    });

    it('keeps exactly the unparsed bytes pending, header included', () => {
      fc.assert(
        fc.property(blobs, fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), (records, last, cut) => {
          const filter = new FilterBlock();
          const frame = filter.put([Buffer.from(last)])[0]!;
          const rest = frame.subarray(0, 1 + (cut % (frame.length - 1)));
          expect(filter.get([...filter.put(records), rest])).toEqual(records);
          expect(filter.get_pending()).toEqual([rest]);
        }),
      );
    });
  });
});

describe('FilterReference (JSON) properties', () => {
  // What JSON gives back (it has no -0, for one).
  const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

  it('gives the same records however its output is split', () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 10 }), cuts, (values, at) => {
        const bytes = Buffer.concat(new FilterReference().put(values));
        const whole = viaGet(new FilterReference() as ByteFilter, [bytes]);
        expect(whole.records).toEqual(values);
        expect(viaGet(new FilterReference() as ByteFilter, split(bytes, at))).toEqual(whole);
        expect(viaGetOne(new FilterReference() as ByteFilter, split(bytes, at))).toEqual(whole);
      }),
    );
  });

  it('gives the same records and errors however arbitrary input is split', () => {
    expectChunkingIrrelevant(() => new FilterReference({ NoFatals: true }) as ByteFilter);
  });

  it('keeps exactly the unparsed bytes pending', () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 5 }), json, fc.nat(), (values, last, cut) => {
        const filter = new FilterReference();
        const frame = filter.put([last])[0]!;
        const rest = frame.subarray(0, 1 + (cut % (frame.length - 1)));
        expect(filter.get([...filter.put(values), rest])).toEqual(values);
        expect(filter.get_pending()).toEqual([rest]);
      }),
    );
  });
});
