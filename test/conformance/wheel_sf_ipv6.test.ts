// poe-test-loops wheel_sf_ipv6: a TCP server and client in AF_INET6 on ::1 exchanging lines.
// POE drives SocketFactory through Server::TCP and Client::TCP; the port uses SocketFactory and
// ReadWrite directly, in the same roles: a listener that makes one session per connection
// (ClientConnected/ClientInput/ClientFlushed/ClientDisconnected) and a client session
// (Connected/ServerInput/ServerFlushed/Disconnected/ConnectError). Skipped, as POE skips it,
// where ::1 is not configured.
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, ReadWrite, Session, type EventArgs } from '@poets/kernel';
import { SocketFactory } from '@poets/kernel';
import { runBounded } from './helpers.js';

const rot13 = (text: string) => text.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c < 'a' ? 65 : 97)));

const hasIPv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

interface Observed {
  serverPort: number | undefined;
  serverCounts: [put: number, flushed: number] | undefined;
  received: string | undefined;
  clientCounts: [put: number, flushed: number] | undefined;
  errors: unknown[];
}

type Counts = { wheel?: ReadWrite; put: number; flushed: number };

async function ipv6Scenario(): Promise<Observed> {
  const kernel = new Kernel();
  const seen: Observed = { serverPort: undefined, serverCounts: undefined, received: undefined, clientCounts: undefined, errors: [] };

  const serveConnection = (socket: Socket) =>
    Session.create<Counts>({
      kernel,
      heap: { put: 0, flushed: 0 },
      args: [socket],
      inline_states: {
        _start: (_) => {
          _[HEAP].wheel = new ReadWrite({ Handle: _[ARG0] as Socket, InputEvent: 'input', ErrorEvent: 'error', FlushedEvent: 'flushed' });
        },
        input: (_) => {
          _[HEAP].wheel!.put(rot13(_[ARG0] as string));
          _[HEAP].put++;
        },
        flushed: (_) => void _[HEAP].flushed++,
        // End of input: Server::TCP's ClientDisconnected.
        error: (_) => {
          if (_[ARG1] !== 0) seen.errors.push(['server connection', ..._.slice(ARG0)]);
          seen.serverCounts = [_[HEAP].put, _[HEAP].flushed];
          _[HEAP].wheel!.destroy();
          delete _[HEAP].wheel;
        },
      },
    });

  Session.create<{ listener?: SocketFactory }>({
    kernel,
    inline_states: {
      _start: (_) => {
        _[KERNEL].alias_set('server');
        _[HEAP].listener = new SocketFactory({ SocketDomain: 'AF_INET6', BindAddress: '::1', BindPort: 0, SuccessEvent: 'accepted', FailureEvent: 'failed' });
        seen.serverPort = _[HEAP].listener.getsockname()?.port;
      },
      accepted: (_) => void serveConnection(_[ARG0] as Socket),
      failed: (_) => {
        seen.errors.push(['listener', ..._.slice(ARG0)]);
        _[HEAP].listener?.destroy();
        delete _[HEAP].listener;
      },
      shutdown: (_) => {
        _[KERNEL].alias_remove('server');
        _[HEAP].listener?.destroy();
        delete _[HEAP].listener;
      },
      _child: () => {},
    },
  });

  Session.create<Counts & { factory?: SocketFactory }>({
    kernel,
    heap: { put: 0, flushed: 0 },
    inline_states: {
      _start: (_) => {
        _[HEAP].factory = new SocketFactory({
          SocketDomain: 'AF_INET6',
          RemoteAddress: '::1',
          RemotePort: seen.serverPort!,
          BindAddress: '::1',
          SuccessEvent: 'connected',
          FailureEvent: 'connect_error',
        });
      },
      connected: (_) => {
        _[HEAP].factory!.destroy();
        delete _[HEAP].factory;
        _[HEAP].wheel = new ReadWrite({ Handle: _[ARG0] as Socket, InputEvent: 'input', ErrorEvent: 'error', FlushedEvent: 'flushed' });
        _[HEAP].put = 1;
        _[HEAP].wheel.put('1: this is a test');
      },
      connect_error: (_) => void seen.errors.push(['connect', ..._.slice(ARG0)]),
      input: (_: EventArgs<Counts>) => {
        const line = _[ARG0] as string;
        if (line.startsWith('1: ')) {
          _[HEAP].put++;
          _[HEAP].wheel!.put(`2: ${line.slice(3)}`);
        } else if (line.startsWith('2: ')) {
          seen.received = line.slice(3);
          _[KERNEL].post('server', 'shutdown');
          _[KERNEL].yield('shutdown');
        }
      },
      flushed: (_) => void _[HEAP].flushed++,
      error: (_) => void seen.errors.push(['client', ..._.slice(ARG0)]),
      // Client::TCP's shutdown reports Disconnected and drops the connection.
      shutdown: (_) => {
        seen.clientCounts = [_[HEAP].put, _[HEAP].flushed];
        _[HEAP].wheel?.destroy();
        delete _[HEAP].wheel;
      },
    },
  });

  await runBounded(kernel);
  return seen;
}

describe.skipIf(!hasIPv6Loopback)('wheel_sf_ipv6', () => {
  let outcome: Promise<Observed> | undefined;
  const scenario = () => (outcome ??= ipv6Scenario());

  it('the listener binds ::1 and tells its port at once; nothing fails', async () => {
    const seen = await scenario();
    expect(seen.serverPort).toBeGreaterThan(0);
    expect(seen.errors).toEqual([]);
  });

  it('the client receives the test message back after two round trips', async () => {
    const seen = await scenario();
    expect(seen.received).toBe('this is a test');
  });

  it('the server flushed as many records as it put when the client disconnected', async () => {
    const seen = await scenario();
    expect(seen.serverCounts).toEqual([2, 2]);
  });

  it('the client flushed as many records as it put when it disconnected', async () => {
    const seen = await scenario();
    expect(seen.clientCounts).toEqual([2, 2]);
  });
});
