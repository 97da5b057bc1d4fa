// The on-disk spool, alone and behind CommandFile: order, restarts, crash recovery, bounds.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandFile, type CommandFileOptions } from '../src/index.js';
import { lineTime, MemoryBacklog, type DropReason } from '../src/daemon/backlog.js';
import { Spool } from '../src/daemon/spool.js';
import { sleep, until } from '../../../test/support/index.js';

let dir: string;
const fds: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-spool-'));
});

afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
/** One time for every line a test builds (a test crossing a second boundary compares equal lines). */
const T0 = now();
const lineOf = (i: number, time = T0) => Buffer.from(`[${time}] PROCESS_SERVICE_CHECK_RESULT;host;svc-${i};0;output ${i}\n`);
const texts = (lines: Buffer[]) => lines.map((l) => l.toString('latin1'));

function spool(options: { maxBytes?: number; segmentBytes?: number } = {}) {
  const drops: [number, DropReason][] = [];
  const logs: string[] = [];
  const s = new Spool({ directory: join(dir, 'spool'), maxBytes: options.maxBytes ?? 1 << 20, onDrop: (n, r) => drops.push([n, r]), log: (l) => logs.push(l), ...(options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes }) });
  return { s, drops, logs };
}

/** Everything the spool holds, consumed. */
function drainAll(s: Spool): string[] {
  const out: string[] = [];
  for (let lines = s.peek(4096); lines.length > 0; lines = s.peek(4096)) {
    out.push(...texts(lines));
    s.consume(lines.length);
  }
  return out;
}

function fifoReader(path: string) {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  fds.push(fd);
  let text = '';
  const buf = Buffer.alloc(65536);
  return {
    read(): string {
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return text;
          throw error;
        }
        if (n <= 0) return text;
        text += buf.toString('latin1', 0, n);
      }
    },
  };
}

describe('Spool', () => {
  it('keeps lines in order across segments and across a reopen (a restart), deleting what was consumed', async () => {
    const first = spool({ segmentBytes: 200 });
    const lines = Array.from({ length: 30 }, (_, i) => lineOf(i));
    for (const line of lines) first.s.append([line]);
    expect(first.s.lines).toBe(30);
    expect(readdirSync(join(dir, 'spool')).filter((n) => n.endsWith('.spool')).length).toBeGreaterThan(5);
    await first.s.sync();
    const taken = first.s.peek(300);
    first.s.consume(taken.length);
    first.s.close();

    const second = spool({ segmentBytes: 200 });
    expect(second.s.lines).toBe(30 - taken.length);
    expect(second.logs[0]).toMatch(new RegExp(`${30 - taken.length} line\\(s\\) from before the last stop wait to be written`));
    expect([...texts(taken), ...drainAll(second.s)]).toEqual(texts(lines));
    expect(second.s.lines).toBe(0);
    // written-out segments are gone; the last is emptied in place
    const left = readdirSync(join(dir, 'spool')).filter((n) => n.endsWith('.spool'));
    expect(left).toHaveLength(1);
    expect(readFileSync(join(dir, 'spool', left[0]!)).length).toBe(0);
    second.s.close();
  });

  it('cuts off a last line left unfinished by a crash mid-append, and says so', () => {
    const first = spool();
    first.s.append([lineOf(1), lineOf(2)]);
    // a process killed mid-write leaves the start of a line
    const segment = readdirSync(join(dir, 'spool')).find((n) => n.endsWith('.spool'))!;
    appendFileSync(join(dir, 'spool', segment), '[1700000000] PROCESS_SERVICE_CHECK_RESULT;host;sv');
    rmSync(join(dir, 'spool', 'lock')); // as a SIGKILL leaves it: the pid is gone (here: the test's own, so remove it)
    const second = spool();
    expect(second.logs[0]).toMatch(/cutting off 49 byte\(s\) of an unfinished last line/);
    expect(drainAll(second.s)).toEqual(texts([lineOf(1), lineOf(2)]));
    second.s.append([lineOf(3)]);
    expect(drainAll(second.s)).toEqual(texts([lineOf(3)]));
    second.s.close(); // (the first is left as a killed process leaves it)
  });

  it('refuses a directory another live process holds', () => {
    const first = spool();
    expect(() => spool()).toThrow(/is in use by process \d+/);
    first.s.close();
    spool().s.close(); // released at close
  });

  it('past maxBytes drops the oldest segment, counting its lines', () => {
    const size = lineOf(0).length;
    const { s, drops } = spool({ maxBytes: size * 10, segmentBytes: size * 3 });
    for (let i = 0; i < 25; i++) s.append([lineOf(i)]);
    expect(s.bytes).toBeLessThanOrEqual(size * 10);
    const dropped = drops.reduce((a, [n]) => a + n, 0);
    expect(drops.every(([, r]) => r === 'bytes')).toBe(true);
    const left = drainAll(s);
    expect(left.length + dropped).toBe(25);
    // what is left is the newest, in order
    expect(left).toEqual(texts(Array.from({ length: left.length }, (_, i) => lineOf(25 - left.length + i))));
    s.close();
  });

  it('sync() resolves once what was appended is on disk, batching callers', async () => {
    const { s } = spool();
    expect(s.sync()).toBeUndefined();
    s.append([lineOf(1)]);
    const a = s.sync();
    s.append([lineOf(2)]);
    const b = s.sync();
    expect(a).toBeInstanceOf(Promise);
    await Promise.all([a, b]);
    expect(s.sync()).toBeUndefined();
    s.close();
  });
});

