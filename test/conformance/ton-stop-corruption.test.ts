// Conformance: POE t/90_regression/ton-stop-corruption.t (stop() called by a session must not
// garbage-collect that session twice). POE watches a pipe with select_read; here the session
// watches a stream through watchHandle() and is told when it reaches end of file.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KERNEL, Kernel, SESSION, Session, type Watched } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('ton-stop-corruption', () => {
  it('a session that stops watching its handle and calls stop() gets _stop exactly once', async () => {
    const kernel = new Kernel();
    const pipe = new PassThrough();
    const handle: Watched = { destroy: () => pipe.destroy() };
    let readable = 0;
    let stopCount = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const session = _[SESSION];
          _[KERNEL].watchHandle(session, handle);
          pipe.on('end', () => kernel.post(session, 'readable'));
          pipe.resume();
        },
        readable: (_) => {
          readable++;
          _[KERNEL].unwatchHandle(_[SESSION], handle);
          _[KERNEL].stop();
        },
        _stop: () => void stopCount++,
        _parent: () => {},
        _child: () => {},
      },
    });
    // The writer closes its end, as POE's test closes the pipe's write side.
    pipe.end();
    await runBounded(kernel);
    expect(readable).toBe(1);
    expect(stopCount).toBe(1);
  });
});
