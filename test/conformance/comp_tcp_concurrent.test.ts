// poe-test-loops comp_tcp_concurrent: nine Client::TCP pairs against two Server::TCP servers with a
// Concurrency limit: one whose own Acceptor session posts `disconnected` (Concurrency 1), one with
// the Client* callbacks (Concurrency 4). Neither may ever hold more connections than its limit.
// The client whose answer carries "#9" says quit, which shuts its server down.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Kernel, ReadWrite, SENDER, Session } from '@poets/kernel';
import { Client, Server, type ComponentLog } from '@poets/server-tcp';
import { runBounded } from './helpers.js';

const NUM_CLIENTS = 9;

interface Outcome {
  /** One entry per Acceptor call: was another connection of the acceptor server open? */
  acceptorOverlaps: boolean[];
  /** Open callback-server connections seen by each ClientConnected. */
  callbackOpen: number[];
  /** Clients that got EOF from their server (POE's ok() calls, when they happen). */
  clientEofs: number;
  clientOtherErrors: string[];
  answers: string[];
  logged: string[];
}

async function scenario(): Promise<Outcome> {
  const kernel = new Kernel();
  const outcome: Outcome = { acceptorOverlaps: [], callbackOpen: [], clientEofs: 0, clientOtherErrors: [], answers: [], logged: [] };
  const log: ComponentLog = (line) => void outcome.logged.push(line);
  const connected = { acceptor: false, callback: 0 };
  let acceptorN = 0;
  let callbackN = 0;
  let acceptorPort = 0;
  let callbackPort = 0;

  Server.TCP({
    kernel,
    log,
    Port: 0,
    Address: '127.0.0.1',
    Alias: 'acceptor_server',
    Concurrency: 1,
    Started: (_) => void (acceptorPort = _[HEAP].listener!.getsockname()!.port!),
    Acceptor: (_) => {
      const socket = _[ARG0] as Socket;
      outcome.acceptorOverlaps.push(connected.acceptor);
      connected.acceptor = true;
      Session.create<{ wheel?: ReadWrite; tcp_server?: number; shutdown?: boolean }>({
        inline_states: {
          _start: (s) => {
            s[HEAP].wheel = new ReadWrite({ Handle: socket, InputEvent: 'got_input', ErrorEvent: 'got_error', FlushedEvent: 'got_flush' });
            s[HEAP].tcp_server = (s[SENDER] as Session).ID();
          },
          _stop: () => void (connected.acceptor = false),
          got_input: (s) => {
            acceptorN++;
            s[HEAP].wheel!.put(`echo: ${String(s[ARG0])} #${acceptorN}`);
            if (s[ARG0] === 'quit') {
              s[HEAP].shutdown = true;
              s[KERNEL].post(s[HEAP].tcp_server!, 'shutdown');
            }
          },
          got_error: (s) => {
            if (s[ARG0] === 'read' && s[ARG1] === 0) {
              s[HEAP].shutdown = true;
              s[KERNEL].post(s[HEAP].tcp_server!, 'disconnected');
            } else {
              outcome.logged.push(`acceptor server got ${String(s[ARG0])} error ${String(s[ARG1])}: ${String(s[ARG2])}`);
            }
            s[HEAP].wheel?.destroy();
            delete s[HEAP].wheel;
          },
          got_flush: (s) => {
            if (!s[HEAP].shutdown) return;
            s[HEAP].wheel?.destroy();
            delete s[HEAP].wheel;
            s[KERNEL].post(s[HEAP].tcp_server!, 'disconnected');
          },
        },
      });
    },
  });

  Server.TCP({
    kernel,
    log,
    Port: 0,
    Address: '127.0.0.1',
    Alias: 'callback_server',
    Concurrency: 4,
    Started: (_) => void (callbackPort = _[HEAP].listener!.getsockname()!.port!),
    ClientInput: (_) => {
      callbackN++;
      if (_[ARG0] === 'quit') _[KERNEL].post('callback_server', 'shutdown');
      else _[HEAP].client.put(`echo: ${_[ARG0]} #${callbackN}`);
    },
    ClientError: (_) => {
      if (!(_[ARG0] === 'read' && _[ARG1] === 0)) outcome.logged.push(`callback server got ${_[ARG0]} error ${_[ARG1]}: ${_[ARG2]}`);
      _[KERNEL].yield('shutdown');
    },
    ClientConnected: () => void outcome.callbackOpen.push(++connected.callback),
    ClientDisconnected: () => void connected.callback--,
  });

  for (let n = 1; n <= NUM_CLIENTS; n++) {
    for (const [name, port] of [
      ['acceptor', acceptorPort],
      ['callback', callbackPort],
    ] as const) {
      Client.TCP({
        kernel,
        log,
        RemoteAddress: '127.0.0.1',
        RemotePort: port,
        Alias: `${name} client ${n}`,
        Connected: (_) => void _[HEAP].server.put(`hello ${n}`),
        ConnectError: (_) => void outcome.clientOtherErrors.push(`${name} client ${n} got ${_[ARG0]} error ${_[ARG1]}: ${_[ARG2]}`),
        ServerInput: (_) => {
          outcome.answers.push(`${name} ${_[ARG0]}`);
          if (new RegExp(`#${NUM_CLIENTS}$`).test(_[ARG0])) _[HEAP].server.put('quit');
          _[KERNEL].yield('shutdown');
        },
        ServerError: (_) => {
          if (_[ARG0] === 'read' && _[ARG1] === 0) outcome.clientEofs++;
          else outcome.clientOtherErrors.push(`${name} client ${n} got ${_[ARG0]} error ${_[ARG1]}: ${_[ARG2]}`);
        },
      });
    }
  }

  await runBounded(kernel, 10_000);
  return outcome;
}

describe('comp_tcp_concurrent', () => {
  it('Concurrency 1 (Acceptor + disconnected) and 4 (Client* callbacks) are never exceeded; every client is served', async () => {
    const outcome = await scenario();
    // POE: "acceptor server : one connection open", once per client.
    expect(outcome.acceptorOverlaps).toEqual(new Array(NUM_CLIENTS).fill(false));
    // POE: "callback server : N connections open" with N <= 4, once per client.
    expect(outcome.callbackOpen).toHaveLength(NUM_CLIENTS);
    expect(Math.max(...outcome.callbackOpen)).toBeLessThanOrEqual(4);
    // Each client got its echo; the one numbered #9 on each server said quit.
    for (const name of ['acceptor', 'callback']) {
      const mine = outcome.answers.filter((answer) => answer.startsWith(`${name} `));
      expect(mine).toHaveLength(NUM_CLIENTS);
      expect(mine.map((answer) => Number(/#(\d+)$/.exec(answer)![1])).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    // "You might see a 'disconnect' error during this test. It may be ignored." Errors other than a reset are not expected.
    expect(outcome.clientOtherErrors.filter((line) => !/error 104/.test(line))).toEqual([]);
    expect(outcome.logged.filter((line) => !/error 104|Excessive 'disconnected'/.test(line))).toEqual([]);
  });
});
