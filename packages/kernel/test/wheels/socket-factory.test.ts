import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { existsSync, rmSync } from 'node:fs';
import { connect, createServer, Socket, type Server } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, ARG3, HEAP, KERNEL, Kernel, SESSION, Session, UsageError, type EventArgs } from '../../src/index.js';
import { SocketFactory, type SocketFactoryOptions } from '../../src/wheels/socket-factory.js';
import { freePort as closedPort, runBounded, sleep, until } from '../../../../test/support/index.js';

const { EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, EINVAL, ENOENT, EPROTONOSUPPORT } = constants.errno;

type Heap = { wheel?: SocketFactory; log: unknown[] };
type Ev = EventArgs<Heap>;

// Everything a test opens is closed after it, whatever happened.
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

function track<T extends Socket | DatagramSocket | Server>(thing: T): T {
  opened.push({
    close: () => {
      try {
        if (thing instanceof Socket) thing.destroy();
        else thing.close();
      } catch {
        // already closed
      }
    },
  });
  return thing;
}

/** A raw TCP server on 127.0.0.1 (or `host`), port chosen by the system. */
async function rawServer(host = '127.0.0.1'): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = track(createServer((socket) => accepted.push(track(socket))));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as { port: number }).port, accepted };
}

/** A raw client: resolves once connected. */
function rawClient(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = track(connect(port, host));
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when `socket` closes (after an error, an end or a reset). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.on('error', () => {});
    socket.once('close', () => resolve());
    socket.resume();
  });
}

function firstLine(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
  });
}

const canListenOn = (host: string) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
const hasIPv6 = await canListenOn('::1');

/** One session that creates one SocketFactory in _start and logs its events; returns the log. */
/** Node's Error each failed wheel gave as ARG4, by wheel ID. */
const failureErrors = new Map<number, unknown>();

function factorySession(kernel: Kernel, options: Omit<SocketFactoryOptions, 'SuccessEvent' | 'FailureEvent'>, states: Record<string, (_: Ev) => unknown> = {}) {
  const log: unknown[] = [];
  let wheel!: SocketFactory;
  Session.create<Heap>({
    kernel,
    heap: { log },
    inline_states: {
      _start: (_: Ev) => {
        wheel = _[HEAP].wheel = new SocketFactory({ ...options, SuccessEvent: 'ok', FailureEvent: 'failed' });
      },
      ok: (_: Ev) => void log.push(['ok', ..._.slice(ARG0)]),
      failed: (_: Ev) => {
        // POE's four arguments; Node's own error (ARG4) is kept aside by wheel ID.
        log.push(['failed', ..._.slice(ARG0, ARG0 + 4)]);
        failureErrors.set(_[ARG0 + 3] as number, _[ARG0 + 4]);
      },
      _stop: () => void log.push('_stop'),
      ...states,
    },
  });
  return { log, wheel };
}

