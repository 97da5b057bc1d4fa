// poe-test-loops wheel_sf_unix: a SocketFactory listening on a Unix socket under the temporary
// directory, a SocketFactory connecting to it, and ReadWrite wheels exchanging lines over it.
import { existsSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG3, HEAP, Kernel, ReadWrite, Session, type EventArgs } from '@poets/kernel';
import { SocketFactory } from '@poets/kernel';
import { runOutcome } from './helpers.js';

const rot13 = (text: string) => text.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c < 'a' ? 65 : 97)));

interface Observed {
  runError: unknown;
  serverErrnos: number[];
  connectionClean: boolean | undefined;
  connectionPut: number;
  connectionFlushed: number;
  listenerClean: boolean | undefined;
  clientCount: number | undefined;
  lostExpectedChild: boolean | undefined;
  clientFactoryOk: boolean | undefined;
  clientStreamOk: boolean | undefined;
  clientOctets: number | undefined;
  clientMessages: number | undefined;
  clientLine: string | undefined;
  socketFileLeft: boolean;
}

async function unixScenario(): Promise<Observed> {
  const path = join(tmpdir(), `poets-usrv-${process.pid}-${Date.now()}`);
  const kernel = new Kernel();
  const seen: Observed = {
    runError: undefined,
    serverErrnos: [],
    connectionClean: undefined,
    connectionPut: -1,
    connectionFlushed: -2,
    listenerClean: undefined,
    clientCount: undefined,
    lostExpectedChild: undefined,
    clientFactoryOk: undefined,
    clientStreamOk: undefined,
    clientOctets: undefined,
    clientMessages: undefined,
    clientLine: undefined,
    socketFileLeft: true,
  };

  type ConnectionHeap = { wheel?: ReadWrite; clean: boolean; put: number; flushed: number };
  const serveConnection = (socket: Socket) =>
    Session.create<ConnectionHeap>({
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
          seen.connectionClean = _[HEAP].clean;
          seen.connectionPut = _[HEAP].put;
          seen.connectionFlushed = _[HEAP].flushed;
        },
      },
    });

  type ListenerHeap = { wheel?: SocketFactory; clients: number; clean: boolean; child?: Session };
  const dropListener = (heap: ListenerHeap) => {
    heap.wheel?.destroy();
    delete heap.wheel;
  };
  Session.create<ListenerHeap>({
    kernel,
    heap: { clients: 0, clean: false },
    inline_states: {
      _start: (_) => {
        rmSync(path, { force: true });
        _[HEAP].wheel = new SocketFactory({ SocketDomain: 'PF_UNIX', BindAddress: path, SuccessEvent: 'got_client', FailureEvent: 'got_error' });
        _[HEAP].clean = true;
      },
      got_client: (_) => {
        _[HEAP].clients++;
        serveConnection(_[ARG0] as Socket);
      },
      got_error: (_) => {
        if (_[ARG3] === _[HEAP].wheel?.ID()) {
          dropListener(_[HEAP]);
          _[HEAP].clean = false;
        }
      },
      // The connection's session is this session's child: when it is gone, so is the listener.
      _child: (_) => {
        if (_[ARG0] === 'create') _[HEAP].child = _[ARG1] as Session;
        if (_[ARG0] === 'lose') {
          dropListener(_[HEAP]);
          seen.lostExpectedChild = _[ARG1] === _[HEAP].child;
        }
      },
      _stop: (_) => {
        dropListener(_[HEAP]);
        seen.listenerClean = _[HEAP].clean;
        seen.clientCount = _[HEAP].clients;
      },
    },
  });

  type ClientHeap = { factory?: SocketFactory; wheel?: ReadWrite; factoryId: number; streamId: number; factoryOk: boolean; streamOk: boolean };
  Session.create<ClientHeap>({
    kernel,
    heap: { factoryId: -1, streamId: -1, factoryOk: false, streamOk: false },
    inline_states: {
      _start: (_) => {
        _[HEAP].factory = new SocketFactory({ SocketDomain: 'PF_UNIX', RemoteAddress: path, SuccessEvent: 'got_server', FailureEvent: 'got_error' });
        _[HEAP].factoryId = _[HEAP].factory.ID();
        _[HEAP].factoryOk = true;
      },
      got_server: (_) => {
        _[HEAP].factory?.destroy();
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
        if (_[ARG3] === _[HEAP].factoryId) _[HEAP].factoryOk = false;
        if (_[ARG3] === _[HEAP].streamId) _[HEAP].streamOk = false;
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

  try {
    seen.runError = await runOutcome(kernel);
    seen.socketFileLeft = existsSync(path);
  } finally {
    rmSync(path, { force: true });
  }
  return seen;
}

describe('wheel_sf_unix', () => {
  let outcome: Promise<Observed> | undefined;
  const scenario = () => (outcome ??= unixScenario());

  it('the connection session sees only end of input (errno 0) and flushes everything it puts', async () => {
    const seen = await scenario();
    expect(seen.serverErrnos).toEqual([0]);
    expect(seen.connectionClean).toBe(true);
    expect(seen.connectionPut).toBe(2);
    expect(seen.connectionFlushed).toBe(seen.connectionPut);
  });

  it('the listener reports no error and accepts exactly one client', async () => {
    const seen = await scenario();
    expect(seen.listenerClean).toBe(true);
    expect(seen.clientCount).toBe(1);
  });

  it('the listener loses the very child session it created for the connection', async () => {
    const seen = await scenario();
    expect(seen.lostExpectedChild).toBe(true);
  });

  it('neither the connector nor the client ReadWrite reports an error', async () => {
    const seen = await scenario();
    expect(seen.clientFactoryOk).toBe(true);
    expect(seen.clientStreamOk).toBe(true);
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

  it('run() returns normally, and the socket file is gone with the listener', async () => {
    const seen = await scenario();
    expect(seen.runError).toBeUndefined();
    expect(seen.socketFileLeft).toBe(false);
  });
});