describe('MemoryBacklog and lineTime', () => {
  it('bounds by bytes, dropping the oldest whole lines', () => {
    const drops: number[] = [];
    const q = new MemoryBacklog(100, (n) => drops.push(n));
    q.append([Buffer.alloc(40, 'a'), Buffer.alloc(40, 'b'), Buffer.alloc(40, 'c')]);
    expect(q.lines).toBe(2);
    expect(q.bytes).toBe(80);
    expect(drops).toEqual([1]);
    expect(q.peek(10).map((b) => b[0])).toEqual([0x62]); // at least one line
  });

  it('reads the [time] of a command line', () => {
    expect(lineTime(Buffer.from('[1700000000] PROCESS_HOST_CHECK_RESULT;h;0;x\n'))).toBe(1700000000);
    expect(lineTime(Buffer.from('PROCESS_HOST_CHECK_RESULT;h;0;x\n'))).toBeUndefined();
    expect(lineTime(Buffer.from('[] x\n'))).toBeUndefined();
  });
});

describe('CommandFile with a spool', () => {
  function writer(path: string, options: Partial<CommandFileOptions> = {}) {
    const logs: string[] = [];
    const file = new CommandFile({ path, append: true, aggregate: false, log: (l) => logs.push(l), spoolDirectory: join(dir, 'spool'), ...options });
    return { file, logs };
  }

  it('spools what a FIFO without a reader cannot take, and after a restart writes it, in order, before newer lines', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const first = writer(fifo);
    for (let i = 0; i < 50; i++) first.file.write(lineOf(i));
    await sleep(10);
    expect(first.file.spooled).toBe(true);
    expect(first.file.pending).toBe(50);
    expect(first.logs[0]).toMatch(/nagios\.cmd cannot take lines now \(no process is reading it\); keeping them in the spool/);
    expect(await first.file.close(100)).toBe(0); // nothing lost: it stays in the spool
    expect(first.logs.at(-1)).toMatch(/50 line\(s\) stay in the spool for the next start/);

    const reader = fifoReader(fifo);
    const second = writer(fifo);
    second.file.write(lineOf(50));
    const expected = Array.from({ length: 51 }, (_, i) => lineOf(i).toString('latin1')).join('');
    await until(() => reader.read().length >= expected.length && second.file.pending === 0);
    expect(reader.read()).toBe(expected);
    expect(await second.file.close()).toBe(0);
  });

  it('whenSafe() resolves once the lines are synced to the spool (a FIFO with no reader)', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const { file } = writer(fifo);
    expect(file.whenSafe()).toBeUndefined();
    file.write(lineOf(1));
    const safe = file.whenSafe();
    expect(safe).toBeInstanceOf(Promise);
    await safe;
    // on disk, where a restart finds it
    const segment = readdirSync(join(dir, 'spool')).find((n) => n.endsWith('.spool'))!;
    expect(readFileSync(join(dir, 'spool', segment), 'latin1')).toBe(lineOf(1).toString('latin1'));
    await file.close(0);
  });

  it('drops lines older than maxQueueAge when their turn comes, counted and logged', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const { file, logs } = writer(fifo, { maxQueueAge: 60 });
    file.write(lineOf(1, now() - 3600));
    file.write(lineOf(2, now() - 3600));
    const fresh = lineOf(3, now());
    file.write(fresh);
    await sleep(20);
    const reader = fifoReader(fifo);
    await until(() => file.pending === 0);
    expect(reader.read()).toBe(fresh.toString('latin1'));
    expect(file.droppedLines).toBe(2);
    expect(logs.some((l) => /dropping the oldest waiting lines \(older than 60 s\)/.test(l))).toBe(true);
    expect(logs.at(-1)).toMatch(/takes lines again after .*; 2 past the age limit line\(s\) were dropped meanwhile/);
    await file.close();
  });

  it('drains a backlog at the reader speed, not behind a retry timer', async () => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const { file } = writer(fifo);
    const count = 20_000; // ~1.4 MB: twenty pipes full
    for (let i = 0; i < count; i++) file.write(lineOf(i));
    await sleep(20);
    const reader = fifoReader(fifo);
    await until(() => {
      reader.read();
      return file.pending === 0;
    }, 20_000);
    const got = reader.read().split('\n');
    expect(got.pop()).toBe('');
    expect(got).toHaveLength(count);
    got.forEach((l, i) => expect(l).toMatch(new RegExp(`^\\[\\d+\\] PROCESS_SERVICE_CHECK_RESULT;host;svc-${i};0;output ${i}$`)));
    await file.close();
  });
});

