// Server.TCP's documented behaviour, driven by real Node sockets on 127.0.0.1 (and ::1, and a Unix socket).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, ARG3, FilterLine, FilterStream, HEAP, KERNEL, Kernel, ReadWrite, SESSION, STATE, Session, type EventArgs } from '@poets/kernel';
import { TCPServer, type ClientHeap, type ListenerHeap, type ConnectedClientHeap, type ClientInputArgs } from '@poets/server-tcp';
import { captureLog, ipv6Available, LineClient, runBounded, sleep, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'server-tcp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the kernel while `drive` talks to the server; shuts the server down after it, whatever happens. */
async function withServer(kernel: Kernel, server: TCPServer<unknown, unknown>, drive: () => Promise<void>, ms = 5000): Promise<void> {
  const running = runBounded(kernel, ms);
  try {
    await drive();
  } finally {
    server.shutdown();
  }
  await running;
}

const echo = (_: EventArgs<ConnectedClientHeap, ClientInputArgs>) => void _[HEAP].client.put(_[ARG0]);

describe('Server.TCP listening session', () => {
  it('Port 0: the chosen port is in Started (heap.listener.getsockname()), getsockname() and port', async () => {
    const kernel = new Kernel();
    let fromStarted: number | undefined;
    let startedArgs: unknown[] = [];
    let stopped = 0;
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      Port: 0,
      Alias: 'port-zero',
      ListenerArgs: ['a', 2],
      Started: (_) => {
        fromStarted = _[HEAP].listener!.getsockname()!.port;
        startedArgs = _.slice(ARG0);
      },
      Stopped: () => void stopped++,
      ClientInput: echo,
    });
    expect(fromStarted).toBeGreaterThan(0);
    expect(server.port).toBe(fromStarted);
    expect(server.getsockname()).toEqual({ family: 'AF_INET', address: '127.0.0.1', port: fromStarted });
    expect(startedArgs).toEqual(['a', 2]);
    const heap: ListenerHeap = server.heap;
    expect(heap).toMatchObject({ alias: 'port-zero', concurrency: -1, connections: 0 });
    expect(heap.listeners).toEqual([heap.listener]);
    expect(kernel.alias_resolve('port-zero')?.ID()).toBe(server.ID());
    kernel.post('port-zero', 'shutdown');
    await runBounded(kernel);
    expect(stopped).toBe(1);
    expect(kernel.alias_resolve('port-zero')).toBeUndefined();
  });

  it('a Hostname is resolved, then bound: the port is known once the lookup is done', async () => {
    const kernel = new Kernel();
    const server = new TCPServer({ kernel, Hostname: 'localhost', ClientInput: echo });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      await waitFor(() => server.port !== undefined, 3000, 'the bind');
      const client = new LineClient(server.port!, server.getsockname()!.address);
      expect(await client.ask('hello')).toBe('hello');
      client.destroy();
    });
  });

  it('counts connections in heap.connections and shuts down gracefully: no new connections, the open ones finish', async () => {
    const kernel = new Kernel();
    const seen: number[] = [];
    let stoppedWith = -1;
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientInput: (_) => {
        _[HEAP].client.put(`got ${_[ARG0]}`);
        if (_[ARG0] === 'bye') _[KERNEL].yield('shutdown');
      },
      Stopped: (_) => void (stoppedWith = _[HEAP].connections),
    });
    const port = server.port!;
    const running = runBounded(kernel);
    const a = new LineClient(port);
    const b = new LineClient(port);
    await Promise.all([a.connected, b.connected]);
    await waitFor(() => server.heap.connections === 2);
    seen.push(server.heap.connections);
    server.shutdown();
    await waitFor(() => server.heap.listener === undefined);
    const late = connect({ port, host: '127.0.0.1' });
    const refused = await new Promise<string>((resolve) => late.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')).once('connect', () => resolve('connected')));
    expect(refused).toBe('ECONNREFUSED');
    expect(await a.ask('still here')).toBe('got still here');
    a.send('bye');
    await a.closed;
    b.send('bye');
    await b.closed;
    await running;
    expect(seen).toEqual([2]);
    expect(stoppedWith).toBe(0);
    expect(b.lines).toEqual(['got bye']);
  });

  it("a custom Error gets SocketFactory's failure: ('bind', EADDRINUSE, reason, wheel ID)", async () => {
    const kernel = new Kernel();
    const first = new TCPServer({ kernel, Address: '127.0.0.1', ClientInput: echo });
    const errors: unknown[][] = [];
    const second = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      Port: first.port!,
      Error: (_) => {
        errors.push(_.slice(ARG0));
        first.shutdown();
        _[KERNEL].yield('shutdown');
      },
      ClientInput: echo,
    });
    await runBounded(kernel);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('bind');
    expect(errors[0]![1]).toBe(98);
    expect(errors[0]![2]).toMatch(/EADDRINUSE|address already in use/i);
    expect(errors[0]![3]).toBe(second.heap.listener?.ID() ?? errors[0]![3]);
  });
});

