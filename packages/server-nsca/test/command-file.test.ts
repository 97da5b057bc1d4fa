import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandFile, type CommandFileOptions } from '../src/index.js';
import { sleep, until } from '../../../test/support/index.js';

let dir: string;
const readers: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-cmdfile-'));
});

afterEach(() => {
  for (const fd of readers.splice(0)) {
    try {
      closeSync(fd);
    } catch {
      /* closed */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function writer(path: string, options: Partial<CommandFileOptions> = {}) {
  const logs: string[] = [];
  const file = new CommandFile({ path, append: true, aggregate: false, log: (l) => logs.push(l), ...options });
  return { file, logs };
}

const lineOf = (i: number, pad = 0) => Buffer.from(`[1700000000] PROCESS_SERVICE_CHECK_RESULT;host;svc-${i};0;output ${i}${'x'.repeat(pad)}\n`);

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** A non-blocking reader of a FIFO that reads only when asked. */
function fifoReader(path: string) {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  readers.push(fd);
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  return {
    /** Reads what the pipe holds now. */
    drain(): void {
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
          throw error;
        }
        if (n <= 0) return; // no writer has it open right now
        chunks.push(Buffer.from(buf.subarray(0, n)));
      }
    },
    text: () => Buffer.concat(chunks).toString('latin1'),
    bytes: () => Buffer.concat(chunks),
  };
}

describe('CommandFile', () => {
  it('appends lines to a regular file, batched, after what is there', async () => {
    const path = join(dir, 'cmd');
    writeFileSync(path, 'existing\n');
    const { file, logs } = writer(path);
    for (let i = 0; i < 3; i++) file.write(lineOf(i));
    expect(file.pending).toBe(3);
    await until(() => file.pending === 0);
    file.write(lineOf(3));
    await until(() => file.pending === 0);
    expect(readFileSync(path, 'latin1')).toBe(`existing\n${[0, 1, 2, 3].map((i) => lineOf(i).toString()).join('')}`);
    expect(await file.close()).toBe(0);
    expect(logs).toEqual([]);
  });

  it('without append_to_file writes at offset 0 of a regular file, as nsca', async () => {
    const path = join(dir, 'cmd');
    writeFileSync(path, 'x'.repeat(200));
    const { file } = writer(path, { append: false });
    file.write(Buffer.from('first\n'));
    await until(() => file.pending === 0);
    expect(readFileSync(path, 'latin1')).toBe(`first\n${'x'.repeat(194)}`);
    await file.close();
  });

  it('aggregate_writes keeps the file open (a renamed file still gets the lines); without it each batch opens the path again', async () => {
    const aggregated = join(dir, 'agg');
    writeFileSync(aggregated, '');
    const a = writer(aggregated, { aggregate: true });
    a.file.write(lineOf(1));
    await until(() => a.file.pending === 0);
    renameSync(aggregated, `${aggregated}.old`);
    writeFileSync(aggregated, '');
    a.file.write(lineOf(2));
    await until(() => a.file.pending === 0);
    expect(readFileSync(`${aggregated}.old`, 'latin1')).toBe(`${lineOf(1)}${lineOf(2)}`);
    expect(readFileSync(aggregated, 'latin1')).toBe('');
    await a.file.close();

    const plain = join(dir, 'plain');
    writeFileSync(plain, '');
    const p = writer(plain);
    p.file.write(lineOf(1));
    await until(() => p.file.pending === 0);
    renameSync(plain, `${plain}.old`);
    writeFileSync(plain, '');
    p.file.write(lineOf(2));
    await until(() => p.file.pending === 0);
    expect(readFileSync(`${plain}.old`, 'latin1')).toBe(`${lineOf(1)}`);
    expect(readFileSync(plain, 'latin1')).toBe(`${lineOf(2)}`);
    await p.file.close();
  });

  it('appends to alternate_dump_file while the command file is missing, then to the command file again', async () => {
    const path = join(dir, 'missing.cmd');
    const dump = join(dir, 'nsca.dump');
    const { file, logs } = writer(path, { alternateDumpFile: dump });
    file.write(lineOf(1));
    file.write(lineOf(2));
    await until(() => file.pending === 0);
    expect(readFileSync(dump, 'latin1')).toBe(`${lineOf(1)}${lineOf(2)}`);
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, '');
    file.write(lineOf(3));
    await until(() => file.pending === 0);
    expect(readFileSync(path, 'latin1')).toBe(`${lineOf(3)}`);
    expect(readFileSync(dump, 'latin1')).toBe(`${lineOf(1)}${lineOf(2)}`);
    await file.close();
    expect(logs).toEqual([]);
  });

  it('without alternate_dump_file keeps the lines of a missing file until it appears', async () => {
    const path = join(dir, 'later.cmd');
    const { file, logs } = writer(path);
    file.write(lineOf(1));
    await sleep(120);
    expect(file.pending).toBe(1);
    writeFileSync(path, '');
    await until(() => file.pending === 0);
    expect(readFileSync(path, 'latin1')).toBe(`${lineOf(1)}`);
    expect(logs[0]).toMatch(/later\.cmd cannot take lines now \(.*ENOENT.*\); keeping them in memory to write in order/);
    expect(logs[1]).toMatch(/later\.cmd takes lines again after \d+\.\d s$/);
    await file.close();
  });

  it('keeps the lines while a FIFO has no reader (nsca drops them) and writes them once one opens it', async () => {
    const path = join(dir, 'nagios.cmd');
    mkfifo(path);
    const { file, logs } = writer(path);
    for (let i = 0; i < 10; i++) file.write(lineOf(i));
    await sleep(150);
    expect(file.pending).toBe(10);
    expect(logs).toHaveLength(1); // logged once, not at every retry
    expect(logs[0]).toMatch(/nagios\.cmd cannot take lines now \(no process is reading it\); keeping them in memory/);
    const reader = fifoReader(path);
    await until(() => {
      reader.drain();
      return file.pending === 0 && reader.text().split('\n').length === 11;
    });
    reader.drain();
    expect(reader.text()).toBe(Array.from({ length: 10 }, (_, i) => lineOf(i).toString()).join(''));
    expect(logs[1]).toMatch(/takes lines again/);
    await file.close();
  });

  it.each([false, true])('loses nothing when the FIFO reader stops draining and starts again (aggregate_writes %s)', async (aggregate) => {
    const path = join(dir, 'slow.cmd');
    mkfifo(path);
    const reader = fifoReader(path);
    const { file, logs } = writer(path, { aggregate });
    const count = 3000; // ~270 KB: four times what a pipe holds
    for (let i = 0; i < count; i++) file.write(lineOf(i, 30));
    await until(() => file.pending < count);
    await sleep(150);
    const stalled = file.pending;
    expect(stalled).toBeGreaterThan(0); // the pipe is full and nobody reads
    await until(() => {
      reader.drain();
      return file.pending === 0 && reader.bytes().length >= Array.from({ length: count }, (_, i) => lineOf(i, 30).length).reduce((a, b) => a + b, 0);
    }, 10_000);
    reader.drain();
    const got = reader.text().split('\n');
    expect(got.pop()).toBe('');
    expect(got).toHaveLength(count);
    got.forEach((text, i) => expect(`${text}\n`).toBe(lineOf(i, 30).toString()));
    expect(logs.some((l) => /takes lines again/.test(l))).toBe(true);
    await file.close();
  });

  it('writes a line longer than a pipe buffer unit whole, in order, through a slow FIFO', async () => {
    const path = join(dir, 'long.cmd');
    mkfifo(path);
    const reader = fifoReader(path);
    const { file } = writer(path);
    const lines = [lineOf(0), lineOf(1, 9000), lineOf(2), lineOf(3, 70_000), lineOf(4)];
    for (const l of lines) file.write(l);
    await until(() => {
      reader.drain();
      return file.pending === 0 && reader.bytes().length === lines.reduce((a, l) => a + l.length, 0);
    }, 10_000);
    expect(reader.bytes().equals(Buffer.concat(lines))).toBe(true);
    await file.close();
  });

  it('writes the rest of a long line cut short by a full pipe even when no other line follows', async () => {
    const path = join(dir, 'alone.cmd');
    mkfifo(path);
    const reader = fifoReader(path);
    const { file } = writer(path);
    const line = lineOf(0, 70_000); // more than the pipe holds: the first write takes part of it
    file.write(line);
    await until(() => {
      reader.drain();
      return reader.bytes().length === line.length;
    }, 10_000);
    expect(reader.bytes().equals(line)).toBe(true);
    expect(file.pending).toBe(0);
    await file.close();
  });

  it('close() writes what is waiting at once, and reports what it could not write, without blocking the event loop', async () => {
    const path = join(dir, 'cmd');
    writeFileSync(path, '');
    const { file } = writer(path);
    file.write(lineOf(1));
    file.write(lineOf(2));
    const closing = file.close(); // before the batch's turn came
    expect(readFileSync(path, 'latin1')).toBe(`${lineOf(1)}${lineOf(2)}`);
    expect(await closing).toBe(0);

    const fifo = join(dir, 'noreader.cmd');
    mkfifo(fifo);
    const stuck = writer(fifo);
    stuck.file.write(lineOf(1));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const started = Date.now();
    expect(await stuck.file.close(300)).toBe(1);
    clearInterval(ticker);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(ticks).toBeGreaterThan(5); // the loop ran timers while close() waited (Atomics.wait would not)
    expect(() => stuck.file.write(lineOf(2))).toThrow(/write\(\) after close\(\)/);
  });

  it('close() with a reader that appears meanwhile writes everything', async () => {
    const fifo = join(dir, 'late.cmd');
    mkfifo(fifo);
    const { file } = writer(fifo);
    for (let i = 0; i < 5; i++) file.write(lineOf(i));
    const closing = file.close(5000);
    await sleep(100);
    const reader = fifoReader(fifo);
    let left = -1;
    void closing.then((n) => (left = n));
    await until(() => {
      reader.drain();
      return left === 0;
    });
    reader.drain();
    expect(reader.text()).toBe([0, 1, 2, 3, 4].map((i) => lineOf(i).toString()).join(''));
  });

  it('retries nothing after close(), even with a batch that was due (no timer keeps the process alive)', async () => {
    const fifo = join(dir, 'closed.cmd');
    mkfifo(fifo);
    const { file, logs } = writer(fifo);
    file.write(lineOf(1)); // its batch is due at the end of this turn
    expect(await file.close(0)).toBe(1);
    await sleep(150);
    expect(logs).toHaveLength(1); // close()'s attempt only: no retry logged or made
    const reader = fifoReader(fifo);
    await sleep(100);
    reader.drain();
    expect(reader.text()).toBe('');
    expect(file.pending).toBe(1);
  });

  it('drops the oldest whole lines beyond maxQueueBytes, and says so', async () => {
    const path = join(dir, 'bounded.cmd');
    mkfifo(path);
    const size = lineOf(0).length;
    const { file, logs } = writer(path, { maxQueueBytes: 5 * size });
    for (let i = 0; i < 8; i++) file.write(lineOf(i));
    await sleep(20);
    expect(file.pending).toBe(5);
    expect(file.pendingBytes).toBe(5 * size);
    expect(file.droppedLines).toBe(3);
    expect(logs[1]).toMatch(/dropping the oldest waiting lines \(more than \d+ bytes in memory\); 3 so far/);
    const reader = fifoReader(path);
    await until(() => {
      reader.drain();
      return file.pending === 0;
    });
    reader.drain();
    expect(reader.text()).toBe([3, 4, 5, 6, 7].map((i) => lineOf(i).toString()).join(''));
    expect(logs.at(-1)).toMatch(/3 past the size limit line\(s\) were dropped meanwhile/);
    await file.close();
  });

  it('reconfigure() sends the waiting lines to the new file', async () => {
    const path = join(dir, 'handover.cmd');
    mkfifo(path);
    const { file } = writer(path);
    file.write(lineOf(1));
    file.write(lineOf(2));
    await sleep(20);
    expect(file.pending).toBe(2);
    const next = join(dir, 'next.cmd');
    writeFileSync(next, '');
    file.reconfigure({ path: next, append: true, aggregate: false });
    await until(() => file.pending === 0);
    expect(readFileSync(next, 'latin1')).toBe(`${lineOf(1)}${lineOf(2)}`);
    expect(await file.close(0)).toBe(0);
  });
});
