// A session held by something that can never fire (a postback never released, a wheel never
// destroyed, an extra refcount) used to end the process with code 13: no _stop, no word, and the
// code after `await run()` never ran. The kernel now rejects run() with what holds which session.
// Node only says its loop is empty ('beforeExit') in a process of its own, so each case runs in
// a child node on the built package.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function runScript(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `import * as poe from ${JSON.stringify(dist)};\nconst { Kernel, Session, ReadWrite, KERNEL, HEAP, SESSION } = poe;\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('a kernel whose sessions can never run again', () => {
  it('rejects run() naming the postback never released and where it was made; the code after run() goes on', () => {
    const { status, stdout, stderr } = runScript(`
      const kernel = new Kernel({ callerInfo: true, warn: (line) => console.log('log: ' + line.split('\\n')[0]) });
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => {
            _[KERNEL].alias_set('waiter');
            _[HEAP].done = _[SESSION].postback('done');
          },
          _stop: () => console.log('stop'),
        },
      });
      try {
        await kernel.run();
        console.log('resolved');
      } catch (error) {
        console.log(error.name);
        console.log(error.message);
      }
      console.log('after run');
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('log: kernel: the kernel still holds 1 session that can never run again (Node\'s event loop has nothing left to wait for):');
    expect(lines[1]).toBe('SessionsHeldError');
    expect(lines[3]).toMatch(/^ {2}session 1 \(waiter\): postback for 'done' made at .*:\d+ \(never released\)$/);
    expect(lines[3]).toContain('[eval');
    expect(lines.at(-1)).toBe('after run');
  });

  it('names a wheel never destroyed and an extra refcount, session by session', () => {
    const { stdout } = runScript(`
      const { PassThrough } = await import('node:stream');
      const kernel = new Kernel({ warn: () => {} });
      Session.create({ kernel, inline_states: { _start: (_) => { _[HEAP].wheel = new ReadWrite({ Handle: new PassThrough() }); } } });
      Session.create({ kernel, inline_states: { _start: (_) => { _[KERNEL].refcount_increment(_[SESSION].ID(), 'my tag'); } } });
      await kernel.run().catch((error) => console.log(JSON.stringify(error.holds)));
    `);
    const holds = JSON.parse(stdout.trim()) as { session: number; holds: string[] }[];
    expect(holds).toEqual([
      { session: 1, name: 'session 1', holds: [expect.stringMatching(/^wheel POE::Wheel::ReadWrite \d+ \(never destroyed\)$/)] },
      { session: 2, name: 'session 2', holds: ["extra refcount 'my tag' (1)"] },
    ]);
  });

  it('a released postback lets the session stop, and run() resolves', () => {
    const { stdout, status } = runScript(`
      const kernel = new Kernel();
      Session.create({
        kernel,
        inline_states: {
          _start: (_) => { const pb = _[SESSION].postback('done'); setTimeout(() => pb.release(), 10); },
          _stop: () => console.log('stop'),
        },
      });
      await kernel.run();
      console.log('resolved');
    `);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(['stop', 'resolved']);
  });
});
