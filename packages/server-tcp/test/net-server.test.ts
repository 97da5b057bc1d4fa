// The Net::Server features on Server.TCP: access control, reverse lookups, hooks, idle timeouts, line limits.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { TCPServer, type ConnectionInfo, type TCPServerOptions, type ConnectedClientHeap, type ClientInputArgs } from '@poets/server-tcp';
import { captureLog, ipv6Available, LineClient, runBounded, sleep, waitFor } from './helpers.js';

const echo = (_: EventArgs<ConnectedClientHeap, ClientInputArgs>) => void _[HEAP].client.put(_[ARG0]);

/** Starts a server in its own kernel; `stop()` shuts it down and waits for the kernel to finish. */
function start(options: Partial<TCPServerOptions>) {
  const kernel = new Kernel();
  const { log, lines } = captureLog();
  const server = new TCPServer({ kernel, log, Address: '127.0.0.1', ClientInput: echo, ...options } as TCPServerOptions);
  const running = runBounded(kernel, 10_000);
  return {
    kernel,
    server,
    lines,
    port: server.port!,
    stop: async () => {
      server.shutdown();
      await running;
    },
  };
}

/** Connects and reports whether the server answered or closed the connection without a word. */
async function probe(port: number, host = '127.0.0.1'): Promise<'served' | 'refused'> {
  const client = new LineClient(port, host);
  client.send('ping');
  const outcome = await Promise.race([client.expectLines(1, 2000).then(() => 'served' as const), client.closed.then(() => 'refused' as const)]);
  client.destroy();
  return outcome;
}

