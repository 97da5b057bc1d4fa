// poe-test-loops wheel_accept: five sessions connect with SocketFactory to a listening socket on
// 127.0.0.1 made outside the wheel (IO::Socket::INET there, a listening net.Server here), which
// POE::Wheel::ListenAccept accepts on. The wheel is created with event names nobody handles and
// renamed with event() before anything arrives. Node binds a listener asynchronously, so the
// socket is listening before the listening session starts, where Perl's constructor binds at once.
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Kernel, ListenAccept, Session, SocketFactory, type PeerAddress } from '@poets/kernel';
import { runBounded } from './helpers.js';

const CONNECTOR_COUNT = 5;

interface Observed {
  boundPort: number | undefined;
  accepted: number;
  peersOk: number;
  connected: number;
  connectErrors: number;
  unhandled: string[];
  listenerOpenAfter: boolean;
}

async function listeningSocket(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 5 }, resolve));
  return server;
}

async function acceptScenario(): Promise<Observed> {
  const kernel = new Kernel();
  const socket = await listeningSocket();
  const seen: Observed = { boundPort: undefined, accepted: 0, peersOk: 0, connected: 0, connectErrors: 0, unhandled: [], listenerOpenAfter: false };

  Session.create<{ listener?: ListenAccept }>({
    kernel,
    args: [socket],
    inline_states: {
      _start: (_) => {
        const handle = _[ARG0] as Server;
        seen.boundPort = (handle.address() as { port: number }).port;
        _[HEAP].listener = new ListenAccept({ Handle: handle, AcceptEvent: 'got_connection_nonexistent', ErrorEvent: 'got_error_nonexistent' });
        _[HEAP].listener.event('AcceptEvent', 'got_connection', 'ErrorEvent', 'got_error');
        _[KERNEL].delay('got_timeout', 10);
      },
      got_connection: (_) => {
        const peer = _[ARG1] as PeerAddress;
        if (peer.family === 'AF_INET' && peer.address === '127.0.0.1' && peer.port! > 0 && _[ARG2] === _[HEAP].listener!.ID()) seen.peersOk++;
        // POE drops the accepted handle, which closes it; the port closes it by hand.
        (_[ARG0] as Socket).destroy();
        if (++seen.accepted === CONNECTOR_COUNT) _[KERNEL].delay('got_timeout', 0.1);
      },
      got_error: (_) => {
        _[HEAP].listener?.destroy();
        delete _[HEAP].listener;
        _[KERNEL].delay('got_timeout', 0.1);
      },
      got_timeout: (_) => {
        _[HEAP].listener?.destroy();
        delete _[HEAP].listener;
      },
      _default: (_) => void seen.unhandled.push(String(_[ARG0])),
      _stop: () => {},
    },
  });

  for (let i = 0; i < CONNECTOR_COUNT; i++) {
    Session.create<{ connector?: SocketFactory }>({
      kernel,
      inline_states: {
        _start: (_) => {
          _[HEAP].connector = new SocketFactory({ RemoteAddress: '127.0.0.1', RemotePort: seen.boundPort!, SuccessEvent: 'got_connection', FailureEvent: 'got_error' });
        },
        got_connection: (_) => {
          seen.connected++;
          (_[ARG0] as Socket).destroy();
          _[HEAP].connector!.destroy();
          delete _[HEAP].connector;
        },
        got_error: (_) => {
          seen.connectErrors++;
          _[HEAP].connector!.destroy();
          delete _[HEAP].connector;
        },
        _stop: () => {},
      },
    });
  }

  await runBounded(kernel, 15_000);
  // The wheel leaves the listening socket to its owner, as POE's DESTROY only stops selecting it.
  seen.listenerOpenAfter = socket.listening;
  socket.close();
  return seen;
}

describe('wheel_accept', () => {
  let outcome: Promise<Observed> | undefined;
  const scenario = () => (outcome ??= acceptScenario());

  it('creates a listening socket on 127.0.0.1', async () => {
    const seen = await scenario();
    expect(seen.boundPort).toBeGreaterThan(0);
  });

  it('the listening socket accepted connections, under the names event() gave, with the peer address and wheel ID', async () => {
    const seen = await scenario();
    expect(seen.accepted).toBe(CONNECTOR_COUNT);
    expect(seen.peersOk).toBe(CONNECTOR_COUNT);
    expect(seen.connected).toBe(CONNECTOR_COUNT);
    expect(seen.connectErrors).toBe(0);
    expect(seen.unhandled).toEqual([]);
  });

  it('destroying the wheel leaves the listening socket open for its owner', async () => {
    expect((await scenario()).listenerOpenAfter).toBe(true);
  });
});
