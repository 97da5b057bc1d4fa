// poe-test-loops connect_errors: connecting to a port on 127.0.0.1 that is bound but has no
// listener must end in a connect failure event (never a hang, never a success), and run() must
// return. POE connects with Client::TCP; the port uses SocketFactory, which Client::TCP wraps,
// and reports its FailureEvent where Client::TCP calls ConnectError.
import { connect, createServer, type Socket } from 'node:net';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Kernel, Session } from '@poets/kernel';
import { SocketFactory } from '@poets/kernel';
import { runOutcome } from './helpers.js';

/**
 * A port on 127.0.0.1 held bound but not listening. POE binds a socket without listen(); Node
 * cannot, so the local end of an established loopback connection holds the port instead: nothing
 * listens there, and nobody else can take it while the connection lives.
 */
async function unusedPort(): Promise<{ port: number; release(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const holder = connect((server.address() as { port: number }).port, '127.0.0.1');
  await new Promise<void>((resolve) => holder.once('connect', resolve));
  const far = await accepted;
  server.close();
  return {
    port: holder.localPort!,
    release: () => {
      holder.destroy();
      far.destroy();
    },
  };
}

interface Observed {
  port: number;
  connected: boolean;
  connectError: unknown[] | undefined;
  timedOut: boolean;
  runError: unknown;
}

async function connectErrorScenario(): Promise<Observed> {
  const reserved = await unusedPort();
  const kernel = new Kernel();
  const seen: Observed = { port: reserved.port, connected: false, connectError: undefined, timedOut: false, runError: undefined };

  // The watchdog: fails the test if nothing happens within a second.
  Session.create<{ alarm?: number }>({
    kernel,
    inline_states: {
      _start: (_) => {
        _[KERNEL].alias_set('watcher');
        _[HEAP].alarm = _[KERNEL].delay_set('timeout', 1);
      },
      timeout: (_) => {
        seen.timedOut = true;
        _[KERNEL].post('client', 'shutdown');
      },
      shutdown: (_) => {
        _[KERNEL].alarm_remove(_[HEAP].alarm!);
        _[KERNEL].alias_remove('watcher');
      },
      _stop: () => {},
    },
  });

  Session.create<{ connector?: SocketFactory }>({
    kernel,
    inline_states: {
      _start: (_) => {
        _[KERNEL].alias_set('client');
        _[HEAP].connector = new SocketFactory({ RemoteAddress: '127.0.0.1', RemotePort: reserved.port, SuccessEvent: 'connected', FailureEvent: 'connect_error' });
      },
      connected: (_) => {
        seen.connected = true;
        (_[ARG0] as Socket).destroy();
        _[KERNEL].yield('shutdown');
      },
      connect_error: (_) => {
        seen.connectError = [_[ARG0], _[ARG1], _[ARG2]];
        _[KERNEL].post('watcher', 'shutdown');
        _[KERNEL].yield('shutdown');
      },
      shutdown: (_) => {
        _[HEAP].connector?.destroy();
        delete _[HEAP].connector;
        _[KERNEL].alias_remove('client');
      },
    },
  });

  try {
    seen.runError = await runOutcome(kernel, 3000);
  } finally {
    reserved.release();
  }
  return seen;
}

describe('connect_errors', () => {
  let outcome: Promise<Observed> | undefined;
  const scenario = () => (outcome ??= connectErrorScenario());

  it('finds a port on 127.0.0.1 that nobody listens on', async () => {
    const seen = await scenario();
    expect(seen.port).toBeGreaterThan(0);
  });

  it('the connection fails with a connect error (ECONNREFUSED), neither succeeding nor timing out', async () => {
    const seen = await scenario();
    expect(seen.connected).toBe(false);
    expect(seen.timedOut).toBe(false);
    expect(seen.connectError).toEqual(['connect', constants.errno.ECONNREFUSED, 'Connection refused']);
  });

  it('run() returns normally', async () => {
    const seen = await scenario();
    expect(seen.runError).toBeUndefined();
  });
});
