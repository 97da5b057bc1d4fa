// Bad input and faults. In each test a well-behaved client (the canary) keeps asking the server for
// an answer all along, and must always get one promptly: a fault never holds up the others.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ARG0, HEAP, Kernel, type EventArgs, type ReadWrite } from '@poets/kernel';
import { TCPServer, type ClientHeap, type TCPServerOptions } from '@poets/server-tcp';
import { captureLog, LineClient, runBounded, sleep, waitFor } from './helpers.js';

type Connected = ClientHeap & { client: ReadWrite };

/** A client that asks "ping N" every `everyMs`: every answer must come, and be right. */
class Canary {
  readonly client: LineClient;
  answered = 0;
  failure: Error | undefined;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(port: number, everyMs = 20) {
    const client = (this.client = new LineClient(port));
    this.loop = (async () => {
      await client.connected;
      for (let i = 0; this.running; i++) {
        try {
          // A generous bound: an answer that never comes fails; a slow one on a busy machine does not.
          const answer = await client.ask(`ping ${i}`, 10_000);
          if (answer !== `pong ping ${i}`) throw new Error(`canary got '${answer}' for ping ${i}`);
        } catch (error) {
          this.failure = error as Error;
          return;
        }
        this.answered++;
        await sleep(everyMs);
      }
    })();
  }

  /** Stops asking; throws if any answer was missing or wrong. */
  async stop(): Promise<{ answered: number }> {
    this.running = false;
    await this.loop;
    this.client.destroy();
    if (this.failure !== undefined) throw this.failure;
    return { answered: this.answered };
  }
}