describe('Server.TCP connection sessions', () => {
  it('keep the documented heap members; ClientConnected gets ClientArgs as ARG0...; handlers get POE slots', async () => {
    const kernel = new Kernel();
    const seen: Record<string, unknown> = {};
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientArgs: ['x', 42],
      ClientConnected: (_) => {
        seen.args = _.slice(ARG0);
        seen.state = _[STATE];
        seen.heap = { ..._[HEAP], client: _[HEAP].client instanceof ReadWrite };
        seen.remote_addr = _[HEAP].remote_addr?.toString('hex');
      },
      ClientInput: (_) => {
        seen.input = [_[ARG0], _[ARG1] === _[HEAP].client.ID(), _[STATE], _[SESSION] !== undefined, _[KERNEL] === kernel];
        _[HEAP].client.put('ok');
      },
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      await client.connected;
      expect(await client.ask('line one')).toBe('ok');
      client.destroy();
      await waitFor(() => server.heap.connections === 0);
    });
    expect(seen.args).toEqual(['x', 42]);
    expect(seen.state).toBe('_start');
    expect(seen.heap).toMatchObject({ client: true, remote_ip: '127.0.0.1', shutdown: false, shutdown_on_error: true });
    expect((seen.heap as ClientHeap).remote_port).toBeGreaterThan(0);
    expect(seen.remote_addr).toBe('7f000001');
    expect(seen.input).toEqual(['line one', true, 'tcp_server_got_input', true, true]);
  });

  it('Args (the old name of ClientArgs) works too', async () => {
    const kernel = new Kernel();
    let args: unknown[] = [];
    const server = new TCPServer({ kernel, Address: '127.0.0.1', Args: ['old'], ClientConnected: (_) => void (args = _.slice(ARG0)), ClientInput: echo });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      await waitFor(() => args.length > 0);
      client.destroy();
    });
    expect(args).toEqual(['old']);
  });

  it('shutdown flushes what is queued, then closes; input after it is ignored; ClientDisconnected comes once', async () => {
    const kernel = new Kernel();
    const inputs: string[] = [];
    let disconnected = 0;
    let flushes = 0;
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientInput: (_) => {
        inputs.push(_[ARG0]);
        if (_[ARG0] !== 'flood') return;
        for (let i = 0; i < 2000; i++) _[HEAP].client.put(`line ${i} ${'x'.repeat(200)}`);
        _[KERNEL].yield('shutdown');
        _[KERNEL].yield('shutdown');
      },
      ClientFlushed: () => void flushes++,
      ClientDisconnected: () => void disconnected++,
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      client.send('flood');
      await client.expectLines(1);
      client.send('ignored 1', 'ignored 2');
      await client.closed;
      expect(client.lines).toHaveLength(2000);
      expect(client.lines[1999]).toMatch(/^line 1999 x+$/);
      expect(client.gotEnd).toBe(true);
    });
    expect(inputs).toEqual(['flood']);
    expect(disconnected).toBe(1);
    expect(flushes).toBeGreaterThanOrEqual(1);
  });

  it('a peer that closes: ClientError (read, 0) is not logged by default, and the session ends', async () => {
    const kernel = new Kernel();
    const { log, lines } = captureLog();
    let disconnected = 0;
    const server = new TCPServer({ kernel, log, Address: '127.0.0.1', ClientInput: echo, ClientDisconnected: () => void disconnected++ });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      expect(await client.ask('x')).toBe('x');
      client.socket.end();
      await client.closed;
      await waitFor(() => server.heap.connections === 0);
    });
    expect(disconnected).toBe(1);
    expect(lines).toEqual([]);
  });

  it('ClientShutdownOnError 0: ClientError is told, the connection stays for the application to close', async () => {
    const kernel = new Kernel();
    const errors: unknown[][] = [];
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientShutdownOnError: 0,
      ClientConnected: (_) => void (_[HEAP].shutdown_on_error === false || errors.push(['bad flag'])),
      ClientInput: echo,
      ClientError: (_) => {
        errors.push(_.slice(ARG0, ARG3));
        // The peer only half-closed: the application may still answer, then closes.
        _[HEAP].client.put('after your EOF');
        _[KERNEL].yield('shutdown');
      },
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      await client.connected;
      client.socket.end();
      await client.closed;
      expect(client.lines).toEqual(['after your EOF']);
    });
    expect(errors).toEqual([['read', 0, '']]);
  });

  it('InlineStates, ObjectStates and PackageStates are added to every connection session, not to the listener', async () => {
    const kernel = new Kernel();
    const calls: string[] = [];
    class Greeter {
      greet(_: EventArgs<ClientHeap>) {
        calls.push(`object ${String(_[ARG0])}`);
        _[HEAP].client?.put('hello from an object');
      }
    }
    class Farewell {
      static leave(_: EventArgs<ClientHeap>) {
        calls.push('package');
        _[HEAP].client?.put('bye from a package');
      }
    }
    const ids: number[] = [];
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientConnected: (_) => void ids.push((_[SESSION] as Session).ID()),
      ClientInput: (_) => {
        _[KERNEL].yield(_[ARG0], 'arg');
      },
      InlineStates: { ping: (_) => void _[HEAP].client?.put(`pong ${String(_[ARG0])}`) },
      ObjectStates: [new Greeter(), ['greet']],
      PackageStates: [Farewell, { farewell: 'leave' }],
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      expect(await client.ask('ping')).toBe('pong arg');
      expect(await client.ask('greet')).toBe('hello from an object');
      expect(await client.ask('farewell')).toBe('bye from a package');
      // The listener has none of them.
      expect(kernel.call(server.ID(), 'ping')).toBeUndefined();
      expect(kernel.post(ids[0]!, 'ping', 'posted')).toBe(true);
      await client.expectLines(4);
      expect(client.lines[3]).toBe('pong posted');
      client.destroy();
    });
    expect(calls).toEqual(['object arg', 'package']);
  });

  it('ClientFilter in list form, and ClientInputFilter with ClientOutputFilter', async () => {
    const kernel = new Kernel();
    const pipe = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientFilter: [FilterLine, { Literal: '|' }],
      ClientInput: (_) => void _[HEAP].client.put(_[ARG0].toUpperCase()),
    });
    const split = new TCPServer<string, string | Buffer>({
      kernel,
      Address: '127.0.0.1',
      ClientInputFilter: [FilterLine, { Literal: '\n' }],
      ClientOutputFilter: FilterStream,
      ClientInput: (_) => void _[HEAP].client.put(`<${_[ARG0]}>`),
    });
    const running = runBounded(kernel);
    try {
      const read = (port: number, send: string, until: string) =>
        new Promise<string>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1' });
          let data = '';
          socket.on('data', (chunk) => {
            data += chunk;
            if (data.includes(until)) {
              socket.destroy();
              resolve(data);
            }
          });
          socket.write(send);
        });
      expect(await read(pipe.port!, 'ab|cd|', 'CD|')).toBe('AB|CD|');
      expect(await read(split.port!, 'x\ny\n', '<y>')).toBe('<x><y>');
    } finally {
      pipe.shutdown();
      split.shutdown();
    }
    await running;
  });

  it('HighMark and LowMark: put() stops a streaming writer at the mark (no ClientHigh, as POE), ClientLow resumes it; the buffer stays bounded', async () => {
    const kernel = new Kernel();
    const marks: string[] = [];
    const chunk = 'y'.repeat(1023);
    const highMark = 256 * 1024;
    let mostBuffered = 0;
    const fill = (_: EventArgs<ConnectedClientHeap>) => {
      const wheel = _[HEAP].client;
      while (!wheel.put(chunk));
      mostBuffered = Math.max(mostBuffered, wheel.get_driver_out_octets());
    };
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      HighMark: highMark,
      LowMark: 16 * 1024,
      ClientHigh: (_) => void marks.push(`high ${_[ARG0] === _[HEAP].client.ID()}`),
      ClientLow: (_) => {
        marks.push('low');
        if (!_[HEAP].shutdown) fill(_);
      },
      ClientInput: fill,
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const socket = connect({ port: server.port!, host: '127.0.0.1' });
      let received = 0;
      socket.on('data', (data: Buffer) => void (received += data.length));
      socket.pause();
      socket.write('go\n');
      await waitFor(() => mostBuffered > 0);
      await sleep(200);
      // The writer stopped at put()'s true value; as in POE, that is the only high-mark signal.
      expect(marks.filter((m) => m !== 'low')).toEqual([]);
      socket.resume();
      await waitFor(() => received > 8 * 1024 * 1024, 5000, '8 MB streamed');
      expect(marks).toContain('low');
      expect(marks.every((m) => m === 'low')).toBe(true);
      socket.destroy();
    });
    expect(mostBuffered).toBeLessThanOrEqual(highMark + 1024 + 2);
  });

  it('ClientPreConnect gets the socket; nothing returned refuses the client; a new stream returned is used', async () => {
    const kernel = new Kernel();
    let calls = 0;
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientPreConnect: (_) => {
        calls++;
        expect(Array.isArray(_[ARG1])).toBe(true);
        if (calls === 1) return undefined;
        // A stream over the socket that upper-cases what the server writes, as a TLS wrapper transforms it.
        const socket = _[ARG0] as Socket;
        const wrapped = new Duplex({
          read() {},
          write(chunk: Buffer, _encoding, done) {
            socket.write(chunk.toString().toUpperCase(), done);
          },
          final(done) {
            socket.end(done);
          },
        });
        socket.on('data', (chunk) => wrapped.push(chunk));
        socket.on('end', () => wrapped.push(null));
        wrapped.on('close', () => socket.destroy());
        return wrapped;
      },
      ClientInput: echo,
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const refused = new LineClient(server.port!);
      await refused.closed;
      await waitFor(() => server.heap.connections === 0);
      const accepted = new LineClient(server.port!);
      expect(await accepted.ask('quiet')).toBe('QUIET');
      accepted.destroy();
    });
    expect(calls).toBe(2);
  });

  it('an Acceptor gets the socket, the peer address and port and the wheel ID, and runs its own session', async () => {
    const kernel = new Kernel();
    const accepted: unknown[][] = [];
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      Acceptor: (_) => {
        accepted.push([typeof (_[ARG0] as Socket).write, _[ARG1], typeof _[ARG2], _[ARG3] === _[HEAP].listener!.ID(), _[HEAP].connections]);
        acceptorSession(_[ARG0] as Socket, _[SESSION] as Session);
      },
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!);
      expect(await client.ask('hi')).toBe('acceptor: hi');
      client.destroy();
      await waitFor(() => server.heap.connections === 0);
    });
    expect(accepted).toEqual([['function', '127.0.0.1', 'number', true, 1]]);
  });

  it('an AF_UNIX server: remote_ip is LOCAL', async () => {
    const kernel = new Kernel();
    const path = join(dir, 'unix.sock');
    let remote: unknown[] = [];
    const server = new TCPServer({
      kernel,
      Domain: 'AF_UNIX',
      Address: path,
      ClientConnected: (_) => void (remote = [_[HEAP].remote_ip, _[HEAP].remote_port, _[HEAP].remote_addr]),
      ClientInput: echo,
    });
    expect(server.getsockname()).toEqual({ family: 'AF_UNIX', address: path, port: undefined });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(0, undefined, { path });
      expect(await client.ask('over unix')).toBe('over unix');
      client.destroy();
    });
    expect(remote).toEqual(['LOCAL', undefined, undefined]);
  });

  it('an AF_INET6 server on ::1', async (ctx) => {
    if (!(await ipv6Available())) return ctx.skip();
    const kernel = new Kernel();
    let remote: unknown[] = [];
    const server = new TCPServer({
      kernel,
      Domain: 'AF_INET6',
      Address: '::1',
      ClientConnected: (_) => void (remote = [_[HEAP].remote_ip, _[HEAP].remote_addr?.length]),
      ClientInput: echo,
    });
    expect(server.getsockname()?.family).toBe('AF_INET6');
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const client = new LineClient(server.port!, '::1');
      expect(await client.ask('six')).toBe('six');
      client.destroy();
    });
    expect(remote).toEqual(['::1', 16]);
  });

  it('several listen endpoints (IPv4, a second port, IPv6) serve one set of handlers and one Concurrency', async () => {
    const v6 = await ipv6Available();
    const kernel = new Kernel();
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      listen: [{}, { Port: 0 }, ...(v6 ? [{ Domain: 'AF_INET6' as const, Address: '::1' }] : [])],
      ClientInput: (_) => void _[HEAP].client.put(`${_[HEAP].remote_ip} said ${_[ARG0]}`),
    });
    const names = server.getSockNames();
    expect(names).toHaveLength(v6 ? 3 : 2);
    expect(new Set(names.map((n) => n.port)).size).toBe(names.length);
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      for (const name of names) {
        const client = new LineClient(name.port!, name.address);
        expect(await client.ask('hi')).toBe(`${name.address} said hi`);
        client.destroy();
      }
    });
  });
});

