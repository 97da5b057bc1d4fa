// Client.TCP (POE::Component::Client::TCP) against Server.TCP and plain Node servers on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, FilterLine, HEAP, KERNEL, Kernel, ReadWrite, SESSION, SocketFactory, type EventArgs, type Session } from '@poets/kernel';
import { Client, TCPServer, type TCPClientOptions, type ConnectedClientHeap, type ClientInputArgs } from '@poets/server-tcp';
import { captureLog, runBounded, sleep, waitFor } from './helpers.js';

/** A line-echo Server.TCP in `kernel` ("echo: ..."), counting its connections. */
function echoServer(kernel: Kernel, options: { Literal?: string } = {}) {
  const counts = { connections: 0 };
  const server = new TCPServer({
    kernel,
    Address: '127.0.0.1',
    ...(options.Literal !== undefined ? { ClientFilter: [FilterLine, { Literal: options.Literal }] as const } : {}),
    ClientConnected: () => void counts.connections++,
    ClientInput: (_: EventArgs<ConnectedClientHeap, ClientInputArgs>) => {
      if (_[ARG0] === 'close') return void _[KERNEL].yield('shutdown');
      _[HEAP].client.put(`echo: ${_[ARG0]}`);
    },
  });
  return { server, counts };
}

function client(kernel: Kernel, options: Partial<TCPClientOptions>) {
  return Client.TCP({ kernel, RemoteAddress: '127.0.0.1', RemotePort: 1, ServerInput: () => {}, ...options } as TCPClientOptions);
}

