// poe-test-loops comp_tcp: two Server::TCP servers on 127.0.0.1 (one with an Acceptor of its own,
// one with the Client* callbacks), a Client::TCP for each that says "quit", and Client::TCP's
// constructor strictness. POE counts its passes with Test::More's plan; the port records each
// callback and checks the counts and the arguments.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { ARG0, ARG1, ARG2, FilterLine, HEAP, KERNEL, Kernel, ReadWrite, Session } from '@poets/kernel';
import { Client, Server, type TCPClientOptions } from '@poets/server-tcp';
import { runBounded } from './helpers.js';

interface Tally {
  [what: string]: number;
}

async function scenario(): Promise<{ tally: Tally; notes: string[] }> {
  const kernel = new Kernel();
  const tally: Tally = {};
  const notes: string[] = [];
  const pass = (what: string) => void (tally[what] = (tally[what] ?? 0) + 1);
  let acceptorPort = 0;
  let callbackPort = 0;

  // A server whose Acceptor makes a session of the program's devising.
  Server.TCP({
    kernel,
    Port: 0,
    Address: '127.0.0.1',
    Alias: 'acceptor_server',
    Started: (_) => void (acceptorPort = _[HEAP].listener!.getsockname()!.port!),
    Acceptor: (_) => {
      const socket = _[ARG0] as Socket;
      Session.create<{ wheel?: ReadWrite; shutdown?: boolean }>({
        inline_states: {
          _start: (s) => {
            s[HEAP].wheel = new ReadWrite({ Handle: socket, InputEvent: 'got_input', ErrorEvent: 'got_error', FlushedEvent: 'got_flush' });
            pass('acceptor server got client connection');
          },
          _stop: () => pass('acceptor server stopped the client session'),
          got_input: (s) => {
            pass('acceptor server received input');
            s[HEAP].wheel!.put(`echo: ${String(s[ARG0])}`);
            if (s[ARG0] === 'quit') s[HEAP].shutdown = true;
          },
          got_error: (s) => void notes.push(`acceptor server got ${String(s[ARG0])} error ${String(s[ARG1])}: ${String(s[ARG2])}`),
          got_flush: (s) => {
            pass('acceptor server flushed output');
            if (s[HEAP].shutdown) {
              s[HEAP].wheel!.destroy();
              delete s[HEAP].wheel;
            }
          },
        },
      });
    },
  });

  // A server that handles its clients with the Client* callbacks.
  Server.TCP({
    kernel,
    Port: 0,
    Address: '127.0.0.1',
    Alias: 'input_server',
    ClientFilter: [FilterLine, { Literal: '\n' }],
    Started: (_) => void (callbackPort = _[HEAP].listener!.getsockname()!.port!),
    ClientInput: (_) => {
      pass('callback server got input');
      _[HEAP].client.put(`echo: ${_[ARG0]}`);
      if (_[ARG0] === 'quit') _[HEAP].shutdown = true;
    },
    ClientError: (_) => void notes.push(`callback server got ${_[ARG0]} error ${_[ARG1]}: ${_[ARG2]}`),
    ClientFlushed: () => pass('callback server flushed output'),
    ClientConnected: () => pass('callback server got client connection'),
    ClientPreConnect: (_) => {
      pass('server got pre-connect callback');
      if (typeof (_[ARG0] as Socket).write === 'function' && (_[ARG0] as Socket).remotePort !== undefined) pass('ARG0 is a socket');
      return _[ARG0];
    },
    ClientDisconnected: () => pass('callback server got client disconnected'),
  });

  // A client of the acceptor server.
  Client.TCP({
    kernel,
    RemoteAddress: '127.0.0.1',
    RemotePort: acceptorPort,
    PreConnect: (_) => {
      pass('acceptor pre connect');
      if (typeof (_[ARG0] as Socket).write === 'function') pass('acceptor has a socket');
      return _[ARG0];
    },
    Connected: (_) => {
      pass('acceptor client connected');
      _[HEAP].server.put('quit');
    },
    ConnectError: (_) => void notes.push(`acceptor client got ${_[ARG0]} error ${_[ARG1]}: ${_[ARG2]}`),
    Disconnected: (_) => {
      pass('acceptor client disconnected');
      _[KERNEL].post('acceptor_server', 'shutdown');
    },
    ServerInput: () => pass('acceptor client got input'),
    ServerError: (_) => void (_[ARG0] === 'read' && _[ARG1] === 0 && pass('acceptor client got read error 0 (EOF)')),
    ServerFlushed: () => pass('acceptor client flushed output'),
  });

  // A client of the callback server.
  Client.TCP({
    kernel,
    RemoteAddress: '127.0.0.1',
    RemotePort: callbackPort,
    Filter: [FilterLine, { Literal: '\n' }],
    Connected: (_) => {
      pass('callback client connected');
      _[HEAP].server.put('quit');
    },
    ConnectError: (_) => void notes.push(`callback client got ${_[ARG0]} error ${_[ARG1]}: ${_[ARG2]}`),
    Disconnected: (_) => {
      pass('callback client disconnected');
      _[KERNEL].post('input_server', 'shutdown');
    },
    ServerInput: () => pass('callback client got input'),
    ServerError: (_) => void (_[ARG0] === 'read' && _[ARG1] === 0 && pass('callback client got read error 0 (EOF)')),
    ServerFlushed: () => pass('callback client flushed output'),
  });

  await runBounded(kernel, 5000);
  return { tally, notes };
}