describe('Server.TCP Concurrency', () => {
  it('never has more than Concurrency connections open; the next waits its turn', async () => {
    const kernel = new Kernel();
    let open = 0;
    let most = 0;
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      Concurrency: 2,
      ClientConnected: (_) => {
        most = Math.max(most, ++open);
        _[HEAP].client.put('welcome');
      },
      ClientDisconnected: () => void open--,
      ClientInput: (_) => {
        _[HEAP].client.put('bye');
        _[KERNEL].yield('shutdown');
      },
    });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const clients = Array.from({ length: 6 }, () => new LineClient(server.port!));
      await waitFor(() => clients.filter((c) => c.lines.length > 0).length === 2);
      await sleep(50);
      expect(clients.filter((c) => c.lines.length > 0)).toHaveLength(2);
      for (let round = 0; round < 3; round++) {
        for (const client of clients.filter((c) => c.lines.length === 1)) client.send('done');
        await waitFor(() => clients.filter((c) => c.lines.length === 2).length === (round + 1) * 2, 3000, `round ${round}`);
        if (round < 2) await waitFor(() => clients.filter((c) => c.lines.length === 1).length === 2);
      }
      clients.forEach((c) => c.destroy());
    });
    expect(most).toBe(2);
  });

  it('Concurrency 0 accepts nothing until set_concurrency; set_concurrency -1 lifts the limit', async () => {
    const kernel = new Kernel();
    const server = new TCPServer({ kernel, Address: '127.0.0.1', Alias: 'later', Concurrency: 0, ClientConnected: (_) => void _[HEAP].client.put('in'), ClientInput: echo });
    await withServer(kernel, server as TCPServer<unknown, unknown>, async () => {
      const a = new LineClient(server.port!);
      const b = new LineClient(server.port!);
      await Promise.all([a.connected, b.connected]);
      await sleep(100);
      expect(a.lines.length + b.lines.length).toBe(0);
      expect(server.heap.connections).toBe(0);
      kernel.post('later', 'set_concurrency', 1);
      await waitFor(() => a.lines.length + b.lines.length === 1);
      await sleep(50);
      expect(a.lines.length + b.lines.length).toBe(1);
      kernel.post('later', 'set_concurrency', -1);
      await a.expectLines(1);
      await b.expectLines(1);
      expect(server.heap.concurrency).toBe(-1);
      a.destroy();
      b.destroy();
    });
  });

  it("an excessive 'disconnected' is logged and the count stays at 0", async () => {
    const kernel = new Kernel();
    const { log, lines } = captureLog();
    const server = new TCPServer({ kernel, log, Address: '127.0.0.1', ClientInput: echo });
    kernel.post(server.ID(), 'disconnected');
    kernel.post(server.ID(), 'shutdown');
    await runBounded(kernel);
    expect(server.heap.connections).toBe(0);
    expect(lines.join('\n')).toMatch(/Excessive 'disconnected' event/);
  });
});

