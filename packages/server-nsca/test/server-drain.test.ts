// Server::NSCA's two lifecycle additions for poets-nscad: holdClose (a client's connection is
// closed once its results are safe) and shutdown({ drain }) (clients already connected are served
// to their end before the component finishes).
import { Kernel } from '@poets/kernel';
import { describe, expect, it } from 'vitest';
import { ServerNSCA, type NSCAResult } from '../src/index.js';
import { RawClient, closed } from './helpers/raw-client.js';
import { sleep } from '../../../test/support/index.js';

const PASSWORD = 'drain-Pw_9';

function serve(options: Partial<Parameters<typeof ServerNSCA.spawn>[0]> = {}) {
  const kernel = new Kernel();
  const logs: string[] = [];
  const results: NSCAResult[] = [];
  const server = ServerNSCA.spawn({ kernel, password: PASSWORD, encryption: 1, address: '127.0.0.1', port: 0, log: (l) => logs.push(l), ...options });
  server.results$.subscribe((r) => results.push(r));
  const running = kernel.run();
  return { server, port: server.getsockname()!.port!, logs, results, running };
}

const check = (client: RawClient, i: number) => client.packet({ host_name: 'h', svc_description: `s${i}`, return_code: 0, plugin_output: `check ${i}` });

describe('Server::NSCA holdClose', () => {
  it('closes an ended connection only once the promise holdClose returned has settled', async () => {
    let release!: () => void;
    let asked = 0;
    const s = serve({
      holdClose: () => {
        asked++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const client = await RawClient.open(s.port, 1, PASSWORD);
    client.send(check(client, 1));
    client.socket.end();
    let isClosed = false;
    void closed(client.socket).then(() => (isClosed = true));
    while (asked === 0) await sleep(5);
    expect(s.results.map((r) => r.svc_description)).toEqual(['s1']); // delivered before the hold
    await sleep(100);
    expect(isClosed).toBe(false);
    release();
    await closed(client.socket);
    s.server.shutdown();
    await s.running;
  });

  it('undefined from holdClose closes at once; a plain shutdown() closes held connections too', async () => {
    const s = serve({ holdClose: () => new Promise<void>(() => {}) });
    const client = await RawClient.open(s.port, 1, PASSWORD);
    client.send(check(client, 1));
    client.socket.end();
    await sleep(50);
    expect(client.socket.destroyed).toBe(false);
    s.server.shutdown();
    await closed(client.socket);
    await s.running;
  });
});

describe('Server::NSCA shutdown({ drain })', () => {
  it('refuses new clients, reads what the connected ones send until they end, then completes', async () => {
    const s = serve();
    const clients = await Promise.all([1, 2, 3].map(() => RawClient.open(s.port, 1, PASSWORD)));
    let completed = false;
    s.server.results$.subscribe({ complete: () => (completed = true) });
    s.server.shutdown({ drain: 10 });
    // new clients are refused at once
    const refused = await RawClient.open(s.port, 1, PASSWORD).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
    clients.forEach((client, c) => client.send(check(client, c * 10), check(client, c * 10 + 1)));
    await sleep(50);
    expect(completed).toBe(false);
    await Promise.all(clients.map((client) => client.finish()));
    await s.running;
    expect(completed).toBe(true);
    expect(s.results.map((r) => r.svc_description).sort()).toEqual(['s0', 's1', 's10', 's11', 's20', 's21']);
  });

  it('cuts a client that stays connected without completing a packet after a second, and logs it', async () => {
    const s = serve();
    const idle = await RawClient.open(s.port, 1, PASSWORD);
    const started = Date.now();
    s.server.shutdown({ drain: 30 });
    await closed(idle.socket);
    await s.running;
    expect(Date.now() - started).toBeLessThan(10_000); // a second or two, not drain's 30 s or time_out's 60 s
    expect(s.logs.some((l) => /shutting down: no complete packet within 1 s/.test(l))).toBe(true);
  });
});
