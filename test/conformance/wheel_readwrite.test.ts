// poe-test-loops wheel_readwrite: constructor checks, then a wheel reading, pausing, resuming,
// writing with water marks and shutting down. POE reads and writes a temporary file; Node's
// streams need a Duplex, so a loopback TCP pair stands in for it.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, Session, isFilter, type EventArgs } from '@poets/kernel';
import { ReadWrite, type ReadWriteOptions } from '@poets/kernel';
import { readAll, socketPair } from '../../packages/kernel/test/wheels/socket-pair.js';
import { runBounded } from './helpers.js';

function constructorError(options: ReadWriteOptions): string {
  const kernel = new Kernel();
  let message = '';
  Session.create({
    kernel,
    inline_states: {
      _start: () => {
        try {
          new ReadWrite(options).destroy();
        } catch (error) {
          message = String(error);
        }
      },
    },
  });
  kernel.stop();
  return message;
}

describe('wheel_readwrite', () => {
  it('has the whole method set', () => {
    for (const method of [
      'put', 'event', 'set_filter', 'set_input_filter', 'set_output_filter', 'set_high_mark', 'set_low_mark',
      'get_driver_out_octets', 'get_driver_out_messages', 'ID', 'pause_input', 'resume_input', 'shutdown_input', 'shutdown_output',
    ]) {
      expect(typeof (ReadWrite.prototype as unknown as Record<string, unknown>)[method], method).toBe('function');
    }
  });

  it.each([
    ['no arguments', {}],
    ['an InputHandle without an OutputHandle', { InputHandle: new PassThrough() }],
    ['HighMark without LowMark', { Handle: new PassThrough(), HighMark: 5, HighEvent: 'high', LowEvent: 'low' }],
    ['LowMark without HighMark', { Handle: new PassThrough(), LowMark: 5, HighEvent: 'high', LowEvent: 'low' }],
    ['a negative HighMark', { Handle: new PassThrough(), LowMark: 5, HighMark: -1, HighEvent: 'high', LowEvent: 'low' }],
    ['a negative LowMark', { Handle: new PassThrough(), LowMark: -1, HighMark: 5, HighEvent: 'high', LowEvent: 'low' }],
    ['both marks negative', { Handle: new PassThrough(), LowMark: -1, HighMark: -1, HighEvent: 'high', LowEvent: 'low' }],
    ['marks with HighEvent only', { Handle: new PassThrough(), LowMark: 3, HighMark: 8, HighEvent: 'high' }],
    ['HighEvent without marks', { Handle: new PassThrough(), HighEvent: 'high' }],
    ['LowEvent without marks', { Handle: new PassThrough(), LowEvent: 'low' }],
    ['both mark events without marks', { Handle: new PassThrough(), LowEvent: 'low', HighEvent: 'high' }],
  ] as [string, ReadWriteOptions][])('refuses %s', (_name, options) => {
    expect(constructorError(options)).toMatch(/POE::Wheel::ReadWrite: /);
  });

  // POE's test also expects marks with only a LowEvent to fail, but POE's own checks accept them:
  // there the failure comes from the test's placeholder DATA handle. We follow the checks.
  it('accepts marks with a LowEvent and no HighEvent, as POE::Wheel::ReadWrite checks them', () => {
    expect(constructorError({ Handle: new PassThrough(), LowMark: 3, HighMark: 8, LowEvent: 'low' })).toBe('');
  });

  it('reads, pauses and resumes, writes through flushes with water marks, and shuts down', async () => {
    const pair = await socketPair();
    const lines = ['TMPDATA 12345', 'TMPDATA ABCDE', `${process.pid} node ${process.version}`];
    const kernel = new Kernel();
    type Heap = Record<string, unknown> & { wheel?: ReadWrite; read: number; counts: Record<string, number>; readMachine: string; writeMachine: string };
    type Ev = EventArgs<Heap>;
    let final: Heap | undefined;
    const count = (_: Ev, what: string) => void (_[HEAP].counts[what] = (_[HEAP].counts[what] ?? 0) + 1);
    Session.create<Heap>({
      kernel,
      heap: { read: 0, counts: {}, readMachine: 'start', writeMachine: 'start' },
      inline_states: {
        _start: (_: Ev) => {
          const wheel = new ReadWrite({
            Handle: pair.near,
            LowMark: 1,
            HighMark: 12,
            InputEvent: 'wrong',
            FlushedEvent: 'wrong',
            ErrorEvent: 'wrong',
            HighEvent: 'wrong',
            LowEvent: 'wrong',
          });
          wheel.event({ InputEvent: 'input', FlushedEvent: 'flushed', ErrorEvent: 'error', HighEvent: 'high', LowEvent: 'low' });
          _[HEAP].wheel = wheel;
          _[HEAP].id = wheel.ID();
          pair.far.write(lines.map((l) => `${l}\n`).join(''));
        },
        wrong: (_: Ev) => void count(_, 'wrong'),
        input: (_: Ev) => {
          const heap = _[HEAP];
          heap.read++;
          count(_, 'input');
          if (_[ARG1] !== heap.id) count(_, 'wrong_id');
          if (heap.read === 1) heap.filtersOk = isFilter(heap.wheel!.get_input_filter()) && isFilter(heap.wheel!.get_output_filter());
          if (heap.readMachine === 'start') {
            heap.wheel!.pause_input();
            heap.readMachine = 'paused';
            _[KERNEL].delay('resume', 0.05);
          } else if (heap.readMachine === 'paused' && heap.read === lines.length) {
            // The second pass over the data, as POE's test re-reads its file.
            heap.readMachine = 'again';
            pair.far.write(lines.map((l) => `${l}\n`).join(''));
          } else if (heap.readMachine === 'again' && heap.read === 2 * lines.length) {
            heap.readMachine = 'stop';
            heap.wheel!.put('LINE 1');
            heap.writeMachine = 'line2';
          }
          void _[ARG0];
        },
        resume: (_: Ev) => _[HEAP].wheel!.resume_input(),
        flushed: (_: Ev) => {
          const heap = _[HEAP];
          count(_, 'flushed');
          if (_[ARG0] !== heap.id) count(_, 'wrong_id');
          if (heap.writeMachine === 'line2') {
            heap.wheel!.put('LINE 2', 'LINE 3', 'LINE 4');
            heap.writeMachine = 'line5';
          } else if (heap.writeMachine === 'line5') {
            heap.wheel!.put('LINE 5');
            heap.wheel!.put('LINE 6');
            heap.wheel!.put('LINE 7');
            heap.writeMachine = 'delete';
          } else if (heap.writeMachine === 'delete') {
            heap.writeMachine = 'stop';
            heap.wheel!.shutdown_input();
            heap.wheel!.shutdown_output();
            heap.wheel!.destroy();
          }
        },
        high: (_: Ev) => void count(_, 'high'),
        low: (_: Ev) => void count(_, 'low'),
        error: (_: Ev) => void count(_, 'error'),
        _stop: (_: Ev) => void (final = _[HEAP]),
      },
    });
    const written = readAll(pair.far);
    pair.far.on('end', () => pair.far.end());
    await runBounded(kernel);
    expect(final!.counts.input).toBe(2 * lines.length);
    expect(final!.counts.flushed).toBe(3);
    // POE's test has its 'high event happened' check commented out: put() passing the mark
    // raises no HighEvent there (the high-water state is put()'s return value).
    expect(final!.counts.high).toBeUndefined();
    expect(final!.counts.low).toBeGreaterThan(0);
    expect(final!.counts.wrong).toBeUndefined();
    expect(final!.counts.wrong_id).toBeUndefined();
    expect(final!.filtersOk).toBe(true);
    expect(final!.readMachine).toBe('stop');
    expect(final!.writeMachine).toBe('stop');
    expect(await written).toBe([1, 2, 3, 4, 5, 6, 7].map((n) => `LINE ${n}\r\n`).join(''));
  });

  it('reports end of input as a read error with errno 0', async () => {
    const pair = await socketPair();
    const kernel = new Kernel();
    const errors: unknown[] = [];
    Session.create<{ wheel?: ReadWrite }>({
      kernel,
      inline_states: {
        _start: (_) => {
          _[HEAP].wheel = new ReadWrite({ Handle: pair.near, ErrorEvent: 'error' });
          pair.far.end();
        },
        error: (_) => {
          errors.push(_.slice(ARG0, ARG0 + 3));
          _[HEAP].wheel!.destroy();
        },
      },
    });
    await runBounded(kernel);
    expect(errors).toEqual([['read', 0, '']]);
  });
});