describe('a backlog bound reached while the writer holds peeked lines', () => {
  it('MemoryBacklog: consume() after a drop removes only the peeked lines still there', () => {
    const q = new MemoryBacklog(30, () => {});
    q.append([Buffer.alloc(10, 'a'), Buffer.alloc(10, 'b'), Buffer.alloc(10, 'c')]);
    const peeked = q.peek(20); // a, b: being written
    q.append([Buffer.alloc(10, 'd')]); // drops a
    q.consume(peeked.length); // a was dropped already: only b goes
    expect(q.peek(100).map((b) => String.fromCharCode(b[0]!))).toEqual(['c', 'd']);
  });

  it('Spool: consume() after the head segment was dropped removes nothing more', () => {
    const size = lineOf(0).length;
    const { s } = spool({ maxBytes: size * 4, segmentBytes: size * 2 });
    for (let i = 0; i < 4; i++) s.append([lineOf(i)]);
    const peeked = s.peek(size); // line 0: being written
    s.append([lineOf(4)]); // drops the segment holding 0 and 1
    s.consume(peeked.length);
    expect(drainAll(s)).toEqual(texts([2, 3, 4].map((i) => lineOf(i))));
    s.close();
  });
});

describe('CommandFile: the reader goes away in the middle of a backlog', () => {
  it.each([true, false])('loses and repeats nothing when Nagios closes its pipe mid-drain and opens it again (spool %s)', async (withSpool) => {
    const fifo = join(dir, 'nagios.cmd');
    execFileSync('mkfifo', [fifo]);
    const logs: string[] = [];
    const file = new CommandFile({ path: fifo, append: true, aggregate: false, log: (l) => logs.push(l), ...(withSpool ? { spoolDirectory: join(dir, 'spool') } : {}) });
    const count = 5000; // ~350 KB: several pipes full
    for (let i = 0; i < count; i++) file.write(lineOf(i));
    await sleep(20);
    // a reader that takes some, then stops and goes away (what it had not read is its own loss:
    // it reads everything the pipe holds before it closes, in one go, so nothing is in between)
    const buf = Buffer.alloc(65536);
    let text = '';
    let fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const drainNow = () => {
      for (;;) {
        try {
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n <= 0) return;
          text += buf.toString('latin1', 0, n);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
          throw error;
        }
      }
    };
    await until(() => {
      drainNow();
      return text.length > 100_000;
    });
    drainNow();
    closeSync(fd);
    await sleep(200); // the writer sees EPIPE, then no reader
    expect(file.pending).toBeGreaterThan(0);
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await until(() => {
      drainNow();
      return file.pending === 0;
    }, 10_000);
    drainNow();
    closeSync(fd);
    const got = text.split('\n');
    expect(got.pop()).toBe('');
    for (const line of got) expect(line).toMatch(/^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;host;svc-\d+;0;output \d+$/);
    expect(got.map((l) => Number(/svc-(\d+);/.exec(l)![1]))).toEqual(Array.from({ length: count }, (_, i) => i));
    await file.close();
  });
});