describe('access control (cidr_allow, cidr_deny, allow, deny)', () => {
  it('a client outside cidrAllow is closed at once, logged with its address, and never reaches ClientConnected', async () => {
    let connected = 0;
    const denied: [ConnectionInfo, string][] = [];
    const t = start({ cidrAllow: ['10.0.0.0/8'], ClientConnected: () => void connected++, requestDeniedHook: (info, reason) => void denied.push([info, reason]) });
    expect(await probe(t.port)).toBe('refused');
    await waitFor(() => t.server.heap.connections === 0);
    await t.stop();
    expect(connected).toBe(0);
    expect(denied).toHaveLength(1);
    expect(denied[0]![0]).toMatchObject({ remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', localPort: t.port });
    expect(denied[0]![1]).toMatch(/127\.0\.0\.1 matches no allow or cidrAllow rule/);
    expect(t.lines.some((line) => /Server \d+ refused 127\.0\.0\.1 port \d+: 127\.0\.0\.1 matches no allow/.test(line))).toBe(true);
  });

  it('a client inside cidrAllow is served; cidrDeny wins over cidrAllow', async () => {
    const allowed = start({ cidrAllow: ['127.0.0.0/8'] });
    expect(await probe(allowed.port)).toBe('served');
    await allowed.stop();
    const denied = start({ cidrAllow: ['127.0.0.0/8'], cidrDeny: ['127.0.0.1/32'] });
    expect(await probe(denied.port)).toBe('refused');
    await denied.stop();
    expect(denied.lines.join('\n')).toMatch(/is in cidrDeny 127\.0\.0\.1\/32/);
  });

  it('allow and deny patterns match the address', async () => {
    const a = start({ allow: [/127\.0\.0\.\d+/] });
    expect(await probe(a.port)).toBe('served');
    await a.stop();
    const d = start({ allow: ['.*'], deny: ['127\\.0\\.0\\.1'] });
    expect(await probe(d.port)).toBe('refused');
    await d.stop();
  });

  it('with reverseLookups, patterns match the peer name too, and the name is in the heap as remoteHost', async () => {
    const looked: string[] = [];
    let heapHost: unknown;
    const t = start({
      reverseLookups: true,
      reverseLookup: async (address) => {
        looked.push(address);
        await sleep(10);
        return 'trusted.example';
      },
      allow: [/.*\.example/],
      ClientConnected: (_) => void (heapHost = _[HEAP].remoteHost),
    });
    expect(await probe(t.port)).toBe('served');
    await t.stop();
    expect(looked).toEqual(['127.0.0.1']);
    expect(heapHost).toBe('trusted.example');

    const d = start({ reverseLookups: true, reverseLookup: async () => 'evil.example', allow: ['.*'], deny: [/evil\..*/] });
    expect(await probe(d.port)).toBe('refused');
    await d.stop();
    expect(d.lines.join('\n')).toMatch(/refused 127\.0\.0\.1 port \d+ \(evil\.example\): 'evil\.example' matches deny/);
  });

  it('the default reverse lookup (DNS, bounded in time) does not hold up the connection', async () => {
    const t = start({ reverseLookups: true, allow: ['.*'] });
    expect(await probe(t.port)).toBe('served');
    await t.stop();
  });

  it('IPv6 peers are checked against IPv6 blocks', async (ctx) => {
    if (!(await ipv6Available())) return ctx.skip();
    const t = start({ Domain: 'AF_INET6', Address: '::1', cidrAllow: ['::1/128'] });
    expect(await probe(t.port, '::1')).toBe('served');
    await t.stop();
    const d = start({ Domain: 'AF_INET6', Address: '::1', cidrAllow: ['127.0.0.0/8'] });
    expect(await probe(d.port, '::1')).toBe('refused');
    await d.stop();
  });

  it('refused clients never reach an Acceptor', async () => {
    let accepted = 0;
    const t = start({ ClientInput: undefined, Acceptor: () => void accepted++, cidrDeny: ['127.0.0.0/8'], allow: ['.*'] });
    expect(await probe(t.port)).toBe('refused');
    await t.stop();
    expect(accepted).toBe(0);
  });
});

describe('Net::Server hooks', () => {
  it('post_accept, then allow_deny, then the connection (or request_denied); pre_server_close before the listeners close', async () => {
    const order: string[] = [];
    let verdict = true;
    const t = start({
      postAcceptHook: (info) => void order.push(`post_accept ${info.remoteAddress}`),
      allowDenyHook: () => {
        order.push('allow_deny');
        return verdict;
      },
      requestDeniedHook: (_info, reason) => void order.push(`denied: ${reason}`),
      preServerCloseHook: (heap) => void order.push(`pre_server_close ${heap.listeners.length}`),
      ClientConnected: () => void order.push('connected'),
    });
    expect(await probe(t.port)).toBe('served');
    verdict = false;
    expect(await probe(t.port)).toBe('refused');
    await t.stop();
    expect(order).toEqual([
      'post_accept 127.0.0.1',
      'allow_deny',
      'connected',
      'post_accept 127.0.0.1',
      'allow_deny',
      'denied: refused by allowDenyHook',
      'pre_server_close 1',
    ]);
  });

  it('allowDenyHook may answer later with a Promise; the server keeps serving meanwhile', async () => {
    let release!: (ok: boolean) => void;
    const t = start({ allowDenyHook: () => new Promise<boolean>((resolve) => (release = resolve)) });
    const slow = new LineClient(t.port);
    slow.send('first');
    await waitFor(() => release !== undefined);
    await sleep(50);
    expect(slow.lines).toEqual([]);
    release(true);
    await slow.expectLines(1);
    expect(slow.lines).toEqual(['first']);
    slow.destroy();
    await t.stop();
  });

  it('the allow/deny rules run first: allowDenyHook is asked only for clients they let in', async () => {
    let asked = 0;
    const t = start({ cidrAllow: ['10.0.0.0/8'], allowDenyHook: () => ++asked > 0 });
    expect(await probe(t.port)).toBe('refused');
    await t.stop();
    expect(asked).toBe(0);
  });

  it('a hook that throws is logged; a throwing allowDenyHook refuses the client; the server goes on', async () => {
    let calls = 0;
    const t = start({
      postAcceptHook: () => {
        throw new Error('post boom');
      },
      allowDenyHook: () => {
        if (++calls === 1) throw new Error('check boom');
        return true;
      },
    });
    expect(await probe(t.port)).toBe('refused');
    expect(await probe(t.port)).toBe('served');
    await t.stop();
    expect(t.lines.join('\n')).toMatch(/postAcceptHook threw: post boom/);
    expect(t.lines.join('\n')).toMatch(/allowDenyHook threw: check boom/);
  });

  it('preServerCloseHook also runs when the default Error gives up listening', async () => {
    const kernel = new Kernel();
    const first = new TCPServer({ kernel, Address: '127.0.0.1', ClientInput: echo });
    const { log, lines } = captureLog();
    let closing = 0;
    new TCPServer({ kernel, log, Address: '127.0.0.1', Port: first.port!, preServerCloseHook: () => void closing++, ClientInput: echo });
    first.shutdown();
    await runBounded(kernel);
    expect(closing).toBe(1);
    expect(lines.join('\n')).toMatch(/Server \d+ got bind error 98/);
  });
});

describe('idleTimeout', () => {
  it('closes and logs a client that sends no complete record for idleTimeout seconds; an active one stays', async () => {
    let disconnected = 0;
    const t = start({ idleTimeout: 0.3, ClientDisconnected: () => void disconnected++ });
    const quiet = new LineClient(t.port);
    const active = new LineClient(t.port);
    const started = Date.now();
    for (let i = 0; i < 8; i++) {
      expect(await active.ask(`tick ${i}`)).toBe(`tick ${i}`);
      await sleep(80);
    }
    await quiet.closed;
    const after = Date.now() - started;
    expect(after).toBeGreaterThanOrEqual(250);
    expect(active.socket.destroyed).toBe(false);
    active.destroy();
    await waitFor(() => t.server.heap.connections === 0);
    await t.stop();
    expect(disconnected).toBe(2);
    expect(t.lines.filter((line) => /sent no complete input for 0\.3 s; closing the connection/.test(line))).toHaveLength(1);
    expect(t.lines.join('\n')).toMatch(/Client session \d+ \(127\.0\.0\.1 port \d+\) sent no complete input/);
  });
});

describe('maxLineLength', () => {
  it('a line longer than the maximum is a ClientError (read, EMSGSIZE); by default the client is logged and closed', async () => {
    const errors: unknown[][] = [];
    const t = start({ maxLineLength: 64, ClientError: (_) => void errors.push(_.slice(ARG0, ARG0 + 3)) });
    const client = new LineClient(t.port);
    expect(await client.ask('short')).toBe('short');
    client.send('x'.repeat(1000));
    await client.closed;
    await t.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('read');
    expect(errors[0]![1]).toBe(constants.errno.EMSGSIZE);
    expect(errors[0]![2]).toMatch(/MaxLength \(64 bytes\)/);
  });

  it('with the default ClientError the refusal is logged with the client address', async () => {
    const t = start({ maxLineLength: 16 });
    const client = new LineClient(t.port);
    client.send('y'.repeat(100));
    await client.closed;
    await t.stop();
    expect(t.lines.join('\n')).toMatch(/Client session \d+ \(127\.0\.0\.1 port \d+\) got read error 90 \(line exceeds MaxLength/);
  });

  it('with ClientShutdownOnError off the over-long line is dropped and the connection goes on', async () => {
    const t = start({
      maxLineLength: 16,
      ClientShutdownOnError: false,
      ClientError: (_) => {
        // With shutdown-on-error off, closing on other errors is the application's job.
        if (_[ARG1] === constants.errno.EMSGSIZE) _[HEAP].client.put(`error: ${String(_[ARG2]).slice(0, 20)}`);
        else _[KERNEL].yield('shutdown');
      },
    });
    const client = new LineClient(t.port);
    client.send('z'.repeat(100), 'after');
    await client.expectLines(2);
    expect(client.lines).toEqual(['error: line exceeds MaxLeng', 'after']);
    client.destroy();
    await t.stop();
  });
});

describe('a handler that throws', () => {
  it('closes its own connection, is logged, and leaves the server and other clients running', async () => {
    const t = start({
      ClientInput: (_) => {
        if (_[ARG0] === 'explode') throw new Error('kaboom');
        _[HEAP].client.put(`ok ${_[ARG0]}`);
      },
    });
    const good = new LineClient(t.port);
    const bad = new LineClient(t.port);
    expect(await good.ask('1')).toBe('ok 1');
    expect(await bad.ask('2')).toBe('ok 2');
    bad.send('explode');
    await bad.closed;
    expect(await good.ask('3')).toBe('ok 3');
    const again = new LineClient(t.port);
    expect(await again.ask('4')).toBe('ok 4');
    good.destroy();
    again.destroy();
    await t.stop();
    expect(t.lines.join('\n')).toMatch(/Client session \d+ \(127\.0\.0\.1 port \d+\) died in event 'tcp_server_got_input': kaboom; closing the connection/);
  });

  it('a ClientConnected that throws, and a ClientDisconnected that throws, close their connection once; the server goes on', async () => {
    let disconnects = 0;
    const t = start({
      ClientConnected: () => {
        throw new Error('greeting failed');
      },
      ClientDisconnected: () => {
        disconnects++;
        throw new Error('farewell failed');
      },
    });
    const first = new LineClient(t.port);
    await first.closed;
    const second = new LineClient(t.port);
    await second.closed;
    await waitFor(() => t.server.heap.connections === 0);
    await t.stop();
    expect(disconnects).toBe(2);
    expect(t.lines.filter((line) => /died in event '_start': greeting failed/.test(line))).toHaveLength(2);
    expect(t.lines.filter((line) => /died in event 'shutdown': farewell failed/.test(line))).toHaveLength(2);
  });

  it("a child session's death is not the connection's to handle: it stays POE's DIE", async () => {
    const kernel = new Kernel();
    const server = new TCPServer({
      kernel,
      Address: '127.0.0.1',
      ClientConnected: () => {
        Session.create({
          inline_states: {
            _start: (c) => c[KERNEL].yield('boom'),
            boom: () => {
              throw new Error('child died');
            },
          },
        });
      },
      ClientInput: echo,
    });
    const outcome = runBounded(kernel).then(
      () => undefined,
      (error: unknown) => error,
    );
    const client = new LineClient(server.port!);
    const error = await outcome;
    client.destroy();
    expect(String(error)).toMatch(/died in event 'boom': child died/);
  });
});