/** An Acceptor's own session, as comp_tcp makes one: a ReadWrite wheel answering "acceptor: ...". */
function acceptorSession(socket: Socket, listener: Session): void {
  Session.create({
    inline_states: {
      _start: (_) => {
        _[HEAP].wheel = new ReadWrite({ Handle: socket, InputEvent: 'input', ErrorEvent: 'error' });
      },
      input: (_) => void (_[HEAP].wheel as ReadWrite).put(`acceptor: ${String(_[ARG0])}`),
      error: (_) => {
        (_[HEAP].wheel as ReadWrite).destroy();
        delete _[HEAP].wheel;
        _[KERNEL].post(listener, 'disconnected');
      },
    },
  });
}

describe('inputs$', () => {
  it('streams every client input with its peer, and completes when the server has stopped', async () => {
    const kernel = new Kernel();
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      Port: 0,
      ClientInput: (_) => {
        if (_[ARG0] === 'bye') {
          (_[KERNEL] as Kernel).post(_[SESSION] as Session, 'shutdown');
          (_[KERNEL] as Kernel).post(server.ID(), 'shutdown');
        }
      },
    });
    const records = firstValueFrom(server.inputs$.pipe(toArray()));
    const running = kernel.run();
    const socket = connect(server.port!, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume();
    socket.write('hello\r\nbye\r\n');
    await running;
    socket.destroy();
    const got = await records;
    expect(got.map((r) => r.input)).toEqual(['hello', 'bye']);
    expect(got[0]!.remote_ip).toBe('127.0.0.1');
    expect(got[0]!.remote_port).toEqual(expect.any(Number));
    expect(got[1]!.session).toBeInstanceOf(Session);
  });
});
