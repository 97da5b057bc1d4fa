import { connect } from 'node:net';
import { ARG0, ARG1, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { Netmask } from 'netmask';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ServerNSCA, type NSCAResult } from '../src/index.js';
import { RawClient, closed } from './helpers/raw-client.js';

/** A kernel with a Server::NSCA on 127.0.0.1 and a session registered for its results. */
function harness(options: Partial<Parameters<typeof ServerNSCA.spawn>[0]> = {}) {
  const kernel = new Kernel();
  const logs: string[] = [];
  const results: [NSCAResult, unknown][] = [];
  const server = ServerNSCA.spawn({ kernel, password: 'Secr3t!pw', encryption: 1, address: '127.0.0.1', port: 0, log: (l) => logs.push(l), ...options });
  Session.create({
    kernel,
    inline_states: {
      _start: (_: EventArgs) => void _[KERNEL].post(server.session_id(), 'register', 'event', 'got', 'context', 'ctx'),
      got: (_: EventArgs) => void results.push([_[ARG0] as NSCAResult, _[ARG1]]),
    },
  });
  const running = kernel.run();
  const port = server.getsockname()!.port!;
  return { kernel, server, port, logs, results, running };
}

const until = async (test: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Server::NSCA', () => {
  it('refuses at spawn a missing password or an encryption method nobody provides', () => {
    const kernel = new Kernel();
    expect(() => ServerNSCA.spawn({ kernel, encryption: 1 } as never)).toThrow(/password parameter is mandatory/);
    expect(() => ServerNSCA.spawn({ kernel, password: 'x' } as never)).toThrow(/encryption parameter is mandatory/);
    expect(() => ServerNSCA.spawn({ kernel, password: 'x', encryption: 12 })).toThrow(/method 12 \(arcfour\)/);
    expect(() => ServerNSCA.spawn({ kernel, password: 'x', encryption: 7 })).toThrow(/method 7/);
    expect(() => ServerNSCA.spawn({ kernel, password: 'x', encryption: 99 })).toThrow(/does not exist/);
  });

  it.each([0, 1, 3, 14, 16, 26])('receives host and service checks, several per connection, with method %i', async (method) => {
    const h = harness({ encryption: method });
    const client = await RawClient.open(h.port, method, 'Secr3t!pw');
    client.send(
      client.packet({ host_name: 'web1', svc_description: 'HTTP', return_code: 2, plugin_output: 'CRITICAL - down' }),
      client.packet({ host_name: 'web1', return_code: 0, plugin_output: 'PING OK' }),
      client.packet({ host_name: 'dé', svc_description: 'ünï', return_code: -1, plugin_output: 'multi\nline' }),
    );
    const clientPort = client.socket.localPort;
    await client.finish();
    await until(() => h.results.length === 3);
    h.server.shutdown();
    await h.running;
    const [first, second, third] = h.results.map(([r]) => r);
    expect(first).toMatchObject({ version: 3, host_name: 'web1', svc_description: 'HTTP', return_code: 2, plugin_output: 'CRITICAL - down', peeraddr: '127.0.0.1', crc_ok: true });
    expect(first!.crc32).toBe(first!.checksum);
    expect(first!.timestamp).toBe(client.timestamp);
    expect(first!.peerport).toBe(clientPort);
    expect(second).toMatchObject({ host_name: 'web1', return_code: 0, plugin_output: 'PING OK' });
    expect('svc_description' in second!).toBe(false);
    expect(third).toMatchObject({ host_name: 'dé', svc_description: 'ünï', return_code: -1, plugin_output: 'multi\nline' });
    expect(h.results.map(([, context]) => context)).toEqual(['ctx', 'ctx', 'ctx']);
    expect(h.logs).toEqual([]);
  });

  it('accepts 720-byte legacy packets, several on one connection and mixed with full ones', async () => {
    const h = harness();
    const client = await RawClient.open(h.port, 1, 'Secr3t!pw');
    client.send(
      client.packet({ host_name: 'old1', return_code: 1, plugin_output: 'legacy one' }, { legacy: true }),
      client.packet({ host_name: 'old2', return_code: 1, plugin_output: 'legacy two' }, { legacy: true }),
      client.packet({ host_name: 'new', return_code: 0, plugin_output: 'full size' }),
    );
    await client.finish();
    await until(() => h.results.length === 3);
    h.server.shutdown();
    await h.running;
    expect(h.results.map(([r]) => [r.host_name, r.legacy])).toEqual([
      ['old1', true],
      ['old2', true],
      ['new', false],
    ]);
  });

  it('drops packets with a wrong password (CRC) or version, and logs them with the peer, while serving others', async () => {
    const h = harness();
    const bad = await RawClient.open(h.port, 1, 'wrong password');
    const good = await RawClient.open(h.port, 1, 'Secr3t!pw');
    bad.send(bad.packet({ host_name: 'evil', return_code: 0, plugin_output: 'x' }));
    good.send(good.packet({ host_name: 'ok1', return_code: 0, plugin_output: 'fine' }));
    good.send(good.packet({ host_name: 'v4', return_code: 0, plugin_output: 'x' }, { version: 4 }));
    good.send(good.packet({ host_name: 'ok2', return_code: 0, plugin_output: 'still fine' }));
    const [badPort, goodPort] = [bad.socket.localPort, good.socket.localPort];
    await Promise.all([bad.finish(), good.finish()]);
    await until(() => h.results.length === 2 && h.logs.length === 1);
    h.server.shutdown();
    await h.running;
    expect(h.results.map(([r]) => r.host_name)).toEqual(['ok1', 'ok2']);
    // the first bad version from 127.0.0.1 is logged at once; the second, from the same address,
    // is counted into the summary written at shutdown
    expect(h.logs[0]).toMatch(new RegExp(`^nsca: 127\\.0\\.0\\.1:${badPort} refused a packet: .*wrong password or encryption method`, 'i'));
    expect(h.logs[1]).toMatch(/^nsca: refused 1 packet from 127\.0\.0\.1 in \d+ s: bad version$/);
    expect(goodPort).not.toBe(badPort);
  });

  it('delivers bad-CRC packets flagged when asked, as the Perl original did', async () => {
    const h = harness({ deliverBadCrc: true });
    const client = await RawClient.open(h.port, 1, 'Secr3t!pw');
    const packet = client.packet({ host_name: 'flip', return_code: 0, plugin_output: 'one bit off' });
    packet[300] = packet[300]! ^ 1;
    client.send(packet);
    await client.finish();
    await until(() => h.results.length === 1);
    h.server.shutdown();
    await h.running;
    expect(h.results[0]![0]).toMatchObject({ host_name: 'flip', crc_ok: false });
    expect(h.results[0]![0].crc32).not.toBe(h.results[0]![0].checksum);
  });

  it('logs a truncated packet and garbage, and keeps what came before', async () => {
    const h = harness();
    const client = await RawClient.open(h.port, 1, 'Secr3t!pw');
    const whole = client.packet({ host_name: 'kept', return_code: 0, plugin_output: 'before the cut' });
    const cut = client.packet({ host_name: 'lost', return_code: 0, plugin_output: 'x' }).subarray(0, 1000);
    client.send(whole, cut);
    await client.finish();
    const junk = connect(h.port, '127.0.0.1');
    junk.on('error', () => {});
    junk.resume();
    junk.end(Buffer.alloc(5000, 0x41));
    await closed(junk);
    await until(() => h.logs.length >= 2).catch((e) => {
      throw new Error(`${e}: ${JSON.stringify(h.logs)}`);
    });
    h.server.shutdown();
    await h.running;
    expect(h.results.map(([r]) => r.host_name)).toEqual(['kept']);
    expect(h.logs.some((l) => /closed after 1000 bytes of a packet/.test(l))).toBe(true);
  });

  it('enforces maxPacketAge when asked (nsca 2.10 does not)', async () => {
    const h = harness({ maxPacketAge: 30 });
    const client = await RawClient.open(h.port, 1, 'Secr3t!pw');
    client.send(
      client.packet({ host_name: 'stale', return_code: 0, plugin_output: 'old', timestamp: client.timestamp - 3600 }),
      client.packet({ host_name: 'fresh', return_code: 0, plugin_output: 'new' }),
    );
    await client.finish();
    await until(() => h.results.length === 1 && h.logs.length === 1);
    h.server.shutdown();
    await h.running;
    expect(h.results[0]![0].host_name).toBe('fresh');
    expect(h.logs[0]).toMatch(/stale|old|age/i);
  });

  it('cuts a silent client and a client sending a byte at a time at time_out', async () => {
    const h = harness({ time_out: 0.3 });
    const silent = await RawClient.open(h.port, 1, 'Secr3t!pw');
    const trickle = await RawClient.open(h.port, 1, 'Secr3t!pw');
    const bytes = trickle.packet({ host_name: 'slow', return_code: 0, plugin_output: 'x' });
    let i = 0;
    const timer = setInterval(() => trickle.socket.write(bytes.subarray(i, ++i)), 20);
    const good = await RawClient.open(h.port, 1, 'Secr3t!pw');
    good.send(good.packet({ host_name: 'meanwhile', return_code: 0, plugin_output: 'served' }));
    await good.finish();
    await Promise.all([closed(silent.socket), closed(trickle.socket)]);
    clearInterval(timer);
    await until(() => h.results.length === 1);
    h.server.shutdown();
    await h.running;
    expect(h.results[0]![0].host_name).toBe('meanwhile');
    expect(h.logs.filter((l) => /no complete packet within 0.3 s/.test(l))).toHaveLength(2);
  });

  it('closes at once a peer outside the access list, and logs it', async () => {
    const h = harness({ access: [new Netmask('10.0.0.0/8')] });
    const socket = connect(h.port, '127.0.0.1');
    socket.on('error', () => {});
    let received = 0;
    socket.on('data', (d) => (received += d.length));
    await closed(socket);
    h.server.shutdown();
    await h.running;
    expect(received).toBe(0);
    expect(h.logs[0]).toMatch(/^nsca: 127\.0\.0\.1:\d+ refused connection: not in the access list$/);
    const allowed = harness({ access: ['127.0.0.0/8'] });
    const client = await RawClient.open(allowed.port, 1, 'Secr3t!pw');
    client.send(client.packet({ host_name: 'in', return_code: 0, plugin_output: 'allowed' }));
    await client.finish();
    await until(() => allowed.results.length === 1);
    allowed.server.shutdown();
    await allowed.running;
  });

  it('streams results as an Observable, and shutdown unregisters sessions so the kernel ends', async () => {
    const h = harness();
    const observed = firstValueFrom(h.server.results$.pipe(toArray()));
    const client = await RawClient.open(h.port, 1, 'Secr3t!pw');
    client.send(client.packet({ host_name: 'a', return_code: 0, plugin_output: '1' }), client.packet({ host_name: 'b', return_code: 0, plugin_output: '2' }));
    await client.finish();
    await until(() => h.results.length === 2);
    h.server.shutdown();
    await h.running; // resolves only if the registered session was released
    expect((await observed).map((r) => r.host_name)).toEqual(['a', 'b']);
    expect(h.server.getsockname()).toBeUndefined();
  });

  it('register takes an object too, and unregister stops deliveries', async () => {
    const kernel = new Kernel();
    const server = ServerNSCA.spawn({ kernel, password: '', encryption: 0, address: '127.0.0.1', port: 0 });
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_: EventArgs) => void _[KERNEL].post(server.session_id(), 'register', { event: 'got', context: { id: 7 } }),
        got: (_: EventArgs) => {
          got.push([(_[ARG0] as NSCAResult).host_name, _[ARG1]]);
          _[KERNEL].post(server.session_id(), 'unregister');
        },
        _stop: () => void got.push('stopped'),
      },
    });
    const running = kernel.run();
    const port = server.getsockname()!.port!;
    const client = await RawClient.open(port, 0, '');
    client.send(client.packet({ host_name: 'one', return_code: 0, plugin_output: '' }));
    await until(() => got.length === 2);
    client.send(client.packet({ host_name: 'two', return_code: 0, plugin_output: '' }));
    await client.finish();
    server.shutdown();
    await running;
    expect(got).toEqual([['one', { id: 7 }], 'stopped']);
  });

  it('survives 5,000 simultaneous idle connections while serving a real client', async () => {
    const h = harness({ time_out: 30 });
    const sockets = [];
    for (let batch = 0; batch < 10; batch++) {
      const opened = Array.from({ length: 500 }, () => {
        const s = connect(h.port, '127.0.0.1');
        s.on('error', () => {});
        return new Promise<typeof s>((resolve) => s.once('data', () => resolve(s)));
      });
      sockets.push(...(await Promise.all(opened)));
    }
    const client = await RawClient.open(h.port, 1, 'Secr3t!pw');
    client.send(client.packet({ host_name: 'busy', return_code: 0, plugin_output: 'served among 5000' }));
    await client.finish();
    await until(() => h.results.length === 1, 10_000);
    for (const s of sockets) s.destroy();
    h.server.shutdown();
    await h.running;
    expect(h.results[0]![0].host_name).toBe('busy');
  }, 60_000);
});
