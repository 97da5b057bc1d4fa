// NATS authentication passes through, and per-kernel permissions keep one kernel from reading
// another's posts or answering another's calls.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeyAuthenticator, nkeys } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IKC, kernelPermissions, type IKCOptions } from '../src/index.js';
import { NatsServer, natsMissing, recordingLogger, until } from './nats-server.js';
import { describeWithPeer } from '../../../test/support/index.js';

const missing = natsMissing();

describeWithPeer(missing, 'authentication and scoping', () => {
  let users: NatsServer;
  let token: NatsServer;
  let nkey: NatsServer;
  let tls: NatsServer;
  let certs: string;
  const user = nkeys.createUser();
  beforeAll(async () => {
    nkey = await NatsServer.start({ jetstream: false, config: `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n` });
    certs = mkdtempSync(join(tmpdir(), 'poets-nats-tls-'));
    const ssl = (...args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: certs, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
    };
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=poets test CA');
    writeFileSync(join(certs, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    for (const who of ['server', 'client']) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
      ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', '-extfile', 'san.ext');
    }
    tls = await NatsServer.start({
      jetstream: false,
      config: `tls { cert_file: "${join(certs, 'server.pem')}", key_file: "${join(certs, 'server.key')}", ca_file: "${join(certs, 'ca.pem')}", verify: true }\n`,
    });
    const entry = (user: string, password: string) => ({ user, password, permissions: kernelPermissions(user, { prefix: 'sec' }) });
    users = await NatsServer.start({
      jetstream: false,
      config: `authorization { users = ${JSON.stringify([entry('KA', 'pa'), entry('KB', 'pb'), entry('Evil', 'pe')])} }\n`,
    });
    token = await NatsServer.start({ jetstream: false, config: 'authorization { token: "s3cret-token" }\n' });
  });
  afterAll(async () => {
    await users?.destroy();
    await token?.destroy();
    await nkey?.destroy();
    await tls?.destroy();
    if (certs) rmSync(certs, { recursive: true, force: true });
  });

  async function node(options: IKCOptions) {
    const kernel = new Kernel({ warn: () => undefined });
    const got: unknown[] = [];
    const logger = recordingLogger();
    const ikc = IKC.spawn({ kernel, logger, prefix: 'sec', heartbeat: 1, ...options });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('svc');
          ikc.publish('svc', ['echo']);
        },
        echo: (_) => {
          got.push(_[ARG0]);
          return `echo from ${options.name}: ${String(_[ARG0])}`;
        },
      },
    });
    const running = kernel.run();
    return { kernel, ikc, got, logger, running };
  }

  it('user and password pass through; a wrong password is refused, logged and reported to on_error', async () => {
    const errors: Error[] = [];
    const bad = await node({ name: 'KA', servers: users.url, user: 'KA', pass: 'wrong', on_error: (e) => void errors.push(e), maxReconnectAttempts: 0 });
    await expect(bad.ikc.ready).rejects.toThrow(/authorization/i);
    expect(errors).toHaveLength(1);
    expect(bad.logger.lines.join('\n')).toMatch(/cannot join NATS: .*authorization/i);
    await bad.running;
    const a = await node({ name: 'KA', servers: users.url, user: 'KA', pass: 'pa' });
    const b = await node({ name: 'KB', servers: users.url, user: 'KB', pass: 'pb' });
    await a.ikc.ready;
    await b.ikc.ready;
    await until(() => a.ikc.kernels().includes('KB'), 10_000, 'KB seen');
    expect(await a.ikc.request('poe://KB/svc/echo', 'hi')).toBe('echo from KB: hi');
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('a token passes through', async () => {
    const a = await node({ name: 'TA', servers: token.url, token: 's3cret-token' });
    const b = await node({ name: 'TB', servers: token.url, token: 's3cret-token' });
    await Promise.all([a.ikc.ready, b.ikc.ready]);
    await until(() => a.ikc.kernels().includes('TB'), 10_000, 'TB seen');
    expect(await a.ikc.request('poe://TB/svc/echo', 1)).toBe('echo from TB: 1');
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('an nkey passes through', async () => {
    const authenticator = nkeyAuthenticator(user.getSeed());
    const a = await node({ name: 'NA', servers: nkey.url, authenticator });
    const b = await node({ name: 'NB', servers: nkey.url, authenticator });
    await Promise.all([a.ikc.ready, b.ikc.ready]);
    await until(() => a.ikc.kernels().includes('NB'), 10_000, 'NB seen');
    expect(await a.ikc.request('poe://NB/svc/echo', 'n')).toBe('echo from NB: n');
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('TLS with client certificates passes through; without a certificate the server refuses', async () => {
    const files = { caFile: join(certs, 'ca.pem'), certFile: join(certs, 'client.pem'), keyFile: join(certs, 'client.key') };
    const bad = await node({ name: 'XA', servers: tls.url, tls: { caFile: files.caFile }, maxReconnectAttempts: 0, timeout: 3000 });
    await expect(bad.ikc.ready).rejects.toThrow();
    expect(bad.logger.lines.join('\n')).toMatch(/cannot join NATS/);
    await bad.running;
    const a = await node({ name: 'LA', servers: tls.url, tls: files });
    const b = await node({ name: 'LB', servers: tls.url, tls: files });
    await Promise.all([a.ikc.ready, b.ikc.ready]);
    await until(() => a.ikc.kernels().includes('LB'), 10_000, 'LB seen');
    expect(await a.ikc.request('poe://LB/svc/echo', 't')).toBe('echo from LB: t');
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it("with kernelPermissions a kernel can neither read another's posts nor forge its replies", async () => {
    const a = await node({ name: 'KA', servers: users.url, user: 'KA', pass: 'pa' });
    const b = await node({ name: 'KB', servers: users.url, user: 'KB', pass: 'pb' });
    await Promise.all([a.ikc.ready, b.ikc.ready]);
    await until(() => a.ikc.kernels().includes('KB'), 10_000, 'KB seen');
    const evil = await connect({ servers: users.url, user: 'Evil', pass: 'pe' });
    const violations: string[] = [];
    void (async () => {
      for await (const s of evil.status()) if (s.type === 'error') violations.push(String(s.error));
    })();
    const stolen: string[] = [];
    // eavesdrop on KB's posts and calls, and answer KA's calls from KA's inbox
    evil.subscribe(b.ikc.subjects.kernel('KB'), { callback: (e, m) => void (e ? violations.push(String(e)) : stolen.push(m.subject)) });
    evil.subscribe(`${a.ikc.subjects.inbox('KA')}.>`, { callback: (e, m) => void (e ? violations.push(String(e)) : stolen.push(m.subject)) });
    evil.publish(`${a.ikc.subjects.inbox('KA')}.forged`, new TextEncoder().encode('{"v":1,"t":"reply","from":"KB","ok":true,"value":"forged"}'));
    await evil.flush();
    // a refused subscription is reported both to the connection and to the subscription
    const all = () => violations.join('\n');
    await until(() => /Subscription to "sec\.k\.KB"/.test(all()) && /Subscription to "sec\.r\.KA/.test(all()) && /Publish to/.test(all()), 10_000, () => `the permission violations (${all()})`);
    expect(violations.join('\n')).toMatch(/Permissions Violation for Subscription to "sec\.k\.KB"/i);
    expect(violations.join('\n')).toMatch(/Permissions Violation for Publish to "sec\.r\.KA\.forged"/i);
    expect(await a.ikc.request('poe://KB/svc/echo', 'real')).toBe('echo from KB: real');
    a.ikc.post('poe://KB/svc/echo', 'posted');
    await until(() => b.got.includes('posted'), 10_000, 'the post');
    expect(stolen).toEqual([]);
    await evil.close();
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });
});