describe('POE::Wheel::SocketFactory', () => {
  describe('TCP listener', () => {
    it('binds port 0, tells the port through getsockname(), and keeps accepting', async () => {
      const kernel = new Kernel();
      const peers: [unknown, unknown, unknown, unknown][] = [];
      const { wheel } = factorySession(
        kernel,
        { BindAddress: '127.0.0.1', BindPort: 0 },
        {
          ok: (_: Ev) => {
            peers.push([_[ARG0], _[ARG1], _[ARG2], _[ARG3]]);
            const socket = _[ARG0] as Socket;
            socket.end(`hello ${peers.length}\n`);
            if (peers.length === 3) _[HEAP].wheel!.destroy();
          },
        },
      );
      // As POE documents: the port is known as soon as new() returns.
      const name = wheel.getsockname()!;
      expect(name).toMatchObject({ family: 'AF_INET', address: '127.0.0.1' });
      const running = runBounded(kernel);
      expect(name.port).toBeGreaterThan(0);
      const localPorts: number[] = [];
      const lines: string[] = [];
      for (let i = 0; i < 3; i++) {
        const client = await rawClient(name.port!);
        localPorts.push(client.localPort!);
        lines.push(await firstLine(client));
      }
      await running;
      expect(lines).toEqual(['hello 1', 'hello 2', 'hello 3']);
      expect(peers.map((p) => p[0] instanceof Socket)).toEqual([true, true, true]);
      expect(peers.map((p) => p[1])).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
      expect(peers.map((p) => p[2])).toEqual(localPorts);
      expect(peers.map((p) => p[3])).toEqual([wheel.ID(), wheel.ID(), wheel.ID()]);
      // destroy() closed the listening socket.
      expect(wheel.getsockname()).toBeUndefined();
      await expect(rawClient(name.port!)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });

    it('tells its port at once, before Node binds it, and a connector made at once to it connects', async () => {
      const kernel = new Kernel();
      const log: unknown[] = [];
      let told: unknown;
      Session.create<{ listener?: SocketFactory; connector?: SocketFactory }>({
        kernel,
        heap: {},
        inline_states: {
          _start: (_) => {
            const listener = (_[HEAP].listener = new SocketFactory({ BindAddress: '127.0.0.1', BindPort: 0, SuccessEvent: 'accepted', FailureEvent: 'failed' }));
            told = listener.getsockname();
            // The same handler connects to the port it was just told: the bind must come first.
            _[HEAP].connector = new SocketFactory({
              RemoteAddress: '127.0.0.1',
              RemotePort: listener.getsockname()!.port!,
              SuccessEvent: 'connected',
              FailureEvent: 'failed',
            });
          },
          accepted: (_) => {
            log.push('accepted');
            (_[ARG0] as Socket).destroy();
            _[HEAP].listener!.destroy();
          },
          connected: (_) => {
            log.push(['connected', _[ARG2]]);
            (_[ARG0] as Socket).destroy();
          },
          failed: (_) => {
            log.push(['failed', ..._.slice(ARG0, ARG0 + 3)]);
            _[HEAP].listener!.destroy();
          },
        },
      });
      await runBounded(kernel);
      expect(told).toMatchObject({ family: 'AF_INET', address: '127.0.0.1', port: expect.any(Number) });
      const port = (told as { port: number }).port;
      expect(port).toBeGreaterThan(0);
      expect(log).toContainEqual(['connected', port]);
      expect(log).toContain('accepted');
      expect(log.filter((entry) => Array.isArray(entry) && entry[0] === 'failed')).toEqual([]);
    });

    it.skipIf(!hasIPv6)('tells an IPv6 listener\'s address and port at once, and the one Node then binds is the same', async () => {
      const kernel = new Kernel();
      const { wheel } = factorySession(kernel, { SocketDomain: 'AF_INET6', BindAddress: '::1', BindPort: 0 });
      const atOnce = wheel.getsockname();
      expect(atOnce).toMatchObject({ family: 'AF_INET6', address: '::1' });
      const running = runBounded(kernel);
      await rawClient(atOnce!.port!, '::1').then((client) => client.destroy());
      // Bound now (a client connected): what Node reports is what was told.
      expect(wheel.getsockname()).toEqual(atOnce);
      wheel.destroy();
      await running;
    });

    it('holds its session until destroyed; a forced stop destroys it', async () => {
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { BindAddress: '127.0.0.1', BindPort: 0 });
      const running = runBounded(kernel);
      await until(() => wheel.getsockname() !== undefined);
      const port = wheel.getsockname()!.port!;
      await sleep(30);
      expect(log).toEqual([]);
      kernel.stop();
      await running;
      expect(log).toEqual(['_stop']);
      await expect(rawClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });

    it('reports a port in use as a bind failure, never as a crash, and lets go of its session', async () => {
      const { port } = await rawServer();
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { BindAddress: '127.0.0.1', BindPort: port, Reuse: 'yes' });
      await runBounded(kernel);
      expect(log).toEqual([['failed', 'bind', EADDRINUSE, 'Address already in use', wheel.ID()], '_stop']);
      expect(failureErrors.get(wheel.ID())).toMatchObject({ code: 'EADDRINUSE' });
      expect(wheel.getsockname()).toBeUndefined();
    });

    it('accepts a service name for a port, and fails with getservbyname for an unknown one', async () => {
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { BindAddress: '127.0.0.1', BindPort: 'no-such-service-here' });
      await runBounded(kernel);
      expect(log).toEqual([['failed', 'getservbyname', EADDRNOTAVAIL, expect.any(String), wheel.ID()], '_stop']);

      const k2 = new Kernel();
      const out = factorySession(k2, { BindAddress: '127.0.0.1', BindPort: 70000 });
      await runBounded(k2);
      expect(out.log[0]).toEqual(['failed', 'getservbyname', EADDRNOTAVAIL, expect.any(String), out.wheel.ID()]);
    });

    it('resolves a host name for BindAddress in the socket domain', async () => {
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { BindAddress: 'localhost', BindPort: 0 }, {
        ok: (_: Ev) => {
          log.push(['ok', _[ARG1]]);
          (_[ARG0] as Socket).destroy();
          _[HEAP].wheel!.destroy();
        },
      });
      const running = runBounded(kernel);
      await until(() => wheel.getsockname() !== undefined);
      expect(wheel.getsockname()!.address).toBe('127.0.0.1');
      await rawClient(wheel.getsockname()!.port!);
      await running;
      expect(log).toEqual([['ok', '127.0.0.1'], '_stop']);
    });
  });

  describe('pause_accept / resume_accept', () => {
    it('delivers nothing while paused, then every waiting connection in order, with its data', async () => {
      const kernel = new Kernel();
      const got: unknown[] = [];
      let port = 0;
      const session = Session.create<Heap>({
        kernel,
        heap: { log: [] },
        inline_states: {
          _start: (_: Ev) => {
            _[HEAP].wheel = new SocketFactory({ BindAddress: '127.0.0.1', SuccessEvent: 'ok', FailureEvent: 'failed' });
            _[HEAP].wheel.pause_accept();
          },
          ok: (_: Ev) => {
            const socket = _[ARG0] as Socket;
            got.push(_[ARG2]);
            socket.once('data', (chunk) => socket.end(`echo ${chunk.toString()}`));
            if (got.length === 3) _[HEAP].wheel!.destroy();
          },
          resume: (_: Ev) => _[HEAP].wheel!.resume_accept(),
        },
      });
      const running = runBounded(kernel);
      await until(() => (port = session.get_heap().wheel?.getsockname()?.port ?? 0) !== 0);
      const clients: Socket[] = [];
      for (let i = 0; i < 3; i++) {
        const client = await rawClient(port);
        client.write(`client ${i}\n`);
        clients.push(client);
      }
      const localPorts = clients.map((c) => c.localPort);
      await sleep(50);
      expect(got).toEqual([]);
      kernel.post(session, 'resume');
      const replies = await Promise.all(clients.map(firstLine));
      await running;
      expect(got).toEqual(localPorts);
      expect(replies).toEqual(['echo client 0', 'echo client 1', 'echo client 2']);
    });

    it('holds at most ListenQueue connections while paused and closes the rest', async () => {
      const kernel = new Kernel();
      const got: unknown[] = [];
      let port = 0;
      const session = Session.create<Heap>({
        kernel,
        heap: { log: [] },
        inline_states: {
          _start: (_: Ev) => {
            _[HEAP].wheel = new SocketFactory({ BindAddress: '127.0.0.1', ListenQueue: 2, SuccessEvent: 'ok', FailureEvent: 'failed' });
            _[HEAP].wheel.pause_accept();
          },
          ok: (_: Ev) => {
            got.push(_[ARG2]);
            (_[ARG0] as Socket).destroy();
          },
          resume: (_: Ev) => _[HEAP].wheel!.resume_accept(),
          done: (_: Ev) => _[HEAP].wheel!.destroy(),
        },
      });
      const running = runBounded(kernel);
      await until(() => (port = session.get_heap().wheel?.getsockname()?.port ?? 0) !== 0);
      const clients: Socket[] = [];
      for (let i = 0; i < 4; i++) clients.push(await rawClient(port));
      const localPorts = clients.map((c) => c.localPort);
      // The two past the limit are closed at once.
      await Promise.all([closed(clients[2]!), closed(clients[3]!)]);
      expect(got).toEqual([]);
      kernel.post(session, 'resume');
      await until(() => got.length === 2);
      kernel.post(session, 'done');
      await running;
      expect(got).toEqual(localPorts.slice(0, 2));
    });

    it('drops a waiting connection that the peer reset before resume', async () => {
      const kernel = new Kernel();
      const got: unknown[] = [];
      let port = 0;
      const session = Session.create<Heap>({
        kernel,
        heap: { log: [] },
        inline_states: {
          _start: (_: Ev) => {
            _[HEAP].wheel = new SocketFactory({ BindAddress: '127.0.0.1', SuccessEvent: 'ok', FailureEvent: 'failed' });
            _[HEAP].wheel.pause_accept();
          },
          ok: (_: Ev) => {
            got.push(_[ARG2]);
            (_[ARG0] as Socket).destroy();
            _[HEAP].wheel!.destroy();
          },
          resume: (_: Ev) => _[HEAP].wheel!.resume_accept(),
        },
      });
      const running = runBounded(kernel);
      await until(() => (port = session.get_heap().wheel?.getsockname()?.port ?? 0) !== 0);
      const reset = await rawClient(port);
      reset.resetAndDestroy();
      await sleep(30);
      const healthy = await rawClient(port);
      const healthyPort = healthy.localPort;
      await sleep(20);
      kernel.post(session, 'resume');
      await running;
      expect(got).toEqual([healthyPort]);
    });

    it('closes the connections still waiting when destroyed while paused', async () => {
      const kernel = new Kernel();
      const got: unknown[] = [];
      let port = 0;
      const session = Session.create<Heap>({
        kernel,
        heap: { log: [] },
        inline_states: {
          _start: (_: Ev) => {
            _[HEAP].wheel = new SocketFactory({ BindAddress: '127.0.0.1', SuccessEvent: 'ok', FailureEvent: 'failed' });
            _[HEAP].wheel.pause_accept();
          },
          ok: (_: Ev) => void got.push(_[ARG2]),
          done: (_: Ev) => {
            _[HEAP].wheel!.destroy();
            _[HEAP].wheel!.resume_accept();
          },
        },
      });
      const running = runBounded(kernel);
      await until(() => (port = session.get_heap().wheel?.getsockname()?.port ?? 0) !== 0);
      const client = await rawClient(port);
      await sleep(20);
      kernel.post(session, 'done');
      await closed(client);
      await running;
      expect(got).toEqual([]);
    });
  });

  describe('TCP connector', () => {
    it('fires SuccessEvent once with the connected socket, the peer address and port, then releases its session', async () => {
      const { port, accepted } = await rawServer();
      const kernel = new Kernel();
      let socket: Socket | undefined;
      const { log, wheel } = factorySession(
        kernel,
        { RemoteAddress: '127.0.0.1', RemotePort: port },
        {
          ok: (_: Ev) => {
            log.push(['ok', _[ARG0] instanceof Socket, _[ARG1], _[ARG2], _[ARG3]]);
            socket = _[ARG0] as Socket;
            // The socket belongs to the session now: destroying the wheel leaves it open.
            _[HEAP].wheel!.destroy();
          },
        },
      );
      const local = () => wheel.getsockname();
      await runBounded(kernel);
      expect(log).toEqual([['ok', true, '127.0.0.1', port, wheel.ID()], '_stop']);
      expect(socket!.destroyed).toBe(false);
      expect(local()).toMatchObject({ family: 'AF_INET', address: '127.0.0.1', port: socket!.localPort });
      await until(() => accepted.length === 1);
      socket!.write('ping\n');
      expect(await firstLine(accepted[0]!)).toBe('ping');
      socket!.destroy();
    });

    it('releases its session after firing even when nobody destroys it', async () => {
      const { port } = await rawServer();
      const kernel = new Kernel();
      const { log } = factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port }, {
        ok: (_: Ev) => {
          log.push('ok');
          track(_[ARG0] as Socket);
        },
      });
      await runBounded(kernel);
      expect(log).toEqual(['ok', '_stop']);
    });

    it('reports a refused connection as a connect failure', async () => {
      const port = await closedPort();
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port });
      await runBounded(kernel);
      // ARG2 is the system's text, as POE's $! prints it; Node's own error follows the wheel ID.
      expect(log).toEqual([['failed', 'connect', ECONNREFUSED, 'Connection refused', wheel.ID()], '_stop']);
      expect(failureErrors.get(wheel.ID())).toMatchObject({ code: 'ECONNREFUSED', message: expect.stringContaining('connect ECONNREFUSED') });
    });

    it('binds the local end first when BindAddress/BindPort are given', async () => {
      const { port } = await rawServer();
      const kernel = new Kernel();
      const { log } = factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port, BindAddress: '127.0.0.1', BindPort: 0 }, {
        ok: (_: Ev) => {
          const socket = track(_[ARG0] as Socket);
          log.push(['ok', socket.localAddress]);
        },
      });
      await runBounded(kernel);
      expect(log).toEqual([['ok', '127.0.0.1'], '_stop']);
    });

    it('reports a local bind failure as a bind failure', async () => {
      const { port } = await rawServer();
      const { port: taken } = await rawServer();
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port, BindAddress: '127.0.0.1', BindPort: taken });
      await runBounded(kernel);
      expect(log).toEqual([['failed', 'bind', EADDRINUSE, expect.any(String), wheel.ID()], '_stop']);
    });

    it('dispatches nothing once destroyed while the connect is pending', async () => {
      const { port } = await rawServer();
      const kernel = new Kernel();
      const { log } = factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port }, {
        _start: (_: Ev) => {
          _[HEAP].wheel = new SocketFactory({ RemoteAddress: '127.0.0.1', RemotePort: port, SuccessEvent: 'ok', FailureEvent: 'failed' });
          _[HEAP].wheel.destroy();
          _[KERNEL].delay('later', 0.05);
        },
        later: () => void 0,
      });
      await runBounded(kernel);
      expect(log).toEqual(['_stop']);
    });

    it('fails to resolve unresolvable names: inet_aton for AF_INET, getaddrinfo for AF_INET6', async () => {
      const kernel = new Kernel();
      const noName = (_host: string, _family: 4 | 6, callback: (error: Error | null, address?: string) => void) =>
        setImmediate(() => callback(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' })));
      const a = factorySession(kernel, { RemoteAddress: 'nowhere.invalid', RemotePort: 1, lookup: noName });
      const b = factorySession(kernel, { SocketDomain: 'AF_INET6', RemoteAddress: 'nowhere.invalid', RemotePort: 1, lookup: noName });
      // An IP literal of the other family is not an address of this domain.
      const c = factorySession(kernel, { RemoteAddress: '::1', RemotePort: 1 });
      const d = factorySession(kernel, { SocketDomain: 'AF_INET6', RemoteAddress: '127.0.0.1', RemotePort: 1 });
      await runBounded(kernel);
      expect(a.log).toEqual([['failed', 'inet_aton', EADDRNOTAVAIL, expect.stringContaining('ENOTFOUND'), a.wheel.ID()], '_stop']);
      expect(b.log).toEqual([['failed', 'getaddrinfo', EADDRNOTAVAIL, expect.stringContaining('nowhere.invalid'), b.wheel.ID()], '_stop']);
      expect(c.log).toEqual([['failed', 'inet_aton', EADDRNOTAVAIL, expect.any(String), c.wheel.ID()], '_stop']);
      expect(d.log).toEqual([['failed', 'getaddrinfo', EADDRNOTAVAIL, expect.any(String), d.wheel.ID()], '_stop']);
    });

    it('uses the lookup given to resolve host names', async () => {
      const { port } = await rawServer();
      const kernel = new Kernel();
      const asked: unknown[] = [];
      const { log } = factorySession(kernel, {
        RemoteAddress: 'server.test',
        RemotePort: port,
        lookup: (host, family, callback) => {
          asked.push([host, family]);
          callback(null, '127.0.0.1');
        },
      }, {
        ok: (_: Ev) => {
          log.push(['ok', _[ARG1]]);
          track(_[ARG0] as Socket);
        },
      });
      await runBounded(kernel);
      expect(asked).toEqual([['server.test', 4]]);
      expect(log).toEqual([['ok', '127.0.0.1'], '_stop']);
    });

    it('requires RemotePort with an Internet RemoteAddress, and both event names', async () => {
      const kernel = new Kernel();
      const thrown: unknown[] = [];
      Session.create({
        kernel,
        inline_states: {
          _start: () => {
            const attempts: (() => unknown)[] = [
              () => new SocketFactory({ RemoteAddress: '127.0.0.1', SuccessEvent: 'a', FailureEvent: 'b' }),
              () => new SocketFactory({ BindAddress: '127.0.0.1', FailureEvent: 'b' } as unknown as SocketFactoryOptions),
              () => new SocketFactory({ BindAddress: '127.0.0.1', SuccessEvent: 'a' } as unknown as SocketFactoryOptions),
            ];
            for (const attempt of attempts) {
              try {
                attempt();
              } catch (error) {
                thrown.push((error as Error).message);
              }
            }
          },
        },
      });
      // None of the failed wheels holds the session.
      await runBounded(kernel);
      expect(thrown).toEqual([
        expect.stringContaining('RemotePort required'),
        expect.stringContaining('SuccessEvent required'),
        expect.stringContaining('FailureEvent required'),
      ]);
    });

    it('must be created inside a session', () => {
      expect(() => new SocketFactory({ BindAddress: '127.0.0.1', SuccessEvent: 'a', FailureEvent: 'b' })).toThrow(UsageError);
    });
  });

  describe('parameters', () => {
    it('reports an unknown domain, protocol or type as POE does', async () => {
      const kernel = new Kernel();
      const cases: Partial<SocketFactoryOptions>[] = [
        { SocketDomain: 'AF_APPLETALK' as never },
        { SocketProtocol: 'icmp' as never },
        { SocketProtocol: 'tcp', SocketType: 'SOCK_DGRAM' },
        { SocketProtocol: 'udp', SocketType: 'SOCK_STREAM' },
        { SocketType: 'SOCK_RAW' as never },
        { SocketDomain: 'AF_UNIX', SocketType: 'SOCK_DGRAM', BindAddress: join(tmpdir(), 'never') },
        { SocketDomain: 'AF_UNIX', BindAddress: undefined },
      ];
      const runs = cases.map((options) => factorySession(kernel, { BindAddress: '127.0.0.1', ...options }));
      await runBounded(kernel);
      expect(runs.map((r) => (r.log[0] as unknown[]).slice(0, 3))).toEqual([
        ['failed', 'domain', 0],
        ['failed', 'getprotobyname', EPROTONOSUPPORT],
        ['failed', 'socket', EPROTONOSUPPORT],
        ['failed', 'socket', EPROTONOSUPPORT],
        ['failed', 'socket', EINVAL],
        ['failed', 'socket', EPROTONOSUPPORT],
        ['failed', 'bind', EINVAL],
      ]);
      expect((runs[0]!.log[0] as unknown[])[3]).toContain('AF_APPLETALK');
      for (const r of runs) expect(r.log.at(-1)).toBe('_stop');
    });

    it('accepts protocol numbers and infers udp from SOCK_DGRAM', async () => {
      const kernel = new Kernel();
      const kinds: unknown[] = [];
      const record = (_: Ev) => {
        const socket = _[ARG0] as Socket | DatagramSocket;
        kinds.push(socket instanceof Socket ? 'tcp' : 'udp');
        if (socket instanceof Socket) socket.destroy();
        else track(socket as DatagramSocket);
        _[HEAP].wheel!.destroy();
      };
      const { port } = await rawServer();
      factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port, SocketProtocol: 6 }, { ok: record });
      factorySession(kernel, { BindAddress: '127.0.0.1', SocketProtocol: 17 }, { ok: record });
      factorySession(kernel, { BindAddress: '127.0.0.1', SocketType: 'SOCK_DGRAM' }, { ok: record });
      await runBounded(kernel);
      expect(kinds.sort()).toEqual(['tcp', 'udp', 'udp']);
    });

    it('renames its events with event(), by pairs or by object; an undefined name is ignored with a warning', async () => {
      const warnings: string[] = [];
      const kernel = new Kernel({ warn: (line) => warnings.push(line) });
      const { port } = await rawServer();
      const log: unknown[] = [];
      Session.create<Heap>({
        kernel,
        heap: { log },
        inline_states: {
          _start: (_: Ev) => {
            const refused = new SocketFactory({ RemoteAddress: '127.0.0.1', RemotePort: 1, SuccessEvent: 'nothing', FailureEvent: 'nothing' });
            refused.event('FailureEvent', 'failed_renamed', 'SuccessEvent', undefined);
            const good = new SocketFactory({ RemoteAddress: '127.0.0.1', RemotePort: port, SuccessEvent: 'nothing', FailureEvent: 'nothing' });
            good.event({ SuccessEvent: 'ok_renamed' });
            expect(() => good.event('InputEvent', 'x')).toThrow(/unknown event parameter 'InputEvent'/);
          },
          nothing: () => void log.push('old name'),
          failed_renamed: (_: Ev) => void log.push(['failed', _[ARG0]]),
          ok_renamed: (_: Ev) => {
            log.push(['ok', _[ARG1]]);
            track(_[ARG0] as Socket);
          },
        },
      });
      await runBounded(kernel);
      expect(log.sort()).toEqual([['failed', 'connect'], ['ok', '127.0.0.1']]);
      expect(warnings).toEqual([expect.stringContaining('SuccessEvent requires an event name')]);
    });

    it('makes a throwing SuccessEvent handler a DIE, as any handler', async () => {
      const { port } = await rawServer();
      const kernel = new Kernel();
      factorySession(kernel, { RemoteAddress: '127.0.0.1', RemotePort: port }, {
        ok: (_: Ev) => {
          track(_[ARG0] as Socket);
          throw new Error('boom');
        },
      });
      await expect(runBounded(kernel)).rejects.toThrow(/died in event 'ok': boom/);
    });
  });

  describe('Unix sockets', () => {
    const path = join(tmpdir(), `poets-sf-${process.pid}.sock`);
    afterEach(() => rmSync(path, { force: true }));

    it('listens on a path and connects to it: no peer address on accept, the path on connect', async () => {
      rmSync(path, { force: true });
      const kernel = new Kernel();
      const server = factorySession(kernel, { SocketDomain: 'AF_UNIX', BindAddress: path }, {
        ok: (_: Ev) => {
          server.log.push(['accepted', _[ARG0] instanceof Socket, _[ARG1], _[ARG2], _[ARG3]]);
          const socket = _[ARG0] as Socket;
          socket.once('data', (chunk) => socket.end(`echo ${chunk.toString()}`));
          _[HEAP].wheel!.destroy();
        },
      });
      expect(server.wheel.getsockname()).toEqual({ family: 'AF_UNIX', address: path, port: undefined });
      const replies: string[] = [];
      const client = factorySession(kernel, { SocketDomain: 'PF_UNIX', RemoteAddress: path }, {
        ok: (_: Ev) => {
          client.log.push(['connected', _[ARG0] instanceof Socket, _[ARG1], _[ARG2], _[ARG3]]);
          const socket = track(_[ARG0] as Socket);
          firstLine(socket).then((line) => replies.push(line));
          socket.write('unix\n');
          _[KERNEL].delay('wait', 0.1);
        },
        wait: () => void 0,
      });
      await runBounded(kernel);
      expect(server.log).toEqual([['accepted', true, undefined, undefined, server.wheel.ID()], '_stop']);
      expect(client.log).toEqual([['connected', true, path, undefined, client.wheel.ID()], '_stop']);
      expect(replies).toEqual(['echo unix']);
      // Closing the listener removed its socket file.
      expect(existsSync(path)).toBe(false);
    });

    it('fails to listen on a path in use (bind) and to connect to a missing path (connect)', async () => {
      rmSync(path, { force: true });
      const holder = track(createServer());
      await new Promise<void>((resolve) => holder.listen(path, resolve));
      const kernel = new Kernel();
      const busy = factorySession(kernel, { SocketDomain: 'AF_UNIX', BindAddress: path });
      const missing = factorySession(kernel, { SocketDomain: 'AF_UNIX', RemoteAddress: `${path}.missing` });
      await runBounded(kernel);
      expect(busy.log).toEqual([['failed', 'bind', EADDRINUSE, expect.any(String), busy.wheel.ID()], '_stop']);
      expect(missing.log).toEqual([['failed', 'connect', ENOENT, expect.any(String), missing.wheel.ID()], '_stop']);
    });
  });

  describe.skipIf(!hasIPv6)('IPv6', () => {
    it('listens on ::1 and connects to it from ::1', async () => {
      const kernel = new Kernel();
      const server = factorySession(kernel, { SocketDomain: 'AF_INET6', BindAddress: '::1', BindPort: 0 }, {
        ok: (_: Ev) => {
          server.log.push(['accepted', _[ARG1]]);
          track(_[ARG0] as Socket);
          _[HEAP].wheel!.destroy();
        },
      });
      const running = runBounded(kernel);
      await until(() => server.wheel.getsockname() !== undefined);
      const name = server.wheel.getsockname()!;
      expect(name).toMatchObject({ family: 'AF_INET6', address: '::1' });
      const client = factorySession(kernel, { SocketDomain: 'AF_INET6', RemoteAddress: '::1', RemotePort: name.port!, BindAddress: '::1' }, {
        ok: (_: Ev) => {
          client.log.push(['connected', _[ARG1], _[ARG2]]);
          track(_[ARG0] as Socket);
        },
      });
      await running;
      expect(server.log).toEqual([['accepted', '::1'], '_stop']);
      expect(client.log).toEqual([['connected', '::1', name.port], '_stop']);
      expect(client.wheel.getsockname()).toMatchObject({ family: 'AF_INET6', address: '::1' });
    });
  });

  describe('UDP', () => {
    it('is ready once bound: SuccessEvent with the dgram socket and no peer; two sockets exchange datagrams', async () => {
      const kernel = new Kernel();
      const received: string[] = [];
      type UdpHeap = Heap & { a?: SocketFactory; b?: SocketFactory; sockets: DatagramSocket[] };
      Session.create<UdpHeap>({
        kernel,
        heap: { log: [], sockets: [] },
        inline_states: {
          _start: (_) => {
            _[HEAP].a = new SocketFactory({ BindAddress: '127.0.0.1', BindPort: 0, SocketProtocol: 'udp', SuccessEvent: 'ready', FailureEvent: 'failed' });
            _[HEAP].b = new SocketFactory({ BindAddress: '127.0.0.1', BindPort: 0, SocketProtocol: 'udp', SuccessEvent: 'ready', FailureEvent: 'failed' });
          },
          ready: (_) => {
            const socket = track(_[ARG0] as DatagramSocket);
            _[HEAP].log.push([_[ARG1], _[ARG2], _[ARG3] === _[HEAP].a!.ID() ? 'a' : 'b']);
            _[HEAP].sockets.push(socket);
            // Held by hand while the socket is open, as select_read would hold it in POE.
            _[KERNEL].refcount_increment(_[SESSION].ID(), 'udp');
            socket.on('message', (message) => {
              received.push(message.toString());
              socket.close();
              kernel.refcount_decrement(_[SESSION].ID(), 'udp');
            });
            if (_[HEAP].sockets.length === 2) {
              const [first, second] = _[HEAP].sockets as [DatagramSocket, DatagramSocket];
              first.send('to second', _[HEAP].b!.getsockname()!.port!, '127.0.0.1');
              second.send('to first', _[HEAP].a!.getsockname()!.port!, '127.0.0.1');
            }
          },
          failed: (_) => void _[HEAP].log.push(['failed', ..._.slice(ARG0)]),
        },
      });
      await runBounded(kernel);
      expect(received.sort()).toEqual(['to first', 'to second']);
    });

    it('connects when given a RemoteAddress: SuccessEvent carries the peer', async () => {
      const peer = track(createSocket('udp4'));
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
      const peerPort = peer.address().port;
      const got = new Promise<string>((resolve) => peer.once('message', (m) => resolve(m.toString())));
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { SocketProtocol: 'udp', RemoteAddress: '127.0.0.1', RemotePort: peerPort }, {
        ok: (_: Ev) => {
          log.push(['ok', _[ARG1], _[ARG2]]);
          const socket = track(_[ARG0] as DatagramSocket);
          socket.send('connected datagram');
        },
      });
      await runBounded(kernel);
      expect(log).toEqual([['ok', '127.0.0.1', peerPort], '_stop']);
      expect(await got).toBe('connected datagram');
      expect(wheel.getsockname()).toMatchObject({ family: 'AF_INET', address: '127.0.0.1' });
    });

    it('gives an unbound socket at once when neither bound nor connected', async () => {
      const kernel = new Kernel();
      const { log, wheel } = factorySession(kernel, { SocketProtocol: 'udp' }, {
        ok: (_: Ev) => {
          log.push(['ok', _[ARG1], _[ARG2], _[ARG0] instanceof Socket]);
          track(_[ARG0] as DatagramSocket);
          log.push(wheel.getsockname());
        },
      });
      await runBounded(kernel);
      expect(log).toEqual([['ok', undefined, undefined, false], undefined, '_stop']);
    });

    it('fails to bind a port in use without Reuse, and shares it with Reuse', async () => {
      const holder = track(createSocket({ type: 'udp4', reuseAddr: true }));
      await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
      const port = holder.address().port;
      const kernel = new Kernel();
      const plain = factorySession(kernel, { SocketProtocol: 'udp', BindAddress: '127.0.0.1', BindPort: port });
      const shared = factorySession(kernel, { SocketProtocol: 'udp', BindAddress: '127.0.0.1', BindPort: port, Reuse: 'on' }, {
        ok: (_: Ev) => void shared.log.push(['ok', track(_[ARG0] as DatagramSocket).address().port]),
      });
      await runBounded(kernel);
      expect(plain.log).toEqual([['failed', 'bind', EADDRINUSE, expect.any(String), plain.wheel.ID()], '_stop']);
      expect(shared.log).toEqual([['ok', port], '_stop']);
    });
  });
});