/** A server in its own kernel whose ClientInput answers "pong ..." and streams on "stream". */
function start(options: Partial<TCPServerOptions> = {}) {
  const kernel = new Kernel();
  const { log, lines } = captureLog();
  const stats = { mostBuffered: 0, highs: 0, lows: 0 };
  const chunk = 'c'.repeat(1023);
  const stream = (_: EventArgs<Connected>) => {
    const wheel = _[HEAP].client;
    while (!wheel.put(chunk));
    // put() passing HighMark is the signal (POE raises no ClientHigh then).
    stats.highs++;
    stats.mostBuffered = Math.max(stats.mostBuffered, wheel.get_driver_out_octets());
  };
  const server = new TCPServer({
    kernel,
    log,
    Address: '127.0.0.1',
    HighMark: 128 * 1024,
    LowMark: 8 * 1024,
    ClientHigh: () => void stats.highs++,
    ClientLow: (_) => {
      stats.lows++;
      if (_[HEAP].streaming === true && !_[HEAP].shutdown) stream(_);
    },
    ClientInput: (_) => {
      const input = _[ARG0];
      if (input === 'stream') {
        _[HEAP].streaming = true;
        stream(_);
      } else if (input === 'explode') {
        throw new Error('handler bug');
      } else {
        _[HEAP].client.put(`pong ${input}`);
      }
    },
    ...options,
  } as TCPServerOptions);
  const running = runBounded(kernel, 60_000);
  return {
    kernel,
    server,
    lines,
    stats,
    port: server.port!,
    stop: async () => {
      server.shutdown();
      await running;
    },
  };
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('faults, with a well-behaved client served throughout', () => {
  it('5,000 connections opened and abandoned without a byte', async () => {
    const t = start();
    const canary = new Canary(t.port);
    const sockets: Socket[] = [];
    try {
      for (let batch = 0; batch < 20; batch++) {
        const opened = await Promise.all(Array.from({ length: 250 }, () => openSocket(t.port)));
        for (const socket of opened) socket.on('error', () => {});
        sockets.push(...opened);
      }
      expect(sockets).toHaveLength(5000);
      await waitFor(() => t.server.heap.connections >= 5001, 10_000, '5,001 connections counted');
      await sleep(100);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await waitFor(() => t.server.heap.connections === 1, 10_000, 'the abandoned connections to close');
    const { answered } = await canary.stop();
    await t.stop();
    expect(answered).toBeGreaterThan(5);
  }, 60_000);

  it('slow clients sending a byte at a time are cut by idleTimeout and never hold up the others', async () => {
    const t = start({ idleTimeout: 0.4 });
    const canary = new Canary(t.port);
    const slow = await Promise.all(Array.from({ length: 20 }, () => openSocket(t.port)));
    const closedAt: number[] = [];
    const started = Date.now();
    const timers = slow.map((socket) => {
      socket.on('error', () => {});
      socket.on('close', () => closedAt.push(Date.now() - started));
      // A byte every 100 ms, never a whole line: "a byte a second", at test speed.
      return setInterval(() => socket.writable && socket.write('s'), 100);
    });
    try {
      await waitFor(() => closedAt.length === 20, 15_000, 'the slow clients to be cut');
    } finally {
      timers.forEach(clearInterval);
      slow.forEach((socket) => socket.destroy());
    }
    const { answered } = await canary.stop();
    await t.stop();
    expect(Math.min(...closedAt)).toBeGreaterThanOrEqual(350);
    expect(t.lines.filter((line) => /sent no complete input for 0\.4 s; closing the connection/.test(line))).toHaveLength(20);
    expect(answered).toBeGreaterThan(5);
  });

  it('a client that never reads while the server writes: HighMark is reached and the buffer stays bounded', async () => {
    const t = start({ idleTimeout: 1 });
    const canary = new Canary(t.port);
    const hog = await openSocket(t.port);
    hog.on('error', () => {});
    hog.pause();
    hog.write('stream\n');
    const closed = new Promise<void>((resolve) => hog.once('close', () => resolve()));
    await waitFor(() => t.stats.highs > 0, 3000, 'the high mark');
    await sleep(300);
    const before = t.stats.mostBuffered;
    await sleep(300);
    // Nothing more was queued for the hog while it did not read.
    expect(t.stats.mostBuffered).toBe(before);
    hog.destroy();
    await closed;
    const { answered } = await canary.stop();
    await t.stop();
    expect(t.stats.mostBuffered).toBeLessThanOrEqual(128 * 1024 + 1024 + 2);
    expect(answered).toBeGreaterThan(5);
  });

  it('a never-reading client left alone is cut by idleTimeout: reset, its unsent output dropped', async () => {
    const t = start({ idleTimeout: 0.3 });
    const canary = new Canary(t.port);
    const hog = await openSocket(t.port);
    const outcome = new Promise<string>((resolve) => {
      hog.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      hog.on('end', () => resolve('end'));
    });
    hog.pause();
    hog.write('stream\n');
    await waitFor(() => t.stats.highs > 0, 3000, 'the high mark');
    await waitFor(() => t.server.heap.connections === 1, 3000, 'the idle cut');
    hog.resume();
    // A reset (some network stacks, gVisor's among them, report it as an end of stream).
    expect(['ECONNRESET', 'end']).toContain(await outcome);
    hog.destroy();
    const { answered } = await canary.stop();
    await t.stop();
    expect(t.lines.join('\n')).toMatch(/sent no complete input for 0\.3 s/);
    expect(answered).toBeGreaterThan(3);
  });

  it('a line longer than the maximum (megabytes of it) is refused, logged and closed', async () => {
    const t = start({ maxLineLength: 4096 });
    const canary = new Canary(t.port);
    const flooder = await openSocket(t.port);
    flooder.on('error', () => {});
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    const block = Buffer.alloc(64 * 1024, 'L');
    for (let i = 0; i < 64 && !flooder.destroyed; i++) {
      if (!flooder.write(block)) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await closed;
    const { answered } = await canary.stop();
    await t.stop();
    expect(t.lines.join('\n')).toMatch(/got read error 90 \(line exceeds MaxLength \(4096 bytes\)/);
    expect(answered).toBeGreaterThan(0);
  });

  it('a ClientInput handler that throws: that client is closed and the error logged; the server and the others go on', async () => {
    const t = start();
    const canary = new Canary(t.port);
    for (let i = 0; i < 5; i++) {
      const bad = new LineClient(t.port);
      expect(await bad.ask(`hello ${i}`)).toBe(`pong hello ${i}`);
      bad.send('explode');
      await bad.closed;
      await sleep(30);
    }
    const { answered } = await canary.stop();
    await t.stop();
    expect(t.lines.filter((line) => /died in event 'tcp_server_got_input': handler bug; closing the connection/.test(line))).toHaveLength(5);
    expect(answered).toBeGreaterThan(3);
  });

  it('binding a port already in use: Error with the reason, no crash; the server that has it goes on', async () => {
    const t = start();
    const canary = new Canary(t.port);
    const kernel = new Kernel();
    const { log, lines } = captureLog();
    let stopped = 0;
    new TCPServer({ kernel, log, Address: '127.0.0.1', Port: t.port, Alias: 'second', Stopped: () => void stopped++, ClientInput: () => {} });
    await runBounded(kernel);
    await sleep(100);
    const { answered } = await canary.stop();
    await t.stop();
    expect(stopped).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Server \d+ got bind error 98 \(.*(EADDRINUSE|address already in use).*\)/i);
    expect(answered).toBeGreaterThan(0);
  });

  it('clients that reset the connection while the server writes, or send binary garbage, are no harm', async () => {
    const t = start();
    const canary = new Canary(t.port);
    for (let i = 0; i < 20; i++) {
      const socket = await openSocket(t.port);
      socket.on('error', () => {});
      socket.write(i % 2 === 0 ? 'stream\n' : Buffer.from([0, 255, 13, 0, 10, 200, 10, 0xc3, 0x28, 10]));
      await sleep(10);
      socket.resetAndDestroy();
    }
    await waitFor(() => t.server.heap.connections === 1, 5000, 'the reset clients to be gone');
    const { answered } = await canary.stop();
    await t.stop();
    expect(answered).toBeGreaterThan(3);
    expect(t.lines.filter((line) => !/got (read|write) error 104|ECONNRESET|EPIPE|error 32/.test(line))).toEqual([]);
  });
});

