// Conformance: poe-test-loops wheel_tail (a FollowTail wheel reading fixed-size blocks from a
// socket handle, fed by a ReadWrite client; and a FollowTail wheel on a file name that appears,
// is read, disappears and appears again).
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG3, HEAP, KERNEL, Kernel, ReadWrite, Session, FilterBlock, FilterLine, type EventArgs } from '@poets/kernel';
import { FollowTail } from '@poets/kernel';
import { runBounded } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-wheel-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SENDS = 10; // blocks of 16 bytes; each put carries two

describe('wheel_tail', () => {
  it('follows a socket handle in 16-byte blocks: every block sent is read, no error but end of input', async () => {
    const kernel = new Kernel();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    type TailHeap = { wheel?: FollowTail<Buffer>; wheelId?: number; reads: number; clean: boolean; accepted?: [string, number] };
    type ClientHeap = { wheel?: ReadWrite<Buffer, string>; puts: number; flushes: number; clean: boolean };
    let tail: TailHeap | undefined;
    let client: ClientHeap | undefined;

    server.once('connection', (socket: Socket) => {
      server.close();
      Session.create<TailHeap>({
        kernel,
        heap: { reads: 0, clean: true, accepted: [socket.localAddress!, socket.localPort!] },
        inline_states: {
          _start: (_: EventArgs<TailHeap>) => {
            const wheel = new FollowTail<Buffer>({
              Handle: socket,
              Filter: new FilterBlock({ BlockSize: 16 }),
              InputEvent: 'got_block_nonexistent',
              ErrorEvent: 'got_error_nonexistent',
            });
            wheel.event('InputEvent', 'got_block', 'ErrorEvent', 'got_error');
            _[HEAP].wheel = wheel;
            _[HEAP].wheelId = wheel.ID();
          },
          got_block: (_: EventArgs<TailHeap>) => {
            if (String(_[ARG0]) === 'DONEDONEDONEDONE') {
              _[KERNEL].delay('ev_timeout', 0.1);
              return;
            }
            _[HEAP].reads++;
            _[KERNEL].delay('ev_timeout', 1);
          },
          got_error: (_: EventArgs<TailHeap>) => {
            if (_[ARG1] !== 0 || _[ARG3] !== _[HEAP].wheelId) _[HEAP].clean = false;
          },
          ev_timeout: (_: EventArgs<TailHeap>) => {
            _[HEAP].wheel?.destroy();
            delete _[HEAP].wheel;
          },
          got_block_nonexistent: (_: EventArgs<TailHeap>) => void (_[HEAP].clean = false),
          got_error_nonexistent: (_: EventArgs<TailHeap>) => void (_[HEAP].clean = false),
          _stop: (_: EventArgs<TailHeap>) => void (tail = _[HEAP]),
        },
      });
    });

    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    Session.create<ClientHeap>({
      kernel,
      heap: { puts: 0, flushes: 0, clean: true },
      inline_states: {
        _start: (_: EventArgs<ClientHeap>) => {
          const wheel = new ReadWrite<Buffer, string>({
            Handle: socket,
            Filter: new FilterBlock({ BlockSize: 16 }) as never,
            ErrorEvent: 'got_error_nonexistent',
            FlushedEvent: 'got_flush_nonexistent',
          });
          wheel.event('ErrorEvent', 'got_error', 'FlushedEvent', 'got_flush');
          _[HEAP].wheel = wheel;
          _[KERNEL].yield('next_send');
        },
        next_send: (_: EventArgs<ClientHeap>) => {
          _[HEAP].wheel!.put('0123456789ABCDEF0123456789ABCDEF');
          _[HEAP].puts += 2;
          if (_[HEAP].puts >= SENDS) _[HEAP].wheel!.put('DONEDONEDONEDONE');
        },
        got_flush: (_: EventArgs<ClientHeap>) => {
          _[HEAP].flushes++;
          if (_[HEAP].puts < SENDS) _[KERNEL].delay('next_send', 0.01);
          else {
            _[HEAP].wheel!.destroy();
            delete _[HEAP].wheel;
          }
        },
        got_error: (_: EventArgs<ClientHeap>) => {
          _[HEAP].clean = false;
          _[HEAP].wheel?.destroy();
          delete _[HEAP].wheel;
        },
        got_error_nonexistent: (_: EventArgs<ClientHeap>) => void (_[HEAP].clean = false),
        got_flush_nonexistent: (_: EventArgs<ClientHeap>) => void (_[HEAP].clean = false),
        _stop: (_: EventArgs<ClientHeap>) => void (client = _[HEAP]),
      },
    });

    await runBounded(kernel, 5000);
    expect(tail!.accepted).toEqual(['127.0.0.1', port]);
    expect(tail!.clean).toBe(true);
    expect(tail!.reads).toBe(SENDS);
    expect(client!.clean).toBe(true);
    expect(client!.puts).toBe(SENDS);
    expect(client!.flushes).toBe(SENDS / 2);
  });

  it('a file that appears, is read, is removed and appears again: each line read once, a reset each time', async () => {
    const file = join(dir, 'test-tail-file');
    const kernel = new Kernel();
    type Heap = { wheel?: FollowTail; sent: number; received: number; resets: number; errors: unknown[][] };
    let final: Heap | undefined;
    Session.create<Heap>({
      kernel,
      heap: { sent: 0, received: 0, resets: 0, errors: [] },
      inline_states: {
        _start: (_: EventArgs<Heap>) => {
          if (existsSync(file)) unlinkSync(file);
          _[HEAP].wheel = new FollowTail({
            Filter: new FilterLine({ Literal: '\n' }),
            Filename: file,
            InputEvent: 'got_input',
            ErrorEvent: 'got_error',
            ResetEvent: 'got_reset',
            IdleEvent: 'create_file',
            PollInterval: 0.05,
          });
        },
        create_file: (_: EventArgs<Heap>) => {
          writeFileSync(file, 'moo\n');
          _[HEAP].sent++;
          // One file per IdleEvent registration.
          _[HEAP].wheel!.event('IdleEvent', undefined);
        },
        got_input: (_: EventArgs<Heap>) => {
          _[HEAP].received++;
          unlinkSync(file);
          if (_[HEAP].received === 1) {
            _[HEAP].wheel!.event('IdleEvent', 'create_file');
            return;
          }
          _[HEAP].wheel!.destroy();
          delete _[HEAP].wheel;
        },
        got_error: (_: EventArgs<Heap>) => {
          _[HEAP].errors.push(_.slice(ARG0));
          _[HEAP].wheel?.destroy();
          delete _[HEAP].wheel;
        },
        got_reset: (_: EventArgs<Heap>) => void _[HEAP].resets++,
        _stop: (_: EventArgs<Heap>) => void (final = _[HEAP]),
      },
    });
    await runBounded(kernel, 3000);
    expect(final!.errors).toEqual([]);
    expect(final!.sent).toBe(2);
    expect(final!.received).toBe(2);
    expect(final!.resets).toBe(2);
  });
});
