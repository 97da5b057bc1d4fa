import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, ARG3, HEAP, KERNEL, Kernel, Session, type EventArgs } from '../../src/index.js';
import { FilterBlock, FilterLine, FilterStream, type Chunk } from '../../src/filters/index.js';
import { ReadWrite } from '../../src/wheels/read-write.js';
import { readAll, socketPair } from './socket-pair.js';
import { runBounded } from '../../../../test/support/index.js';

type Heap<W = ReadWrite> = { wheel?: W; log: unknown[] };
type Ev<W = ReadWrite> = EventArgs<Heap<W>>;
/** A wheel with a Stream filter: Buffers in, chunks out. */
type StreamWheel = ReadWrite<Buffer, Chunk>;

describe('POE::Wheel::ReadWrite', () => {
  it('turns input lines into InputEvents and puts records as lines; EOF is a read error with errno 0', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: { log },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, InputEvent: 'got', ErrorEvent: 'failed' });
        },
        got: (_: Ev) => {
          log.push(['got', _[ARG0], _[ARG1] === _[HEAP].wheel!.ID()]);
          _[HEAP].wheel!.put(`echo: ${String(_[ARG0])}`);
        },
        failed: (_: Ev) => {
          log.push(['error', _[ARG0], _[ARG1], _[ARG2]]);
          _[HEAP].wheel!.destroy();
        },
      },
    });
    const received = readAll(pair.far);
    pair.far.write('one\ntwo\r\nthr');
    setTimeout(() => pair.far.end('ee\n'), 20);
    await kernel.run();
    expect(log).toEqual([
      ['got', 'one', true],
      ['got', 'two', true],
      ['got', 'three', true],
      ['error', 'read', 0, ''],
    ]);
    expect(await received).toBe('echo: one\r\necho: two\r\necho: three\r\n');
  });

  it('writes everything put while one input chunk is handled in one socket write', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const writes: number[] = [];
    const original = pair.near.write.bind(pair.near);
    pair.near.write = ((data: string | Buffer, ...rest: never[]) => {
      writes.push(Buffer.byteLength(data));
      return original(data, ...rest);
    }) as typeof pair.near.write;
    let lines = 0;
    Session.create<Heap>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, Filter: new FilterLine({ Literal: '\n' }), InputEvent: 'got', FlushedEvent: 'flushed' });
        },
        got: (_: Ev) => {
          lines++;
          _[HEAP].wheel!.put(String(_[ARG0]));
        },
        flushed: (_: Ev) => {
          if (lines === 100) _[HEAP].wheel!.destroy();
        },
      },
    });
    const received = readAll(pair.far);
    pair.far.write(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
    await kernel.run();
    expect(writes).toEqual([Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('').length]);
    expect((await received).split('\n')).toHaveLength(101);
  });

  it('switches filters mid-stream without losing buffered bytes', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: { log },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, Filter: new FilterLine({ Literal: '\n' }), InputEvent: 'line' });
        },
        line: (_: Ev) => {
          log.push(['line', _[ARG0]]);
          if (_[ARG0] === 'BLOCKS') {
            _[HEAP].wheel!.set_filter(new FilterBlock({ BlockSize: 4 }) as never);
            _[HEAP].wheel!.event('InputEvent', 'block');
          }
        },
        block: (_: Ev) => {
          log.push(['block', (_[ARG0] as Buffer).toString()]);
          if (log.length === 4) _[HEAP].wheel!.destroy();
        },
      },
    });
    // One chunk: the line that switches, and the blocks after it, already in the old filter's buffer.
    pair.far.write('hello\nBLOCKS\nabcdefgh');
    await kernel.run();
    pair.close();
    expect(log).toEqual([
      ['line', 'hello'],
      ['line', 'BLOCKS'],
      ['block', 'abcd'],
      ['block', 'efgh'],
    ]);
  });

  it('tells the session when output passes HighMark and falls to LowMark, with a peer that reads late', async () => {
    const pair = await socketPair();
    pair.far.pause();
    const kernel = new Kernel();
    const log: string[] = [];
    const chunk = 'x'.repeat(64 * 1024);
    Session.create<Heap<StreamWheel>>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev<StreamWheel>) => {
          _[HEAP].wheel = new ReadWrite({
            Handle: pair.near,
            Filter: new FilterStream(),
            HighMark: 512 * 1024,
            LowMark: 16 * 1024,
            HighEvent: 'high',
            LowEvent: 'low',
            FlushedEvent: 'flushed',
          });
          _[KERNEL].yield('fill');
        },
        fill: (_: Ev<StreamWheel>) => {
          // Put until the wheel says the high mark is reached, then stop: memory stays bounded.
          while (!_[HEAP].wheel!.put(chunk)) {
            /* keep putting */
          }
          log.push(`octets ${_[HEAP].wheel!.get_driver_out_octets() >= 512 * 1024}`);
          setTimeout(() => pair.far.resume(), 20);
        },
        high: () => void log.push('high'),
        low: () => void log.push('low'),
        flushed: (_: Ev<StreamWheel>) => {
          log.push('flushed');
          _[HEAP].wheel!.destroy();
        },
      },
    });
    await kernel.run();
    pair.close();
    // As POE's put(): a program told by put() that the mark is passed gets no HighEvent too.
    expect(log).toEqual(['octets true', 'low', 'flushed']);
  });

  it('HighEvent comes from the write side, only on a crossing: output still past a mark lowered by set_high_mark', async () => {
    const pair = await socketPair();
    pair.far.pause();
    const kernel = new Kernel();
    const log: string[] = [];
    const chunk = Buffer.alloc(64 * 1024, 'x');
    Session.create<Heap<StreamWheel>>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev<StreamWheel>) => {
          _[HEAP].wheel = new ReadWrite({
            Handle: pair.near,
            Filter: new FilterStream(),
            AutoFlush: true,
            HighMark: 64 * 1024 * 1024,
            LowMark: 16 * 1024,
            HighEvent: 'high',
            LowEvent: 'low',
            FlushedEvent: 'flushed',
          });
          let passed = false;
          for (let i = 0; i < 200; i++) passed = _[HEAP].wheel.put(chunk) || passed;
          log.push(`put ${passed}`);
          _[HEAP].wheel.set_high_mark(1024 * 1024);
        },
        high: () => {
          log.push('high');
          pair.far.resume();
        },
        low: () => void log.push('low'),
        flushed: (_: Ev<StreamWheel>) => {
          log.push('flushed');
          _[HEAP].wheel!.destroy();
        },
      },
    });
    await kernel.run();
    pair.close();
    expect(log).toEqual(['put false', 'high', 'low', 'flushed']);
  });

  it('reports a peer reset in the middle of a write with exactly one ErrorEvent, and never crashes', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const errors: unknown[] = [];
    Session.create<Heap<StreamWheel>>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev<StreamWheel>) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, Filter: new FilterStream(), ErrorEvent: 'failed' });
          _[KERNEL].yield('write');
        },
        write: (_: Ev<StreamWheel>) => {
          for (let i = 0; i < 64; i++) _[HEAP].wheel!.put(Buffer.alloc(64 * 1024));
          pair.far.resetAndDestroy();
          _[KERNEL].delay('done', 0.2);
        },
        failed: (_: Ev<StreamWheel>) => void errors.push([_[ARG0], typeof _[ARG1], _[ARG3]]),
        done: (_: Ev<StreamWheel>) => _[HEAP].wheel!.destroy(),
      },
    });
    await kernel.run();
    expect(errors).toHaveLength(1);
    expect((errors[0] as unknown[])[1]).toBe('number');
  });

  it('a peer reset: ErrorEvent ARG2 is the system text (Connection reset by peer), ARG4 Node\'s error', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const errors: unknown[][] = [];
    Session.create<Heap>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, InputEvent: 'got', ErrorEvent: 'failed' });
          pair.far.resetAndDestroy();
        },
        got: () => {},
        failed: (_: Ev) => {
          errors.push(_.slice(ARG0));
          _[HEAP].wheel!.destroy();
        },
      },
    });
    await kernel.run();
    pair.close();
    expect(errors).toEqual([['read', constants.errno.ECONNRESET, 'Connection reset by peer', expect.any(Number), expect.objectContaining({ code: 'ECONNRESET', message: 'read ECONNRESET' })]]);
  });

  it('output put in a long yield loop leaves at the next batch boundary, and the reply is read during the loop, as POE polls between batches', async () => {
    const pair = await socketPair();
    pair.far.on('data', (data: Buffer) => pair.far.write(data)); // an echoing peer
    // A slice that would never end by itself: only the batch-boundary rules can flush and read.
    const kernel = new Kernel({ sliceMs: 60_000 });
    const LIMIT = 3_000_000;
    let repliedAt: number | undefined;
    let spun = 0;
    Session.create<Heap>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, InputEvent: 'got' });
          _[KERNEL].yield('spin', 0);
        },
        spin: (_: Ev) => {
          const count = _[ARG0] as number;
          spun = count;
          if (count === 0) _[HEAP].wheel!.put('ping');
          if (repliedAt === undefined && count < LIMIT) _[KERNEL].yield('spin', count + 1);
        },
        got: (_: Ev) => {
          repliedAt = spun;
          _[HEAP].wheel!.destroy();
        },
      },
    });
    await kernel.run();
    pair.close();
    expect(repliedAt).toBeDefined();
    expect(repliedAt!).toBeLessThan(LIMIT);
  });

  it('a peer that sends 100 MB without a newline gets an error once MaxLength is passed; memory stays bounded', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const log: unknown[] = [];
    const block = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    let peakRss = 0;
    const baseRss = process.memoryUsage().rss;
    const pump = () => {
      while (sent < 100) {
        sent++;
        if (!pair.far.write(block)) return void pair.far.once('drain', pump);
      }
      pair.far.end('\nafter\n');
    };
    Session.create<Heap>({
      kernel,
      heap: { log },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, Filter: new FilterLine({ MaxLength: 64 * 1024 }), InputEvent: 'got', ErrorEvent: 'failed' });
          pump();
        },
        got: (_: Ev) => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          log.push(['got', String(_[ARG0]).slice(0, 10)]);
        },
        failed: (_: Ev) => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          log.push(['error', _[ARG0], _[ARG1] !== 0, _[ARG1] === 0 ? '' : 'too long']);
          if (_[ARG1] === 0) _[HEAP].wheel!.destroy();
        },
      },
    });
    await kernel.run();
    expect(log).toEqual([
      ['error', 'read', true, 'too long'],
      ['got', 'after'],
      ['error', 'read', false, ''],
    ]);
    expect(peakRss - baseRss).toBeLessThan(60 * 1024 * 1024);
  }, 30_000);

  it('after destroy() no event is dispatched and the session can end', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: { log },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, InputEvent: 'got', ErrorEvent: 'failed' });
        },
        got: (_: Ev) => {
          log.push(_[ARG0]);
          _[HEAP].wheel!.destroy();
        },
        failed: () => void log.push('error after destroy'),
        _stop: () => void log.push('stop'),
      },
    });
    pair.far.write('first\nsecond\nthird\n');
    await kernel.run();
    pair.close();
    expect(log).toEqual(['first', 'stop']);
  });

  it('pause_input stops InputEvents until resume_input; shutdown_output sends EOF after pending output', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: { log },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, InputEvent: 'got', ErrorEvent: 'failed' });
          _[HEAP].wheel.pause_input();
          _[KERNEL].delay('resume', 0.05);
          pair.far.write('early\n');
        },
        resume: (_: Ev) => {
          log.push('resume');
          _[HEAP].wheel!.resume_input();
        },
        got: (_: Ev) => {
          log.push(_[ARG0]);
          _[HEAP].wheel!.put('bye');
          _[HEAP].wheel!.shutdown_output();
        },
        failed: (_: Ev) => {
          log.push(['error', _[ARG0], _[ARG1]]);
          _[HEAP].wheel!.destroy();
        },
      },
    });
    const received = readAll(pair.far);
    pair.far.on('end', () => pair.far.end());
    await kernel.run();
    expect(log).toEqual(['resume', 'early', ['error', 'read', 0]]);
    expect(await received).toBe('bye\r\n');
  });

  it('closes at once on destroy after the peer finished with nothing left to write (no grace period)', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const seen: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, InputEvent: 'got', ErrorEvent: 'failed' });
        },
        got: (_: Ev) => void seen.push(_[ARG0]),
        failed: (_: Ev) => {
          seen.push(['error', _[ARG0], _[ARG1]]);
          _[HEAP].wheel!.destroy();
          // Closed now, not ended and left for the peer: nothing is pending and the peer is gone.
          seen.push(['destroyed at once', pair.near.destroyed]);
        },
      },
    });
    pair.far.end('last\n');
    await runBounded(kernel);
    expect(seen).toEqual(['last', ['error', 'read', 0], ['destroyed at once', true]]);
    pair.close();
  });

  // release() used to return right after destroying the output on the close-at-once path, leaving a
  // separate InputHandle open.
  it('with separate InputHandle and OutputHandle, destroy after EOF closes both at once', async () => {
    // autoDestroy off: only the wheel's own destroy() can close the input here.
    const input = new Readable({ read() {}, autoDestroy: false });
    const written: string[] = [];
    const output = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const kernel = new Kernel();
    const seen: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: { log: [] },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].wheel = new ReadWrite({ InputHandle: input, OutputHandle: output, InputEvent: 'got', ErrorEvent: 'failed' });
        },
        got: (_: Ev) => void seen.push(_[ARG0]),
        failed: (_: Ev) => {
          seen.push(['error', _[ARG0], _[ARG1]]);
          _[HEAP].wheel!.destroy();
          seen.push(['output destroyed', output.destroyed], ['input destroyed', input.destroyed]);
        },
      },
    });
    input.push('only\n');
    input.push(null);
    await runBounded(kernel);
    expect(seen).toEqual(['only', ['error', 'read', 0], ['output destroyed', true], ['input destroyed', true]]);
    expect(written).toEqual([]);
  });

  it('refuses to be made outside a session, or without a handle', () => {
    const kernel = new Kernel();
    expect(() => new ReadWrite({})).toThrow(/inside a session/);
    let error: unknown;
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          try {
            new ReadWrite({});
          } catch (e) {
            error = e;
          }
        },
      },
    });
    expect(String(error)).toMatch(/Handle or InputHandle required/);
  });
});
