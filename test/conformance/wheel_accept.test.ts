// poe-test-loops wheel_accept: five sessions connect with SocketFactory to one listening socket on
// 127.0.0.1, whose accepting wheel was created with event names nobody handles and renamed with
// event() before anything arrived. POE's accepting wheel is ListenAccept over a socket made by
// IO::Socket::INET; the port has no ListenAccept, so a listening SocketFactory (which binds,
// listens and accepts) plays both parts, and event() is exercised on it instead.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, Session } from '@poets/kernel';
import { SocketFactory } from '@poets/kernel';
import { runBounded } from './helpers.js';

const CONNECTOR_COUNT = 5;

interface Observed {
  boundPort: number | undefined;
  accepted: number;
  connected: number;
  connectErrors: number;
  unhandled: string[];
}

async function acceptScenario(): Promise<Observed> {
  const kernel = new Kernel();
  const seen: Observed = { boundPort: undefined, accepted: 0, connected: 0, connectErrors: 0, unhandled: [] };

  Session.create<{ listener?: SocketFactory }>({
    kernel,
    inline_states: {
      _start: (_) => {
        const listener = (_[HEAP].listener = new SocketFactory({
          BindAddress: '127.0.0.1',
          ListenQueue: 5,
          Reuse: 'yes',
          SuccessEvent: 'got_connection_nonexistent',
          FailureEvent: 'got_error_nonexistent',
        }));
        seen.boundPort = listener.getsockname()?.port;
        listener.event('SuccessEvent', 'got_connection', 'FailureEvent', 'got_error');
        _[KERNEL].delay('got_timeout', 1);
      },
      got_connection: (_) => {
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

  if (seen.boundPort !== undefined) {
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
  }

  await runBounded(kernel);
  return seen;
}

describe('wheel_accept', () => {
  let outcome: Promise<Observed> | undefined;
  const scenario = () => (outcome ??= acceptScenario());

  it('creates a listening socket on 127.0.0.1 and knows its port at once', async () => {
    const seen = await scenario();
    expect(seen.boundPort).toBeGreaterThan(0);
  });

  it('the listening socket accepts every connection, under the names event() gave', async () => {
    const seen = await scenario();
    expect(seen.accepted).toBe(CONNECTOR_COUNT);
    expect(seen.connected).toBe(CONNECTOR_COUNT);
    expect(seen.connectErrors).toBe(0);
    expect(seen.unhandled).toEqual([]);
  });
});
