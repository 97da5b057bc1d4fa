// The running server: Single and Multiplex over real sockets (tcp, unix, udp, ssl), the client
// process flow's hooks in order, faults in hooks, access control, pid_file, signals, log_file.
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Client, Multiplex, NetServer, PidFileError, Single, TimeoutError, type AnyClient } from '@poets/net-server';
import { afterAll, describe, expect, it } from 'vitest';
import { lineClient, start } from './helpers.js';
import { until } from '../../../test/support/index.js';

const dir = mkdtempSync(join(tmpdir(), 'net-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The seed's echo server: "You said '...'" for each line, quit ends the connection, 30 s a line. */
function echo<B extends new (...args: any[]) => NetServer>(Base: B) {
  return class extends Base {
    override async process_request(client: AnyClient) {
      if (!(client instanceof Client)) return;
      try {
        for await (const line of client.lines({ timeout: 30 })) {
          client.print(`You said '${line}'\r\n`);
          if (/quit/i.test(line)) break;
        }
      } catch (error) {
        if (error instanceof TimeoutError) client.print('Timed Out.\r\n');
        else throw error;
      }
    }
  };
}

describe('Single', () => {
  it('echoes lines and ends the connection on quit', async () => {
    const { ports, server, done } = await start(echo(Single), {});
    const c = lineClient(ports[0]!);
    c.send('hello');
    c.send('quit');
    expect(await c.next(2)).toEqual(["You said 'hello'", "You said 'quit'"]);
    await c.closed;
    await server.server_close();
    await done;
  });

  it('serves one client at a time: the second waits until the first is done', async () => {
    const order: string[] = [];
    class Ordered extends echo(Single) {
      override async process_request(client: AnyClient) {
        order.push(`start ${client.peerport}`);
        await super.process_request(client);
        order.push(`end ${client.peerport}`);
      }
    }
    const { ports, server, done } = await start(Ordered, {});
    const a = lineClient(ports[0]!);
    a.send('one');
    await a.next(1);
    const b = lineClient(ports[0]!);
    b.send('two');
    a.send('quit');
    await a.closed;
    expect(await b.next(1)).toEqual(["You said 'two'"]);
    b.send('quit');
    await b.closed;
    const [pa, pb] = [a.localPort(), b.localPort()];
    expect(order).toEqual([`start ${pa}`, `end ${pa}`, `start ${pb}`, `end ${pb}`]);
    await server.server_close();
    await done;
  });

  it('lines({ timeout }) gives up on a silent client', async () => {
    class Quick extends Single {
      override async process_request(client: AnyClient) {
        try {
          for await (const line of (client as Client).lines({ timeout: 0.2 })) (client as Client).print(`${line}\n`);
        } catch (error) {
          if (error instanceof TimeoutError) (client as Client).print('Timed Out.\r\n');
        }
      }
    }
    const { ports, server, done } = await start(Quick, {});
    const c = lineClient(ports[0]!);
    expect(await c.next(1)).toEqual(['Timed Out.']);
    await c.closed;
    await server.server_close();
    await done;
  });
});

describe('Multiplex', () => {
  it('serves every client at once, each a session of the kernel', async () => {
    const sessions: unknown[] = [];
    class Tracked extends echo(Multiplex) {
      override post_accept(client: AnyClient) {
        const active = this.kernel.get_active_session();
        sessions.push(active === this.kernel ? 'kernel' : (active as { ID(): number }).ID());
        return super.post_accept(client);
      }
    }
    const { ports, server, done } = await start(Tracked, {});
    const a = lineClient(ports[0]!);
    const b = lineClient(ports[0]!);
    a.send('from a');
    b.send('from b');
    // b is answered while a is still open: neither waits for the other
    expect(await b.next(1)).toEqual(["You said 'from b'"]);
    expect(await a.next(1)).toEqual(["You said 'from a'"]);
    expect(sessions).toHaveLength(2);
    expect(new Set(sessions).size).toBe(2);
    expect(sessions.every((id) => typeof id === 'number')).toBe(true);
    a.send('quit');
    b.send('quit');
    await Promise.all([a.closed, b.closed]);
    await server.server_close();
    await done;
  });

  it('plain socket writes work', async () => {
    class Raw extends Multiplex {
      override process_request(client: AnyClient) {
        (client as Client).socket.write('raw bytes\n');
      }
    }
    const { ports, server, done } = await start(Raw, {});
    const c = lineClient(ports[0]!);
    expect(await c.next(1)).toEqual(['raw bytes']);
    await c.closed;
    await server.server_close();
    await done;
  });

  it('prints and plain writes mixed in one turn arrive in their order; the prints of a turn go out as one write', async () => {
    const writes: number[] = [];
    class Mixed extends Multiplex {
      override async process_request(any: AnyClient) {
        const client = any as Client;
        const socket = client.socket;
        const write = socket.write.bind(socket) as (chunk: string) => boolean;
        socket.write = ((chunk: string) => (writes.push(Buffer.byteLength(chunk)), write(chunk))) as typeof socket.write;
        client.print('one\n');
        client.print('two', '\n');
        client.socket.write('three\n');
        client.print('four\n');
        client.print('five\n');
        await new Promise((resolve) => setImmediate(resolve));
        client.print('six\n');
      }
    }
    const { ports, server, done } = await start(Mixed, {});
    const c = lineClient(ports[0]!);
    expect(await c.next(6)).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
    expect(writes).toEqual([8, 6, 10, 4]);
    await c.closed;
    await server.server_close();
    await done;
  });
});

describe('the process flow', () => {
  it('calls every hook Single reaches, in the seed order', async () => {
    const calls: string[] = [];
    class Traced extends Single {
      override configure_hook() { calls.push('configure_hook'); }
      override async post_configure() { calls.push('post_configure'); await super.post_configure(); }
      override post_configure_hook() { calls.push('post_configure_hook'); }
      override async pre_bind() { calls.push('pre_bind'); await super.pre_bind(); }
      override async bind() { calls.push('bind'); await super.bind(); }
      override post_bind_hook() { calls.push('post_bind_hook'); }
      override async post_bind() { calls.push('post_bind'); await super.post_bind(); }
      override pre_loop_hook() { calls.push('pre_loop_hook'); }
      override can_read_hook() { calls.push('can_read_hook'); return undefined; }
      override post_accept(client: AnyClient) { calls.push('post_accept'); return super.post_accept(client); }
      override async get_client_info(client: AnyClient) { calls.push('get_client_info'); await super.get_client_info(client); }
      override post_accept_hook() { calls.push('post_accept_hook'); }
      override allow_deny(client: AnyClient) { calls.push('allow_deny'); return super.allow_deny(client); }
      override allow_deny_hook() { calls.push('allow_deny_hook'); return true; }
      override process_request(client: AnyClient) { calls.push('process_request'); (client as Client).print('hi\n'); }
      override post_process_request_hook(ok: boolean) { calls.push(`post_process_request_hook ${ok}`); }
      override post_process_request(client: AnyClient) { calls.push('post_process_request'); return super.post_process_request(client); }
      override post_client_connection_hook() { calls.push('post_client_connection_hook'); }
      override pre_server_close_hook() { calls.push('pre_server_close_hook'); }
      override post_child_cleanup_hook() { calls.push('post_child_cleanup_hook'); }
      override server_exit() { calls.push('server_exit'); }
    }
    const logger = { log() {} };
    const server = new Traced({}, { argv: [], logger, signals: false });
    const ready = new Promise<void>((resolve) => {
      server.post_client_connection_hook = () => {
        calls.push('post_client_connection_hook');
        resolve();
      };
    });
    const pre = server.pre_loop_hook.bind(server);
    let port = 0;
    const listening = new Promise<void>((resolve) => {
      server.pre_loop_hook = () => {
        pre();
        port = Number(server.server.sock![0]!.NS_port);
        resolve();
      };
    });
    const done = server.run({ host: '127.0.0.1', port: 0 });
    await listening;
    const c = lineClient(port);
    expect(await c.next(1)).toEqual(['hi']);
    await ready;
    await server.server_close();
    await done;
    expect(calls).toEqual([
      'configure_hook', 'post_configure', 'post_configure_hook', 'pre_bind', 'bind', 'post_bind_hook', 'post_bind', 'pre_loop_hook',
      'can_read_hook', 'post_accept', 'get_client_info', 'post_accept_hook', 'allow_deny', 'allow_deny_hook', 'process_request',
      'post_process_request_hook true', 'post_process_request', 'post_client_connection_hook',
      'pre_server_close_hook', 'post_child_cleanup_hook', 'server_exit',
    ]);
  });

  it('Multiplex runs the same per-client hooks in the same order, per client', async () => {
    const calls: string[] = [];
    let finished!: () => void;
    const over = new Promise<void>((resolve) => (finished = resolve));
    class Traced extends Multiplex {
      override post_accept_hook() { calls.push('post_accept_hook'); }
      override allow_deny_hook() { calls.push('allow_deny_hook'); return true; }
      override process_request(client: AnyClient) { calls.push('process_request'); (client as Client).print('hi\n'); }
      override post_process_request_hook(ok: boolean) { calls.push(`post_process_request_hook ${ok}`); }
      override post_client_connection_hook() { calls.push('post_client_connection_hook'); finished(); }
    }
    const { ports, server, done } = await start(Traced, {});
    const c = lineClient(ports[0]!);
    expect(await c.next(1)).toEqual(['hi']);
    await over;
    await server.server_close();
    await done;
    expect(calls).toEqual(['post_accept_hook', 'allow_deny_hook', 'process_request', 'post_process_request_hook true', 'post_client_connection_hook']);
  });

  it('a process_request or hook that throws is logged with the peer and the hook name, and the server goes on', async () => {
    let n = 0;
    class Faulty extends Multiplex {
      override post_accept_hook() {
        if (n === 0) throw new Error('hook broke');
      }
      override process_request(client: AnyClient) {
        n++;
        if (n === 1) throw new Error('request broke');
        (client as Client).print('fine\n');
      }
    }
    const { ports, server, done, logger } = await start(Faulty, {});
    const a = lineClient(ports[0]!);
    await a.closed;
    const b = lineClient(ports[0]!);
    expect(await b.next(1)).toEqual(['fine']);
    const port = a.localPort();
    expect(logger.lines).toContain(`error Net::Server: 127.0.0.1:${port} post_accept_hook failed: hook broke`);
    expect(logger.lines).toContain(`error Net::Server: 127.0.0.1:${port} process_request failed: request broke`);
    await server.server_close();
    await done;
  });

  it('an async process_request that rejects is logged the same way', async () => {
    class Rejects extends Single {
      override async process_request() {
        await Promise.resolve();
        throw new Error('later');
      }
    }
    const { ports, server, done, logger } = await start(Rejects, {});
    const a = lineClient(ports[0]!);
    await a.closed;
    await server.server_close();
    await done;
    expect(logger.lines.some((line) => line.endsWith(`:${a.localPort()} process_request failed: later`))).toBe(true);
  });

  it('a port that is taken fails run() with the reason, logged, fatal_hook called, nothing left bound', async () => {
    const first = await start(Single, {});
    const reasons: unknown[] = [];
    class Second extends Single {
      override fatal_hook(error: unknown) {
        reasons.push(error);
      }
    }
    const second = new Second({}, { argv: [], logger: { log() {} }, signals: false });
    await expect(second.run({ host: '127.0.0.1', port: first.ports[0] })).rejects.toThrow(/can't connect to TCP port \d+ on 127.0.0.1 \[EADDRINUSE\]/);
    expect(reasons).toHaveLength(1);
    await first.server.server_close();
    await first.done;
  });
});

describe('bad input', () => {
  it('a client sending faster than process_request reads is held back (the server reads little ahead), and every line still arrives', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let counted = 0;
    class Slow extends Multiplex {
      override async process_request(any: AnyClient) {
        const lines = (any as Client).lines();
        await lines.next();
        await released; // reads nothing more until the test says so
        for await (const line of lines) if (line.startsWith('x')) counted++;
      }
    }
    const { ports, server, done } = await start(Slow, {});
    const socket = netConnect({ port: ports[0]!, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const line = `x${'.'.repeat(1023)}\n`;
    socket.write('first\n');
    for (let i = 0; i < 40_000; i++) socket.write(line); // 40 MB: at most ~10 MB fits in the loopback socket buffers
    // the server reads a little ahead, then leaves the rest to TCP: most of it stays with the client
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.writableLength).toBeGreaterThan(20 * 1024 * 1024);
    release();
    socket.end();
    await until(() => counted === 40_000, 15_000, () => `every line (${counted})`);
    await server.server_close();
    await done;
  });

  it('a line longer than maxLength ends that client (logged), the next is served', async () => {
    class Short extends echo(Multiplex) {
      override async process_request(client: AnyClient) {
        for await (const line of (client as Client).lines({ maxLength: 16 })) (client as Client).print(`${line}\n`);
      }
    }
    const { ports, server, done, logger } = await start(Short, {});
    const flood = lineClient(ports[0]!);
    flood.socket.write('x'.repeat(100_000));
    await flood.closed;
    const ok = lineClient(ports[0]!);
    ok.send('short');
    expect(await ok.next(1)).toEqual(['short']);
    expect(logger.lines.some((line) => /process_request failed: line longer than 16 bytes/.test(line))).toBe(true);
    ok.socket.destroy();
    await server.server_close();
    await done;
  });
  it('500 connections abandoned at once (Multiplex): each ends quietly, the next client is served', async () => {
    let finished = 0;
    let allDone!: () => void;
    const over = new Promise<void>((resolve) => (allDone = resolve));
    class Counting extends echo(Multiplex) {
      override post_client_connection_hook() {
        if (++finished === 500) allDone();
      }
    }
    const { ports, server, done, logger } = await start(Counting, {});
    const abandoned = Array.from({ length: 500 }, () => netConnect({ port: ports[0]!, host: '127.0.0.1' }));
    await Promise.all(abandoned.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    for (const socket of abandoned) {
      socket.on('error', () => {});
      socket.resetAndDestroy();
    }
    await over;
    const c = lineClient(ports[0]!);
    c.send('still here');
    expect(await c.next(1)).toEqual(["You said 'still here'"]);
    expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([]);
    c.socket.destroy();
    await server.server_close();
    await done;
  });
  it('a client that disconnects mid-line ends its lines() quietly with what it sent', async () => {
    const got: string[] = [];
    let finished!: () => void;
    const over = new Promise<void>((resolve) => (finished = resolve));
    class Collect extends Single {
      override async process_request(client: AnyClient) {
        for await (const line of (client as Client).lines()) got.push(line);
      }
      override post_client_connection_hook() {
        finished();
      }
    }
    const { ports, server, done } = await start(Collect, {});
    const c = lineClient(ports[0]!);
    c.socket.end('one\r\ntwo\nunfinished');
    await over;
    expect(got).toEqual(['one', 'two', 'unfinished']);
    await server.server_close();
    await done;
  });
});

describe('protos', () => {
  it('unix: path|unix', async () => {
    const path = join(dir, 'echo.sock');
    const { server, done } = await start(echo(Single), { port: `${path}|unix` });
    const socket = netConnect({ path });
    socket.setEncoding('utf8');
    const got = new Promise<string>((resolve) => socket.on('data', (d: string) => resolve(d)));
    socket.write('over unix\n');
    expect(await got).toBe("You said 'over unix'\r\n");
    socket.destroy();
    await server.server_close();
    await done;
    expect(existsSync(path)).toBe(false);
  });

  it('udp: the datagram in this.server.udp_data, the reply by client.send', async () => {
    class UdpEcho extends Single {
      override async process_request(client: AnyClient) {
        if ('send' in client) await client.send(`got ${String(this.server.udp_data)}`);
      }
    }
    const { ports, server, done } = await start(UdpEcho, { proto: 'udp', ipv: 4 });
    const socket = createSocket('udp4');
    const reply = new Promise<string>((resolve) => socket.on('message', (m) => resolve(String(m))));
    socket.send('ping', ports[0]!, '127.0.0.1');
    expect(await reply).toBe('got ping');
    socket.close();
    await server.server_close();
    await done;
  });

  it('ssl: TLS with SSL_cert_file and SSL_key_file', async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    const { ports, server, done } = await start(echo(Multiplex), {
      proto: 'ssl', SSL_cert_file: join(dir, 'cert.pem'), SSL_key_file: join(dir, 'key.pem'),
    });
    const ca = readFileSync(join(dir, 'cert.pem'));
    const socket = tlsConnect({ port: ports[0]!, host: '127.0.0.1', ca, servername: 'localhost' });
    socket.setEncoding('utf8');
    const got = new Promise<string>((resolve) => socket.on('data', (d: string) => resolve(d)));
    socket.write('secret\n');
    expect(await got).toBe("You said 'secret'\r\n");
    expect(socket.authorized).toBe(true);
    socket.destroy();
    await server.server_close();
    await done;
  });

  it('ssl: SSL_verify_mode 0x03 with SSL_ca_file serves a client with a certificate and never one without', async () => {
    // reuses the certificate of the test above as the CA and as the client's certificate
    const served: string[] = [];
    class Verified extends echo(Multiplex) {
      override post_accept_hook(client: AnyClient) {
        served.push(String(client.peerport));
      }
    }
    const { ports, server, done } = await start(Verified, {
      proto: 'ssl', SSL_cert_file: join(dir, 'cert.pem'), SSL_key_file: join(dir, 'key.pem'),
      SSL_ca_file: join(dir, 'cert.pem'), SSL_verify_mode: '0x03',
    });
    const ca = readFileSync(join(dir, 'cert.pem'));
    const anonymous = tlsConnect({ port: ports[0]!, host: '127.0.0.1', ca, servername: 'localhost' });
    const refused = await new Promise<string>((resolve) => {
      anonymous.on('error', (error) => resolve(String((error as NodeJS.ErrnoException).code ?? error.message)));
      anonymous.on('data', () => resolve('served'));
      anonymous.on('close', () => resolve('closed'));
      anonymous.on('secureConnect', () => anonymous.write('hi\n'));
    });
    expect(refused).not.toBe('served');
    const withCert = tlsConnect({
      port: ports[0]!, host: '127.0.0.1', ca, servername: 'localhost',
      cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')),
    });
    withCert.setEncoding('utf8');
    const got = new Promise<string>((resolve) => withCert.on('data', (d: string) => resolve(d)));
    withCert.write('with a certificate\n');
    expect(await got).toBe("You said 'with a certificate'\r\n");
    expect(served).toHaveLength(1);
    withCert.destroy();
    await server.server_close();
    await done;
  });

  it('host * binds every address: IPv4 and IPv6 clients both reach it', async () => {
    const { ports, server, done } = await start(echo(Multiplex), { host: '*' });
    const v4 = lineClient(ports[0]!, '127.0.0.1');
    const v6 = lineClient(ports[0]!, '::1');
    v4.send('four');
    v6.send('six');
    expect(await v4.next(1)).toEqual(["You said 'four'"]);
    expect(await v6.next(1)).toEqual(["You said 'six'"]);
    v4.socket.destroy();
    v6.socket.destroy();
    await server.server_close();
    await done;
  });
});

describe('access control (allow_deny, in Net::Server order)', () => {
  class Guarded extends Multiplex {
    denied: string[] = [];
    override process_request(client: AnyClient) {
      (client as Client).print('welcome\n');
    }
    override request_denied_hook(client: AnyClient) {
      this.denied.push(String(client.peeraddr));
    }
  }
  async function verdict(args: Record<string, unknown>, host = '127.0.0.1') {
    const { ports, server, done, logger } = await start(Guarded, args);
    const c = lineClient(ports[0]!, host);
    await c.closed;
    await server.server_close();
    await done;
    return { got: c.lines, denied: server.denied, log: logger.lines };
  }
  it('cidr_deny refuses an IPv4 client, logged with the reason', async () => {
    const r = await verdict({ cidr_deny: '127.0.0.0/8' });
    expect(r.got).toEqual([]);
    expect(r.denied).toEqual(['127.0.0.1']);
    expect(r.log.some((line) => /denied: 127\.0\.0\.1 is in cidrDeny 127\.0\.0\.0\/8/.test(line))).toBe(true);
  });
  it('cidr_allow lets an IPv4 client in; one outside every block is refused', async () => {
    expect((await verdict({ cidr_allow: ['127.0.0.1/32'] })).got).toEqual(['welcome']);
    expect((await verdict({ cidr_allow: ['10.0.0.0/8'] })).denied).toEqual(['127.0.0.1']);
  });
  it('IPv6: cidr_allow ::1/128 lets ::1 in, cidr_deny ::/0 refuses it', async () => {
    expect((await verdict({ host: '::1', cidr_allow: '::1/128' }, '::1')).got).toEqual(['welcome']);
    expect((await verdict({ host: '::1', cidr_deny: '::/0' }, '::1')).denied).toEqual(['::1']);
  });
  it('deny wins over allow; allow regexps match the whole address', async () => {
    expect((await verdict({ allow: '127\\.0\\.0\\.1', deny: '127\\..*' })).denied).toEqual(['127.0.0.1']);
    expect((await verdict({ allow: '127\\.0\\.0\\.1' })).got).toEqual(['welcome']);
    expect((await verdict({ allow: '127\\.0' })).denied).toEqual(['127.0.0.1']);
  });
  it('allow_deny_hook can refuse what the rules let in; a throwing one refuses', async () => {
    class Picky extends Guarded {
      override allow_deny_hook() {
        return false;
      }
    }
    const a = await start(Picky, {});
    const c = lineClient(a.ports[0]!);
    await c.closed;
    expect(a.server.denied).toEqual(['127.0.0.1']);
    await a.server.server_close();
    await a.done;
  });
  it('reverse_lookups: allow and deny match the peer name too, kept in peerhost', async () => {
    const reverseLookup = async (address: string) => (address === '127.0.0.1' ? 'client.example.com' : undefined);
    const named = async (args: Record<string, unknown>) => {
      const { ports, server, done } = await start(Guarded, { reverse_lookups: 1, ...args }, { reverseLookup });
      const c = lineClient(ports[0]!);
      await c.closed;
      await server.server_close();
      await done;
      return { got: c.lines, denied: server.denied, peerhost: server.server.peerhost };
    };
    const allowed = await named({ allow: '.*\\.example\\.com' });
    expect(allowed.got).toEqual(['welcome']);
    expect(allowed.peerhost).toBe('client.example.com');
    expect((await named({ allow: '127\\.0\\.0\\.1', deny: 'client\\..*' })).denied).toEqual(['127.0.0.1']);
  });
  it('a bad cidr is a clear configuration error', async () => {
    await expect(new Guarded({}, { argv: [], logger: { log() {} }, signals: false }).run({ port: 0, cidr_allow: 'not-a-block' })).rejects.toThrow(/cidr_allow: 'not-a-block' is not a CIDR block/);
  });
});

describe('pid_file', () => {
  it('is written at start and removed at close', async () => {
    const pidFile = join(dir, 'a.pid');
    const { server, done } = await start(Single, { pid_file: pidFile });
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    await server.server_close();
    await done;
    expect(existsSync(pidFile)).toBe(false);
  });
  it('refuses to start while the pid in it is alive', async () => {
    const pidFile = join(dir, 'live.pid');
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(pidFile, `${sleeper.pid}\n`);
      const error = await new Single({}, { argv: [], logger: { log() {} }, signals: false }).run({ host: '127.0.0.1', port: 0, pid_file: pidFile }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PidFileError);
      expect(String(error)).toContain(`already exists for running process (${sleeper.pid})`);
      expect(readFileSync(pidFile, 'utf8')).toBe(`${sleeper.pid}\n`);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
  it('replaces a stale one', async () => {
    const pidFile = join(dir, 'stale.pid');
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    writeFileSync(pidFile, `${gone.pid}\n`);
    const { server, done, logger } = await start(Single, { pid_file: pidFile });
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    expect(logger.lines.some((line) => line.includes('Removed stale pid_file'))).toBe(true);
    await server.server_close();
    await done;
  });
});

describe('signals and logging', () => {
  it.each(['SIGINT', 'SIGQUIT'] as const)('%s runs server_close, ending the client in hand', async (signal) => {
    const { ports, done } = await start(echo(Multiplex), {}, { signals: true });
    const c = lineClient(ports[0]!);
    c.send('before');
    await c.next(1);
    process.emit(signal);
    await done;
    await c.closed;
    expect(process.listenerCount(signal)).toBe(0);
  });
  it('TERM runs server_close (pid file removed); PIPE is ignored', async () => {
    const pidFile = join(dir, 'term.pid');
    const { done } = await start(Single, { pid_file: pidFile }, { signals: true });
    process.emit('SIGPIPE');
    process.emit('SIGTERM');
    await done;
    expect(existsSync(pidFile)).toBe(false);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
  it('log_level filters lines; log_file takes them and is reopened on HUP', async () => {
    const logFile = join(dir, 'server.log');
    // the restart itself (a new process) is daemon.test.ts's: here only the reopen, in this process
    class NoRestart extends Single {
      override async hup_server() {}
    }
    const { server, done } = await start(NoRestart, { log_file: logFile, log_level: 3 }, { signals: true });
    server.log(3, 'info line');
    server.log(4, 'debug line');
    renameSync(logFile, `${logFile}.1`);
    process.emit('SIGHUP');
    server.log(1, 'after rotation');
    await server.server_close();
    await done;
    const rotated = readFileSync(`${logFile}.1`, 'utf8');
    const fresh = readFileSync(logFile, 'utf8');
    expect(rotated).toMatch(/Net::Server: .*NoRestart \(type Net::Server::Single\) starting! pid\(\d+\)/);
    expect(rotated).toContain('Net::Server: info line');
    expect(rotated).not.toContain('debug line');
    expect(fresh).toContain('Net::Server: after rotation');
    expect(fresh).toContain('Server closing!');
  });
  it('a user or group that does not exist and chroot are refused with a clear reason, nothing left bound', async () => {
    const run = (args: Record<string, unknown>) => new Single({}, { argv: [], logger: { log() {} }, signals: false }).run({ host: '127.0.0.1', port: 0, ...args });
    await expect(run({ user: 'no-such-user-poets' })).rejects.toThrow(/user "no-such-user-poets" does not exist/);
    await expect(run({ group: 'no-such-group-poets' })).rejects.toThrow(/group "no-such-group-poets" does not exist/);
    await expect(run({ chroot: '/tmp' })).rejects.toThrow(/chroot "\/tmp" is not supported.*container.*RootDirectory=/);
  });
});