describe('Client.TCP', () => {
  it('Started gets Args; Connected gets the socket, peer address and port; the heap has server, connected, shutdown', async () => {
    const kernel = new Kernel();
    const { server } = echoServer(kernel);
    const seen: Record<string, unknown> = {};
    client(kernel, {
      RemotePort: server.port!,
      Args: ['a1', 'a2'],
      Started: (_) => {
        seen.started = _.slice(ARG0);
        seen.connecting = _[HEAP].connected;
      },
      Connected: (_) => {
        seen.connected = [typeof (_[ARG0] as Socket).write, _[ARG1], _[ARG2], _[HEAP].connected, _[HEAP].server instanceof ReadWrite, _[HEAP].shutdown];
        _[HEAP].server.put('hello');
      },
      ServerInput: (_) => {
        seen.input = [_[ARG0], _[ARG1] === _[HEAP].server.ID()];
        _[KERNEL].yield('shutdown');
      },
      Disconnected: (_) => {
        seen.disconnected = [_[HEAP].connected, _[HEAP].shutdown, _[HEAP].server];
        seen.serverPort = server.port;
        server.shutdown();
      },
    });
    await runBounded(kernel);
    expect(seen.started).toEqual(['a1', 'a2']);
    expect(seen.connecting).toBe(false);
    const [write, address, port, connected, isWheel, shutdown] = seen.connected as unknown[];
    expect([write, address, connected, isWheel, shutdown]).toEqual(['function', '127.0.0.1', true, true, false]);
    expect(port).toBe(seen.serverPort);
    expect(seen.input).toEqual(['echo: hello', true]);
    expect(seen.disconnected).toEqual([false, true, undefined]);
  });

  it('while connecting, heap.server is the SocketFactory', async () => {
    const kernel = new Kernel();
    const { server } = echoServer(kernel);
    let kind = '';
    client(kernel, {
      RemotePort: server.port!,
      InlineStates: { peek: (_) => void (kind = _[HEAP].server instanceof SocketFactory ? 'SocketFactory' : String(_[HEAP].server)) },
      Started: (_) => void _[KERNEL].yield('peek'),
      Connected: (_) => void _[KERNEL].yield('shutdown'),
      Disconnected: () => void server.shutdown(),
    });
    await runBounded(kernel);
    expect(kind).toBe('SocketFactory');
  });

  it('shutdown flushes what is queued before disconnecting, and input after it is ignored', async () => {
    const kernel = new Kernel();
    const received: string[] = [];
    const sink: Server = createServer((socket) => {
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => received.push(chunk));
      socket.write('before\r\n');
      setTimeout(() => socket.write('after shutdown\r\n'), 30);
      socket.on('end', () => socket.end());
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const inputs: string[] = [];
    let disconnected = 0;
    client(kernel, {
      RemotePort: (sink.address() as { port: number }).port,
      Connected: () => {},
      ServerInput: (_) => {
        inputs.push(_[ARG0]);
        for (let i = 0; i < 1000; i++) _[HEAP].server.put(`payload ${i} ${'p'.repeat(100)}`);
        _[KERNEL].yield('shutdown');
      },
      Disconnected: () => void disconnected++,
    });
    await runBounded(kernel);
    await sleep(50);
    sink.close();
    expect(inputs).toEqual(['before']);
    expect(disconnected).toBe(1);
    expect(received.join('').split('\r\n').filter(Boolean)).toHaveLength(1000);
  });

  it('a refused connection: ConnectError gets (connect, ECONNREFUSED, message); the default logs it', async () => {
    const kernel = new Kernel();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const errors: unknown[][] = [];
    client(kernel, { RemotePort: port, ConnectError: (_) => void errors.push(_.slice(ARG0, ARG0 + 3)) });
    const { log, lines } = captureLog();
    client(kernel, { RemotePort: port, log });
    await runBounded(kernel);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.slice(0, 2)).toEqual(['connect', constants.errno.ECONNREFUSED]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Client \d+ got connect error 111 \(Connection refused\)$/);
  });

  it('ConnectError may reconnect: reconnect keeps trying until a server is there', async () => {
    const kernel = new Kernel();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    let failures = 0;
    let server: TCPServer | undefined;
    client(kernel, {
      RemotePort: port,
      ConnectError: (_) => {
        if (++failures === 2) server = new TCPServer({ kernel, Address: '127.0.0.1', Port: port, ClientInput: () => {} });
        _[KERNEL].delay('reconnect', 0.02);
      },
      Connected: (_) => void _[KERNEL].yield('shutdown'),
      Disconnected: () => void server?.shutdown(),
    });
    await runBounded(kernel);
    expect(failures).toBe(2);
  });

  it('the default ServerError logs the disconnection and shuts the client down', async () => {
    const kernel = new Kernel();
    const { server } = echoServer(kernel);
    const { log, lines } = captureLog();
    let disconnected = 0;
    client(kernel, {
      log,
      RemotePort: server.port!,
      Connected: (_) => void _[HEAP].server.put('close'),
      Disconnected: () => {
        disconnected++;
        server.shutdown();
      },
    });
    await runBounded(kernel);
    expect(disconnected).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^Client \d+ got read error 0 \(Normal disconnection\)$/)]);
  });

  it('reconnect after a disconnection; connect switches to another server', async () => {
    const kernel = new Kernel();
    const a = echoServer(kernel);
    const b = echoServer(kernel);
    const answers: string[] = [];
    let round = 0;
    client(kernel, {
      Alias: 'roamer',
      RemotePort: a.server.port!,
      Connected: (_) => void _[HEAP].server.put(`round ${round}`),
      ServerInput: (_) => {
        answers.push(_[ARG0]);
        round++;
        if (round === 1) _[KERNEL].yield('reconnect');
        else if (round === 2) _[KERNEL].post('roamer', 'connect', '127.0.0.1', b.server.port);
        else _[KERNEL].yield('shutdown');
      },
      Disconnected: () => {
        a.server.shutdown();
        b.server.shutdown();
      },
    });
    await runBounded(kernel);
    expect(answers).toEqual(['echo: round 0', 'echo: round 1', 'echo: round 2']);
    expect(a.counts.connections).toBe(2);
    expect(b.counts.connections).toBe(1);
    expect(kernel.alias_resolve('roamer')).toBeUndefined();
  });

  it('Filter in list form; HighMark/LowMark with ServerHigh/ServerLow', async () => {
    const kernel = new Kernel();
    const { server } = echoServer(kernel, { Literal: '|' });
    const marks: string[] = [];
    const answers: string[] = [];
    client(kernel, {
      RemotePort: server.port!,
      Filter: [FilterLine, { Literal: '|' }],
      HighMark: 1000,
      LowMark: 10,
      ServerHigh: () => void marks.push('high'),
      ServerLow: () => void marks.push('low'),
      Connected: (_) => {
        for (let i = 0; i < 20; i++) _[HEAP].server.put(`${i}:${'m'.repeat(100)}`);
      },
      ServerInput: (_) => {
        answers.push(_[ARG0]);
        if (answers.length === 20) _[KERNEL].yield('shutdown');
      },
      Disconnected: () => void server.shutdown(),
    });
    await runBounded(kernel);
    expect(answers[19]).toBe(`echo: 19:${'m'.repeat(100)}`);
    // As POE's ReadWrite: put() passing the mark is told by its return value, not by ServerHigh.
    expect(marks).toEqual(['low']);
  });

  it('PreConnect returning nothing drops the connection', async () => {
    const kernel = new Kernel();
    const { server, counts } = echoServer(kernel);
    let connected = 0;
    let preconnects = 0;
    client(kernel, {
      RemotePort: server.port!,
      PreConnect: () => void preconnects++,
      Connected: () => void connected++,
    });
    await waitForKernel(kernel, () => preconnects === 1);
    await sleep(50);
    server.shutdown();
    await runBounded(kernel);
    expect(connected).toBe(0);
    expect(counts.connections).toBe(1);
  });

  it('ConnectTimeout: a connect that hangs ends in ConnectError (connect, ETIMEDOUT)', async (ctx) => {
    const blocker = await hangingListener();
    if (blocker === undefined) return ctx.skip();
    try {
      const kernel = new Kernel();
      const errors: unknown[][] = [];
      const started = Date.now();
      client(kernel, { RemotePort: blocker.port, ConnectTimeout: 0.3, ConnectError: (_) => void errors.push(_.slice(ARG0, ARG0 + 3)) });
      await runBounded(kernel);
      expect(errors).toEqual([['connect', constants.errno.ETIMEDOUT, 'Connection timed out']]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      blocker.close();
    }
  });

  it('InlineStates are added to the client session; its ID is what POE returns', async () => {
    const kernel = new Kernel();
    const { server } = echoServer(kernel);
    let id = -1;
    const c = client(kernel, {
      RemotePort: server.port!,
      InlineStates: { whoami: (_) => void (id = (_[SESSION] as Session).ID()) },
      Connected: (_) => {
        _[KERNEL].yield('whoami');
        _[KERNEL].yield('shutdown');
      },
      Disconnected: () => void server.shutdown(),
    });
    await runBounded(kernel);
    expect(id).toBe(c.ID());
  });
});

/** Runs the kernel in the background until `condition` holds. */
async function waitForKernel(kernel: Kernel, condition: () => boolean): Promise<void> {
  const running = kernel.run();
  await waitFor(condition);
  void running;
}

/**
 * A listener whose accept queue is full, so that a further connect hangs: a child Node process
 * listens with a backlog of 1 and blocks its event loop, and we fill the queue. Undefined when
 * this network stack completes connects anyway.
 */
async function hangingListener(): Promise<{ port: number; close: () => void } | undefined> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,15000);process.exit(0)})`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const fillers: Socket[] = [];
  const close = () => {
    fillers.forEach((s) => s.destroy());
    child.kill('SIGKILL');
  };
  for (let i = 0; i < 16; i++) {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    fillers.push(socket);
    const done = await Promise.race([new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true))), sleep(200).then(() => false)]);
    if (!done) return { port, close };
  }
  close();
  return undefined;
}
