import type { Socket as DatagramSocket } from 'node:dgram';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, Session, SocketFactory, UDP, FilterLine, FilterStream, type Datagram, type EventArgs } from '../../src/index.js';

type Heap = { server?: UDP<string, string>; client?: UDP<string, string>; factory?: SocketFactory; port?: number };
type Ev = EventArgs<Heap>;

describe('POE::Wheel::UDP', () => {
  it('a datagram socket from SocketFactory becomes events with the peer address; replies go back to it; LocalAddr/LocalPort binds its own', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: {},
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].factory = new SocketFactory({ SocketProtocol: 'udp', BindAddress: '127.0.0.1', BindPort: 0, SuccessEvent: 'bound', FailureEvent: 'failed' });
        },
        bound: (_: Ev) => {
          // What a POE program did with select_read on the socket, as a wheel.
          const socket = _[ARG0] as DatagramSocket;
          _[HEAP].server = new UDP({ Handle: socket, Filter: new FilterLine({ Literal: '\n' }), InputEvent: 'server_input' });
          _[HEAP].port = socket.address().port;
          _[HEAP].client = new UDP({ LocalAddr: '127.0.0.1', LocalPort: 0, Filter: new FilterLine({ Literal: '\n' }), InputEvent: 'client_input' });
          _[HEAP].client.put({ payload: ['one', 'two'], addr: '127.0.0.1', port: _[HEAP].port });
        },
        server_input: (_: Ev) => {
          const datagram = _[ARG0] as Datagram<string>;
          log.push(['server', datagram.payload, datagram.addr, datagram.bytes, _[ARG1] === _[HEAP].server!.ID()]);
          _[HEAP].server!.put({ payload: datagram.payload.map((record) => record.toUpperCase()), addr: datagram.addr!, port: datagram.port! });
        },
        client_input: (_: Ev) => {
          const datagram = _[ARG0] as Datagram<string>;
          log.push(['client', datagram.payload, datagram.addr, datagram.port === _[HEAP].port]);
          if (log.length < 4) return;
          _[HEAP].server!.destroy();
          _[HEAP].client!.destroy();
        },
        failed: (_: Ev) => void log.push(['failed', ..._.slice(ARG0)]),
      },
    });
    await kernel.run();
    // Each output record of the filter is one datagram, as the CPAN wheel sends them.
    expect(log).toEqual([
      ['server', ['one'], '127.0.0.1', 4, true],
      ['server', ['two'], '127.0.0.1', 4, true],
      ['client', ['ONE'], '127.0.0.1', true],
      ['client', ['TWO'], '127.0.0.1', true],
    ]);
  });

  it('croaks without an address or without a filter for its InputEvent; a bind that fails is an ErrorEvent', async () => {
    const kernel = new Kernel();
    const log: unknown[] = [];
    Session.create<Heap>({
      kernel,
      heap: {},
      inline_states: {
        _start: (_: Ev) => {
          for (const options of [{ InputEvent: 'x', Filter: new FilterStream() }, { LocalAddr: '127.0.0.1', LocalPort: 0, InputEvent: 'x' }, { LocalAddr: '127.0.0.1', LocalPort: 0, DefaultPort: 9 }]) {
            try {
              new UDP(options as never);
            } catch (error) {
              log.push((error as Error).message);
            }
          }
          // 192.0.2.1 (TEST-NET-1) is no address of this machine.
          _[HEAP].client = new UDP({ LocalAddr: '192.0.2.1', LocalPort: 0, Filter: new FilterLine(), InputEvent: 'x', ErrorEvent: 'failed' });
        },
        failed: (_: Ev) => {
          log.push(_.slice(ARG0, ARG0 + 3));
          _[HEAP].client!.destroy();
        },
      },
    });
    await kernel.run();
    expect(log).toEqual([
      'POE::Wheel::UDP: LocalAddr and LocalPort (or a Handle) required',
      'POE::Wheel::UDP: InputFilter option is required if InputEvent is defined',
      'POE::Wheel::UDP: DefaultAddr is required if DefaultPort is specified',
      ['bind', constants.errno.EADDRNOTAVAIL, 'Cannot assign requested address'],
    ]);
  });

  it('without an InputEvent the wheel does not hold its session, as the CPAN wheel selects nothing then', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    Session.create<Heap>({
      kernel,
      heap: {},
      inline_states: {
        _start: (_: Ev) => {
          _[HEAP].client = new UDP({ LocalAddr: '127.0.0.1', LocalPort: 0, Filter: new FilterLine() });
          log.push(`sent ${_[HEAP].client.put({ payload: ['x'], addr: '127.0.0.1', port: 9 })}`);
          _[KERNEL].yield('later');
        },
        later: () => void log.push('later'),
        _stop: (_: Ev) => {
          log.push('stop');
          _[HEAP].client!.destroy();
        },
      },
    });
    await kernel.run();
    expect(log).toEqual(['sent 3', 'later', 'stop']);
  });
});
