// poe-test-loops wheel_sf_tcp: a SocketFactory listener on 127.0.0.1, a SocketFactory connector,
// and ReadWrite wheels swapped in on both ends exchanging lines (rot13 on the server side).
// POE's listener is Server::TCP, itself a SocketFactory; the port uses the wheel directly.
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG3, HEAP, Kernel, ReadWrite, Session, type EventArgs } from '@poets/kernel';
import type { Socket } from 'node:net';
import { SocketFactory, type SockName } from '@poets/kernel';
import { runBounded } from './helpers.js';

const rot13 = (text: string) => text.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c < 'a' ? 65 : 97)));

interface Observed {
  serverPort: number | undefined;
  /** getsockname() of the listener, read while accepting. */
  acceptedOn: SockName | undefined;
  /** Per server-side connection session. */
  serverErrnos: number[];
  serverClean: boolean | undefined;
  serverPut: number;
  serverFlushed: number;
  clientOctets: number | undefined;
  clientMessages: number | undefined;
  clientLine: string | undefined;
  clientFactoryOk: boolean | undefined;
  clientStreamOk: boolean | undefined;
}

async function tcpScenario(): Promise<Observed> {
  const kernel = new Kernel();
  const seen: Observed = {
    serverPort: undefined,
    acceptedOn: undefined,
    serverErrnos: [],
    serverClean: undefined,
    serverPut: -1,
    serverFlushed: -2,
    clientOctets: undefined,
    clientMessages: undefined,
    clientLine: undefined,
    clientFactoryOk: undefined,
    clientStreamOk: undefined,
  };

  // One session per accepted connection: it swaps the socket into a ReadWrite wheel and answers rot13.
  type ServerHeap = { wheel?: ReadWrite; clean: boolean; put: number; flushed: number };
  const serveConnection = (socket: Socket) =>
    Session.create<ServerHeap>({
      kernel,
      heap: { clean: false, put: 0, flushed: 0 },
      args: [socket],
      inline_states: {
        _start: (_) => {
          _[HEAP].wheel = new ReadWrite({ Handle: _[ARG0] as Socket, InputEvent: 'got_line', ErrorEvent: 'got_error', FlushedEvent: 'got_flush' });
          _[HEAP].clean = true;
        },
        got_line: (_) => {
          _[HEAP].wheel!.put(rot13(_[ARG0] as string));
          _[HEAP].put++;
        },
        got_error: (_) => {
          seen.serverErrnos.push(_[ARG1] as number);
          if (_[ARG1] !== 0) _[HEAP].clean = false;
          _[HEAP].wheel!.destroy();
          delete _[HEAP].wheel;
        },
        got_flush: (_) => void _[HEAP].flushed++,
        _stop: (_) => {
          seen.serverClean = _[HEAP].clean;
          seen.serverPut = _[HEAP].put;
          seen.serverFlushed = _[HEAP].flushed;
        },
      },
    });

  // The listener: accepts one connection, then shuts itself down.
  Session.create<{ listener?: SocketFactory }>({
    kernel,
    inline_states: {
      _start: (_) => {
        _[HEAP].listener = new SocketFactory({ BindAddress: '127.0.0.1', BindPort: 0, Reuse: 'yes', SuccessEvent: 'accepted', FailureEvent: 'failed' });
        seen.serverPort = _[HEAP].listener.getsockname()?.port;
      },
      accepted: (_) => {
        serveConnection(_[ARG0] as Socket);
        seen.acceptedOn = _[HEAP].listener!.getsockname();
        _[HEAP].listener!.destroy();
        delete _[HEAP].listener;
      },
      failed: (_) => {
        _[HEAP].listener?.destroy();
        delete _[HEAP].listener;
      },
      _child: () => {},
    },
  });

  // The client: SocketFactory until connected, then ReadWrite.
  type ClientHeap = { factory?: SocketFactory; wheel?: ReadWrite; factoryId: number; streamId: number; factoryOk: boolean; streamOk: boolean };
  Session.create<ClientHeap>({
    kernel,
    heap: { factoryId: -1, streamId: -1, factoryOk: false, streamOk: false },
    inline_states: {
      _start: (_) => {
        _[HEAP].factory = new SocketFactory({ RemoteAddress: '127.0.0.1', RemotePort: seen.serverPort!, SuccessEvent: 'got_server', FailureEvent: 'got_error' });
        _[HEAP].factoryId = _[HEAP].factory.ID();
        _[HEAP].factoryOk = true;
      },
      got_server: (_) => {
        _[HEAP].factory!.destroy();
        delete _[HEAP].factory;
        const wheel = (_[HEAP].wheel = new ReadWrite({ Handle: _[ARG0] as Socket, InputEvent: 'got_line', ErrorEvent: 'got_error', FlushedEvent: 'got_flush' }));
        _[HEAP].streamId = wheel.ID();
        _[HEAP].streamOk = true;
        wheel.put('1: this is a test');
        seen.clientOctets = wheel.get_driver_out_octets();
        seen.clientMessages = wheel.get_driver_out_messages();
      },
      got_line: (_) => {
        const line = _[ARG0] as string;
        if (line.startsWith('1: ')) _[HEAP].wheel!.put(`2: ${line.slice(3)}`);
        else if (line.startsWith('2: ')) {
          seen.clientLine = line.slice(3);
          _[HEAP].wheel!.destroy();
          delete _[HEAP].wheel;
        }
      },
      got_error: (_: EventArgs<ClientHeap>) => {
        const id = _[ARG3] as number;
        if (id === _[HEAP].factoryId) _[HEAP].factoryOk = false;
        if (id === _[HEAP].streamId) _[HEAP].streamOk = false;
        _[HEAP].factory?.destroy();
        _[HEAP].wheel?.destroy();
        delete _[HEAP].factory;
        delete _[HEAP].wheel;
      },
      got_flush: () => {},
      _stop: (_) => {
        seen.clientFactoryOk = _[HEAP].factoryOk;
        seen.clientStreamOk = _[HEAP].streamOk;
      },
    },
  });

  await runBounded(kernel);
  return seen;
}

describe('wheel_sf_tcp', () => {
  let outcome: Promise<Observed> | undefined;
  const scenario = () => (outcome ??= tcpScenario());

  it('accepts the connection on the address and port the listener reported when it was made', async () => {
    const seen = await scenario();
    expect(seen.serverPort).toBeGreaterThan(0);
    expect(seen.acceptedOn).toEqual({ family: 'AF_INET', address: '127.0.0.1', port: seen.serverPort });
  });

  it('the server side sees only end of input (errno 0) and flushes everything it puts', async () => {
    const seen = await scenario();
    expect(seen.serverErrnos).toEqual([0]);
    expect(seen.serverClean).toBe(true);
    expect(seen.serverPut).toBe(2);
    expect(seen.serverFlushed).toBe(seen.serverPut);
  });

  it('the client buffers one 19-octet message after its first put', async () => {
    const seen = await scenario();
    expect(seen.clientOctets).toBe(19);
    expect(seen.clientMessages).toBe(1);
  });

  it('the test message makes the round trip twice and comes back intact', async () => {
    const seen = await scenario();
    expect(seen.clientLine).toBe('this is a test');
  });

  it('neither the connector nor the client ReadWrite reports an error', async () => {
    const seen = await scenario();
    expect(seen.clientFactoryOk).toBe(true);
    expect(seen.clientStreamOk).toBe(true);
  });
});
