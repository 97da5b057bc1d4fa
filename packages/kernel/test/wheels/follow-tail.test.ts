import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session, UsageError, type EventArgs } from '../../src/index.js';
import { FilterBlock, FilterLine } from '../../src/filters/index.js';
import { FollowTail, type FollowTailOptions } from '../../src/wheels/follow-tail.js';
import { runBounded } from '../../../../test/support/index.js';

const { EMSGSIZE, ENOTDIR } = constants.errno;

const dir = mkdtempSync(join(tmpdir(), 'poets-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const newPath = () => join(dir, `file-${++fileCount}`);

type Wheel = FollowTail<unknown>;
interface Ctx {
  wheel: Wheel;
  log: unknown[][];
  /** How many IdleEvents so far. */
  idles: number;
  /** Destroys the wheel (the session then ends). */
  done(): void;
}
type Heap = { ctx?: Ctx };
type Ev = EventArgs<Heap>;

interface Script {
  idle?: (ctx: Ctx) => void;
  input?: (ctx: Ctx, record: unknown) => void;
  reset?: (ctx: Ctx) => void;
  error?: (ctx: Ctx, args: unknown[]) => void;
  start?: (ctx: Ctx) => void;
}

const EVENTS = { InputEvent: 'input', ErrorEvent: 'error', ResetEvent: 'reset', IdleEvent: 'idle' } as const;

/** Follows with a wheel that logs every event as [name, ...args]; the script reacts and ends it. */
async function tail(options: FollowTailOptions<unknown>, script: Script, ms = 3000): Promise<{ log: unknown[][]; id: number }> {
  const kernel = new Kernel();
  const log: unknown[][] = [];
  let id = 0;
  const on = (name: 'input' | 'reset' | 'error' | 'idle') => (_: Ev) => {
    const ctx = _[HEAP].ctx!;
    const args = _.slice(ARG0);
    if (name !== 'idle') log.push([name, ...args]);
    if (name === 'idle') ctx.idles++;
    if (name === 'input') script.input?.(ctx, args[0]);
    else if (name === 'reset') script.reset?.(ctx);
    else if (name === 'error') script.error?.(ctx, args);
    else script.idle?.(ctx);
  };
  Session.create<Heap>({
    kernel,
    heap: {},
    inline_states: {
      _start: (_: Ev) => {
        const wheel = new FollowTail(options);
        id = wheel.ID();
        const ctx: Ctx = { wheel, log, idles: 0, done: () => wheel.destroy() };
        _[HEAP].ctx = ctx;
        script.start?.(ctx);
      },
      input: on('input'),
      reset: on('reset'),
      error: on('error'),
      idle: on('idle'),
    },
  });
  await runBounded(kernel, ms);
  return { log, id };
}

const inputs = (log: unknown[][]) => log.filter((entry) => entry[0] === 'input').map((entry) => entry[1]);
const kinds = (log: unknown[][]) => log.map((entry) => (entry[0] === 'input' ? `input:${String(entry[1])}` : String(entry[0])));

describe('POE::Wheel::FollowTail', () => {
  it('starts at the end by default: old lines are skipped, a partial last line is completed by what is appended', async () => {
    const file = newPath();
    writeFileSync(file, 'old one\nold two\npart');
    let startedAt: number | undefined;
    const { log, id } = await tail(
      { Filename: file, PollInterval: 0.02, ...EVENTS },
      {
        start: (ctx) => {
          startedAt = ctx.wheel.tell();
          appendFileSync(file, 'ial\nnew\n');
        },
        input: (ctx, record) => record === 'new' && ctx.done(),
      },
    );
    expect(startedAt).toBe(Buffer.byteLength('old one\nold two\npart'));
    expect(log).toEqual([
      ['input', 'partial', id],
      ['input', 'new', id],
    ]);
  });

  it('SeekBack starts that many bytes before the end (all of a shorter file; 0 is the end)', async () => {
    const file = newPath();
    writeFileSync(file, 'a\nb\nc\n');
    for (const [seekBack, expected] of [[4, ['b', 'c']], [100, ['a', 'b', 'c']], [0, []]] as const) {
      const { log } = await tail(
        { Filename: file, SeekBack: seekBack, PollInterval: 0.02, ...EVENTS },
        { idle: (ctx) => ctx.done() },
      );
      expect(inputs(log)).toEqual(expected);
    }
  });

  it('Seek starts at an absolute offset (0 is the beginning; past the end is the end)', async () => {
    const file = newPath();
    writeFileSync(file, 'a\nb\nc\n');
    for (const [seek, expected] of [[2, ['b', 'c']], [0, ['a', 'b', 'c']], [1000, []]] as const) {
      const { log } = await tail({ Filename: file, Seek: seek, PollInterval: 0.02, ...EVENTS }, { idle: (ctx) => ctx.done() });
      expect(inputs(log)).toEqual(expected);
    }
  });

  it('PollInterval defaults to one second, as POE', async () => {
    const file = newPath();
    writeFileSync(file, '');
    const times: number[] = [];
    await tail({ Filename: file, ...EVENTS }, { idle: (ctx) => (times.push(Date.now()), ctx.idles === 2 && ctx.done()) }, 4000);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('a file that does not exist yet is polled for silently (IdleEvent); once it appears: ResetEvent, then it is read from its start', async () => {
    const file = newPath();
    let tellBefore: number | undefined = -1;
    const { log, id } = await tail(
      { Filename: file, PollInterval: 0.02, ...EVENTS },
      {
        start: (ctx) => (tellBefore = ctx.wheel.tell()),
        idle: (ctx) => ctx.idles === 3 && writeFileSync(file, 'hello\nworld\n'),
        input: (ctx, record) => record === 'world' && ctx.done(),
      },
    );
    expect(tellBefore).toBeUndefined();
    expect(log).toEqual([['reset', id], ['input', 'hello', id], ['input', 'world', id]]);
  });

  it('a truncated file: ResetEvent, and reading restarts at its beginning', async () => {
    const file = newPath();
    writeFileSync(file, 'one\ntwo\nthree\n');
    const { log } = await tail(
      { Filename: file, Seek: 0, PollInterval: 0.02, ...EVENTS },
      {
        input: (ctx, record) => {
          if (record === 'three') {
            truncateSync(file, 0);
            appendFileSync(file, 'new\n');
          }
          if (record === 'new') ctx.done();
        },
      },
    );
    expect(kinds(log)).toEqual(['input:one', 'input:two', 'input:three', 'reset', 'input:new']);
  });

  it('a rotated file: the rest of the old file is read first, then ResetEvent and the new file from its start', async () => {
    const file = newPath();
    writeFileSync(file, 'before\n');
    const { log } = await tail(
      { Filename: file, PollInterval: 0.02, ...EVENTS },
      {
        idle: (ctx) => {
          if (ctx.idles !== 1) return;
          appendFileSync(file, 'last of old\n');
          renameSync(file, `${file}.1`);
          writeFileSync(file, 'first of new\n');
        },
        input: (ctx, record) => record === 'first of new' && ctx.done(),
      },
    );
    expect(kinds(log)).toEqual(['input:last of old', 'reset', 'input:first of new']);
  });

  it('a removed file is waited for, silently; a new one at the name is read from its start', async () => {
    const file = newPath();
    writeFileSync(file, '');
    const { log } = await tail(
      { Filename: file, PollInterval: 0.02, ...EVENTS },
      {
        idle: (ctx) => {
          if (ctx.idles === 1) unlinkSync(file);
          if (ctx.idles === 4) writeFileSync(file, 'reborn\n');
        },
        input: (ctx) => ctx.done(),
      },
    );
    expect(kinds(log)).toEqual(['reset', 'input:reborn']);
  });

  it('a line longer than the filter MaxLength is dropped as it arrives (bounded memory), reported, and the next line comes through', async () => {
    const file = newPath();
    writeFileSync(file, '');
    const size = 4 * 1024 * 1024;
    const { log, id } = await tail(
      { Filename: file, Filter: new FilterLine({ MaxLength: 1024 }), PollInterval: 0.02, ...EVENTS },
      {
        idle: (ctx) => ctx.idles === 1 && appendFileSync(file, `${'x'.repeat(size)}\nok\n`),
        input: (ctx) => ctx.done(),
      },
    );
    expect(log[0]).toEqual(['error', 'read', EMSGSIZE, expect.any(String), id]);
    expect(inputs(log)).toEqual(['ok']);
  });

  it('reads from where it stopped: tell() follows the file as it grows, in blocks', async () => {
    const file = newPath();
    writeFileSync(file, '');
    const tells: (number | undefined)[] = [];
    let lines = 0;
    const total = 30000;
    await tail(
      { Filename: file, PollInterval: 0.02, ...EVENTS },
      {
        idle: (ctx) => {
          tells.push(ctx.wheel.tell());
          if (ctx.idles === 1) appendFileSync(file, Array.from({ length: total }, (_, i) => `line ${i}\n`).join(''));
        },
        input: (ctx) => {
          if (++lines === total) ctx.done();
        },
      },
    );
    expect(lines).toBe(total);
    expect(tells[0]).toBe(0);
  });

  it('a stat error other than a missing file is reported as a stat ErrorEvent and the wheel stops polling, as POE', async () => {
    const sub = join(dir, `sub-${++fileCount}`);
    mkdirSync(sub);
    const file = join(sub, 'log');
    writeFileSync(file, '');
    let idlesAfter = 0;
    const { log, id } = await tail(
      { Filename: file, PollInterval: 0.02, ...EVENTS },
      {
        idle: (ctx) => {
          if (ctx.idles === 1) {
            rmSync(sub, { recursive: true });
            writeFileSync(sub, 'now a file');
          } else if (ctx.log.length > 0) idlesAfter++;
        },
        error: (ctx) => setTimeout(() => ctx.done(), 100),
      },
    );
    expect(log).toEqual([['error', 'stat', ENOTDIR, 'Not a directory', id, expect.objectContaining({ code: 'ENOTDIR' })]]);
    expect(idlesAfter).toBe(0);
    rmSync(sub);
  });

  it('follows an open file descriptor (Handle): appended lines, truncation as a reset; the descriptor stays open', async () => {
    const file = newPath();
    writeFileSync(file, 'skip\n');
    const fd = openSync(file, 'r');
    try {
      const { log } = await tail(
        { Handle: fd, SeekBack: 0, PollInterval: 0.02, ...EVENTS },
        {
          idle: (ctx) => ctx.idles === 1 && appendFileSync(file, 'added\n'),
          input: (ctx, record) => {
            if (record === 'added') {
              truncateSync(file, 0);
              appendFileSync(file, 'x\n');
            } else ctx.done();
          },
        },
      );
      expect(kinds(log)).toEqual(['input:added', 'reset', 'input:x']);
      expect(fstatSync(fd).isFile()).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('follows a fs.promises FileHandle given as Handle', async () => {
    const file = newPath();
    writeFileSync(file, 'a\n');
    const handle = await openHandle(file, 'r');
    try {
      const { log } = await tail({ Handle: handle, Seek: 0, PollInterval: 0.02, ...EVENTS }, { input: (ctx) => ctx.done() });
      expect(inputs(log)).toEqual(['a']);
    } finally {
      await handle.close();
    }
  });

  it('follows a Readable stream given as Handle: records as they come; its end is IdleEvent (a socket: read error 0)', async () => {
    const stream = new PassThrough();
    const { log } = await tail(
      { Handle: stream, Filter: new FilterBlock({ BlockSize: 4 }), ...EVENTS },
      {
        start: () => {
          stream.write('abcdef');
          setTimeout(() => stream.end('gh'), 20);
        },
        idle: (ctx) => ctx.done(),
      },
    );
    expect(inputs(log).map(String)).toEqual(['abcd', 'efgh']);

    const server = createServer((socket) => socket.end('one\ntwo\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    try {
      const { log: socketLog, id } = await tail({ Handle: socket, ...EVENTS }, { error: (ctx) => ctx.done() });
      expect(socketLog).toEqual([['input', 'one', id], ['input', 'two', id], ['error', 'read', 0, '', id]]);
    } finally {
      socket.destroy();
      server.close();
    }
  });

  it('follows a FIFO by name, as POE (opened for reading and writing, so it never ends)', async () => {
    const fifo = join(dir, `fifo-${++fileCount}`);
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here
    }
    const { log } = await tail(
      { Filename: fifo, ...EVENTS },
      {
        start: () => setTimeout(() => writeFileSync(fifo, 'foo\nbar\n'), 20),
        input: (ctx, record) => record === 'bar' && ctx.done(),
      },
    );
    expect(inputs(log)).toEqual(['foo', 'bar']);
  });

  it('destroy() stops polling and releases the session; nothing is dispatched after it', async () => {
    const file = newPath();
    writeFileSync(file, '');
    let after = 0;
    const kernel = new Kernel();
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const wheel = new FollowTail({ Filename: file, PollInterval: 0.01, ...EVENTS });
          wheel.destroy();
          wheel.destroy();
          appendFileSync(file, 'late\n');
        },
        input: () => void after++,
        idle: () => void after++,
        reset: () => void after++,
      },
    });
    await runBounded(kernel, 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(after).toBe(0);
  });

  it('a session stopped by force destroys its wheel', async () => {
    const kernel = new Kernel();
    let stopped = false;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          new FollowTail({ Filename: newPath(), PollInterval: 0.01, ...EVENTS });
          _[KERNEL].yield('halt');
        },
        halt: (_) => _[KERNEL].stop(),
        _stop: () => void (stopped = true),
      },
    });
    await runBounded(kernel, 1000);
    expect(stopped).toBe(true);
  });

  it('event() renames events, in pairs or as an object; InputEvent cannot be unset', async () => {
    const file = newPath();
    writeFileSync(file, 'x\n');
    const warnings: string[] = [];
    const warn = vi.spyOn(Kernel.prototype, 'warn').mockImplementation((line: string) => void warnings.push(line));
    let refused = '';
    try {
      const { log } = await tail(
        { Filename: file, Seek: 0, InputEvent: 'wrong', IdleEvent: 'wrong' },
        {
          start: (ctx) => {
            ctx.wheel.event('InputEvent', 'input', 'IdleEvent', 'idle');
            ctx.wheel.event({ ResetEvent: 'reset', ErrorEvent: 'error' });
            ctx.wheel.event('InputEvent', undefined);
            try {
              ctx.wheel.event('Bogus', 'x');
            } catch (error) {
              refused = String(error);
            }
          },
          input: (ctx) => ctx.done(),
        },
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(inputs(log)).toEqual(['x']);
    } finally {
      warn.mockRestore();
    }
    expect(refused).toMatch(/unknown event parameter 'Bogus'/);
    expect(warnings.some((message) => /InputEvent requires an event name/.test(message))).toBe(true);
  });

  it.each([
    ['neither Filename nor Handle', { InputEvent: 'x' }, /Handle or Filename/],
    ['both Filename and Handle', { InputEvent: 'x', Filename: '/tmp/x', Handle: 0 }, /Handle or Filename/],
    ['no InputEvent', { Filename: '/tmp/x' }, /InputEvent required/],
    ['Seek with SeekBack', { InputEvent: 'x', Filename: '/tmp/x', Seek: 1, SeekBack: 1 }, /Seek and SeekBack/],
    ['a directory', { InputEvent: 'x', Filename: tmpdir() }, /does not tail directories/],
    ['a negative PollInterval', { InputEvent: 'x', Filename: '/tmp/x', PollInterval: -1 }, /PollInterval/],
  ] as [string, FollowTailOptions<unknown>, RegExp][])('refuses %s', (_name, options, problem) => {
    const kernel = new Kernel();
    let message = '';
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          try {
            new FollowTail(options).destroy();
          } catch (error) {
            message = String(error);
          }
        },
      },
    });
    kernel.stop();
    expect(message).toMatch(problem);
  });

  it('must be created inside a session', () => {
    expect(() => new FollowTail({ Filename: '/tmp/x', InputEvent: 'x' })).toThrow(UsageError);
  });
});
