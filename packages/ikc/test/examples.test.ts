// The IKC examples, each run as its own process(es) against one real nats-server.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsServer, natsMissing } from './nats-server.js';
import { describeWithPeer } from '../../../test/support/index.js';

const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../../../examples/dist/${name}.js`, import.meta.url));
const missing = natsMissing();

describeWithPeer(missing, 'IKC examples', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await NatsServer.start({ jetstream: false });
  });
  afterAll(async () => {
    await nats?.destroy();
  });

  it("ikc-server and ikc-client: the IKC synopsis as two processes (post, call with a callback, subscribe)", async () => {
    const server = spawn('node', [example('ikc-server'), nats.url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let serverOut = '';
    server.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) =>
      server.stdout.on('data', (chunk: string) => {
        serverOut += chunk;
        if (serverOut.includes('joined')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    const { stdout } = await run('node', [example('ikc-client'), nats.url], { timeout: 20_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'Client: Server is there',
      "Client: the server's time is 2023-11-14T22:13:20.000Z (a Date: true)",
      'Client: subscribed to poe://Server/hello',
      'Client: Server left',
      'Client: done',
    ]);
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(serverOut.trim().split('\n')).toEqual([
      'Server: joined, hello published',
      "Server: hello/world got 'a post from Client'",
      "Server: hello/world got 'a post through the proxy'",
      'Server: bye',
      'Server: done',
    ]);
  });

  it('ikc-ping-pong: three kernels volley by alias, then all leave', async () => {
    const { stdout } = await run('node', [example('ikc-ping-pong'), nats.url], { timeout: 20_000 });
    const hits = ['B', 'C', 'A', 'B', 'C', 'A', 'B', 'C', 'A'].map((who, i) => `${who} got the ball, hit #${i + 1}`);
    expect(stdout.trim().split('\n')).toEqual([...hits, 'all three kernels left']);
  });
});
