// TLS: the `tls` option (on every endpoint or on one), and TLS done by hand in ClientPreConnect and
// Client.TCP's PreConnect. The certificate is self-signed, made by openssl for this run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext, TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ARG0, HEAP, KERNEL, Kernel, type EventArgs } from '@poets/kernel';
import { Client, TCPServer, type TCPServerOptions, type ConnectedClientHeap, type ClientInputArgs } from '@poets/server-tcp';
import { captureLog, LineClient, runBounded, sleep, waitFor } from './helpers.js';
import { describeWithPeer } from '../../../test/support/index.js';

let haveOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  haveOpenssl = false;
}

const dir = mkdtempSync(join(tmpdir(), 'server-tcp-tls-'));
let key = '';
let cert = '';

beforeAll(() => {
  if (!haveOpenssl) return;
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const echo = (_: EventArgs<ConnectedClientHeap, ClientInputArgs>) => void _[HEAP].client.put(`secure ${_[ARG0]}`);

function start(options: Partial<TCPServerOptions>) {
  const kernel = new Kernel();
  const { log, lines } = captureLog();
  const server = new TCPServer({ kernel, log, Address: '127.0.0.1', ClientInput: echo, ...options } as TCPServerOptions);
  const running = runBounded(kernel, 10_000);
  return { kernel, server, lines, port: server.port!, stop: async () => (server.shutdown(), await running) };
}

/** A TLS line client that checks the server against our certificate. */
function tlsAsk(port: number, line: string): Promise<{ answer: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', ca: cert, servername: 'localhost' }, () => socket.write(`${line}\n`));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\n')) {
        const authorized = socket.authorized;
        socket.destroy();
        resolve({ answer: data.trim(), authorized });
      }
    });
    socket.on('error', reject);
  });
}

describeWithPeer(haveOpenssl ? undefined : 'openssl(1) is not installed (apt-get install openssl)', 'TLS', () => {
  it('tls: { key, cert } serves TLS clients; the certificate verifies', async () => {
    const t = start({ tls: { key, cert } });
    expect(await tlsAsk(t.port, 'hello')).toEqual({ answer: 'secure hello', authorized: true });
    expect(await tlsAsk(t.port, 'again')).toEqual({ answer: 'secure again', authorized: true });
    await t.stop();
  });

  it('a plain-text client on the TLS port fails its handshake: logged as a ClientError, the server goes on', async () => {
    const t = start({ tls: { key, cert } });
    const plain = new LineClient(t.port);
    plain.send('GET / HTTP/1.0', '');
    await plain.closed;
    expect(await tlsAsk(t.port, 'still fine')).toEqual({ answer: 'secure still fine', authorized: true });
    await t.stop();
    expect(t.lines.some((line) => /Client session \d+ \(127\.0\.0\.1 port \d+\) got read error \d+ \(.*(SSL|TLS|wrong version|packet length|http request).*\)/i.test(line))).toBe(true);
  });

  it('a client that never finishes its handshake is cut after handshakeTimeout; a finished one is not', async () => {
    const t = start({ tls: { key, cert, handshakeTimeout: 200 } });
    const silent = new LineClient(t.port);
    const started = Date.now();
    const settled = tlsConnect({ port: t.port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
    settled.setEncoding('utf8');
    await new Promise((resolve) => settled.once('secureConnect', resolve));
    await silent.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await sleep(200);
    const answer = new Promise<string>((resolve) => settled.once('data', resolve));
    settled.write('late\n');
    expect((await answer).trim()).toBe('secure late');
    settled.destroy();
    await t.stop();
    expect(t.lines.join('\n')).toMatch(/TLS handshake not finished within 200 ms/);
  });

  it('tls on one listen endpoint only: plain and TLS side by side', async () => {
    const t = start({ listen: [{ Port: 0 }, { Port: 0, tls: { key, cert } }] });
    const [plainName, tlsName] = t.server.getSockNames();
    const plain = new LineClient(plainName!.port!);
    expect(await plain.ask('clear')).toBe('secure clear');
    plain.destroy();
    expect((await tlsAsk(tlsName!.port!, 'wrapped')).answer).toBe('secure wrapped');
    await t.stop();
  });

  it('TLS by hand: ClientPreConnect returns a TLSSocket over the accepted socket', async () => {
    const secureContext = createSecureContext({ key, cert });
    const t = start({ ClientPreConnect: (_) => new TLSSocket(_[ARG0] as Socket, { isServer: true, secureContext }) });
    expect(await tlsAsk(t.port, 'by hand')).toEqual({ answer: 'secure by hand', authorized: true });
    await t.stop();
  });

  it('with an Acceptor, the socket it gets is the TLSSocket', async () => {
    let kind = '';
    const t = start({
      ClientInput: undefined,
      tls: { key, cert },
      Acceptor: (_) => {
        kind = _[ARG0] instanceof TLSSocket ? 'TLSSocket' : 'plain';
        (_[ARG0] as TLSSocket).end('accepted\n');
        _[KERNEL].yield('disconnected');
      },
    });
    expect((await tlsAsk(t.port, 'x')).answer).toBe('accepted');
    await t.stop();
    expect(kind).toBe('TLSSocket');
  });

  it("Client.TCP's PreConnect may start TLS on the connected socket", async () => {
    const t = start({ tls: { key, cert } });
    const got: string[] = [];
    Client.TCP({
      kernel: t.kernel,
      RemoteAddress: '127.0.0.1',
      RemotePort: t.port,
      PreConnect: (_) => tlsConnect({ socket: _[ARG0] as Socket, ca: cert, servername: 'localhost' }),
      Connected: (_) => void _[HEAP].server.put('from Client.TCP'),
      ServerInput: (_) => {
        got.push(_[ARG0]);
        _[KERNEL].yield('shutdown');
      },
    });
    await waitFor(() => got.length === 1);
    await t.stop();
    expect(got).toEqual(['secure from Client.TCP']);
  });
});
