import { createServer, connect, type Server, type Socket } from 'node:net';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, ListenAccept, ReadWrite, Session, UsageError, type EventArgs } from '../../src/index.js';

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return server;
}

type Heap = { server?: ListenAccept; clients: Map<number, ReadWrite> };
type Ev = EventArgs<Heap>;

describe('POE::Wheel::ListenAccept', () => {
  it("runs its synopsis: a rot13 server on a listening socket made elsewhere, ReadWrite per client", async () => {
    const server = await listening();
    const kernel = new Kernel();
    Session.create<Heap>({
      kernel,
      heap: { clients: new Map() },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].server = new ListenAccept({ Handle: server, AcceptEvent: 'on_client_accept', ErrorEvent: 'on_server_error' });
        },
        on_client_accept: (_: Ev) => {
          const wheel = new ReadWrite({ Handle: _[ARG0] as Socket, InputEvent: 'on_client_input', ErrorEvent: 'on_client_error' });
          _[HEAP].clients.set(wheel.ID(), wheel);
        },
        on_client_input: (_: Ev) => {
          const input = (_[ARG0] as string).replace(/[a-z]/gi, (c) => String.fromCharCode((c <= 'Z' ? 65 : 97) + ((c.charCodeAt(0) - (c <= 'Z' ? 65 : 97) + 13) % 26)));
          _[HEAP].clients.get(_[ARG1] as number)!.put(input);
        },
        on_client_error: (_: Ev) => {
          _[HEAP].clients.get(_[ARG0 + 3] as number)?.destroy();
          _[HEAP].clients.delete(_[ARG0 + 3] as number);
          // One client only: the server goes when it has gone.
          _[HEAP].server?.destroy();
          delete _[HEAP].server;
        },
      },
    });
    const port = (server.address() as { port: number }).port;
    const answer = new Promise<string>((resolve) => {
      const client = connect({ host: '127.0.0.1', port }, () => client.end('Hello, World\n'));
      let text = '';
      client.on('data', (data) => void (text += data));
      client.on('close', () => resolve(text));
    });
    await kernel.run();
    server.close();
    expect(await answer).toBe('Uryyb, Jbeyq\r\n'); // FilterLine writes CRLF by default, as POE's Line filter
  });

  it("reports the listening socket's errors as ErrorEvent ('accept', errno, system text, wheel ID, Node's error)", async () => {
    const server = await listening();
    const kernel = new Kernel();
    const errors: unknown[][] = [];
    let id = 0;
    Session.create<Heap>({
      kernel,
      heap: { clients: new Map() },
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].server = new ListenAccept({ Handle: server, AcceptEvent: 'accepted', ErrorEvent: 'failed' });
          id = _[HEAP].server.ID();
          _[KERNEL].yield('fail');
        },
        fail: () => void server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', errno: -24, syscall: 'accept' })),
        failed: (_: Ev) => {
          errors.push(_.slice(ARG0));
          _[HEAP].server!.destroy();
        },
      },
    });
    await kernel.run();
    server.close();
    expect(errors).toEqual([['accept', constants.errno.EMFILE, 'Too many open files', id, expect.objectContaining({ code: 'EMFILE' })]]);
  });

  it('croaks without a Handle or an AcceptEvent, and outside a session', async () => {
    const server = await listening();
    const kernel = new Kernel();
    const refusals: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: () => {
          for (const options of [{ AcceptEvent: 'a' }, { Handle: server }, { Handle: {} as Server, AcceptEvent: 'a' }]) {
            try {
              new ListenAccept(options as never);
            } catch (error) {
              refusals.push((error as Error).message);
            }
          }
        },
      },
    });
    await kernel.run();
    expect(() => new ListenAccept({ Handle: server, AcceptEvent: 'a' })).toThrow(UsageError);
    server.close();
    expect(refusals).toEqual([
      'POE::Wheel::ListenAccept: Handle required',
      'POE::Wheel::ListenAccept: AcceptEvent required',
      'POE::Wheel::ListenAccept: Handle must be a net.Server',
    ]);
  });
});