describe('comp_tcp', () => {
  it('both servers serve their client, which says quit; everything shuts down and run() returns', async () => {
    const { tally, notes } = await scenario();
    expect(notes).toEqual([]);
    expect(tally).toEqual({
      'acceptor server got client connection': 1,
      'acceptor server stopped the client session': 1,
      'acceptor server received input': 1,
      'acceptor server flushed output': 1,
      'callback server got input': 1,
      'callback server flushed output': 1,
      'callback server got client connection': 1,
      'server got pre-connect callback': 1,
      'ARG0 is a socket': 1,
      'callback server got client disconnected': 1,
      'acceptor pre connect': 1,
      'acceptor has a socket': 1,
      'acceptor client connected': 1,
      'acceptor client disconnected': 1,
      'acceptor client got input': 1,
      'acceptor client got read error 0 (EOF)': 1,
      'acceptor client flushed output': 1,
      'callback client connected': 1,
      'callback client disconnected': 1,
      'callback client got input': 1,
      'callback client got read error 0 (EOF)': 1,
      'callback client flushed output': 1,
    });
  });

  describe('Client::TCP constructor strictness', () => {
    const noop = () => undefined;
    const base: TCPClientOptions = {
      RemoteAddress: '127.0.0.1',
      RemotePort: 31401,
      Connected: noop,
      ConnectError: noop,
      Disconnected: noop,
      ServerInput: noop,
      ServerError: noop,
      ServerFlushed: noop,
    };
    const attempt = (options: Record<string, unknown>, remove: string[]) => {
      const copy: Record<string, unknown> = { ...options, kernel: new Kernel() };
      for (const name of remove) delete copy[name];
      return () => Client.TCP(copy as unknown as TCPClientOptions);
    };

    it('requires RemoteAddress, RemotePort and ServerInput', () => {
      expect(attempt(base as unknown as Record<string, unknown>, ['RemoteAddress'])).toThrow(/RemoteAddress/);
      expect(attempt(base as unknown as Record<string, unknown>, ['RemotePort'])).toThrow(/RemotePort/);
      expect(attempt(base as unknown as Record<string, unknown>, ['ServerInput'])).toThrow(/ServerInput/);
    });

    it('requires all four of HighMark, LowMark, ServerHigh, ServerLow once one is given', () => {
      const marks = { ...base, HighMark: 256, LowMark: 64, ServerHigh: noop, ServerLow: noop } as unknown as Record<string, unknown>;
      expect(attempt(marks, ['LowMark', 'ServerHigh', 'ServerLow'])).toThrow(/all four/);
      expect(attempt(marks, ['HighMark', 'ServerHigh', 'ServerLow'])).toThrow(/all four/);
      expect(attempt(marks, ['HighMark', 'LowMark', 'ServerLow'])).toThrow(/all four/);
      expect(attempt(marks, ['HighMark', 'LowMark', 'ServerHigh'])).toThrow(/all four/);
    });

    it('requires InlineStates, PackageStates and ObjectStates to be references', () => {
      for (const which of ['InlineStates', 'PackageStates', 'ObjectStates']) {
        expect(attempt({ ...base, [which]: 'Not a reference' }, [])).toThrow(new RegExp(which));
      }
    });

    it('requires SessionParams to be a list', () => {
      expect(attempt({ ...base, SessionParams: () => 'Not an array reference' }, [])).toThrow(/SessionParams/);
    });
  });
});

