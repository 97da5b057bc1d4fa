// The agent's own counters against real clients: check_nrpe into NRPEServer, send_nsca into
// NSCAServer, NSCAClient into that same NSCAServer, and raw sockets sending what neither server
// takes; then /metrics (checked by promtool) and the submit_metrics snapshot must have moved by
// exactly what was done.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SettingsStore, status, type Agent, type ModuleDefinition } from '@poets/agent';
import { INIT_PACKET_SIZE, LEGACY_PACKET_SIZE, PACKET_SIZE } from '@poets/server-nsca';
import { sendNsca } from '../../../test/interop/helpers/commands.js';
import { describeWithPrograms, freePort, sleep } from '../../../test/support/index.js';
import { makeAgent, tempDir } from './helpers.js';

const run = promisify(execFile);
const CHECK_NRPE = '/usr/lib/nagios/plugins/check_nrpe';

const checks: ModuleDefinition = {
  name: 'MetricsChecks',
  load: (plugin) => plugin.registry.simple_function('check_hello', () => [status.OK, 'hello', ''], 'hello'),
};

/** Connects from `host`, writes `bytes` (after reading `skip` bytes of greeting), half-closes, and waits for the server to close. */
function rawExchange(port: number, host: string, bytes: Buffer, skip = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let read = 0;
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      socket.end(bytes);
    };
    socket.on('connect', () => skip === 0 && write());
    socket.on('data', (d: Buffer) => {
      read += d.length;
      if (read >= skip) write();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(read));
    socket.setTimeout(10_000, () => reject(new Error(`no close from ${host}:${port}`)));
  });
}

/** The samples of a Prometheus text exposition, by `name{labels}` as written. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m !== null) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describeWithPrograms([CHECK_NRPE, '/usr/sbin/send_nsca', '/usr/bin/curl', '/usr/bin/promtool'], 'the agent counters against check_nrpe and send_nsca', () => {
  let agent: Agent;
  let webPort: number;
  let nrpePort: number;
  let nscaPort: number;
  const dir = tempDir();
  const nscaCfg = (name: string, password: string) => {
    const file = join(dir, name);
    writeFileSync(file, `password=${password}\nencryption_method=1\n`);
    return file;
  };

  async function scrape(): Promise<{ text: string; values: Map<string, number> }> {
    const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-H', 'password: s3cret', `http://127.0.0.1:${webPort}/metrics`]);
    return { text: stdout, values: samples(stdout) };
  }

  beforeAll(async () => {
    [webPort, nrpePort, nscaPort] = [await freePort(), await freePort(), await freePort()];
    const text =
            // WEBServer first: the counters are the agent's, not made by whichever module loads first
      `[/modules]\nWEBServer = enabled\nMetricsChecks = enabled\nNRPEServer = enabled\nNSCAServer = enabled\nNSCAClient = enabled\n` +
      `[/settings/WEB/server]\nport = ${webPort}\nbind to = 127.0.0.1\npassword = s3cret\nallowed hosts = 127.0.0.1\n` +
      // NRPE listens on IPv4 and IPv6 but lets in 127.0.0.1 only: ::1 is a host not allowed
      `[/settings/NRPE/server]\nport = ${nrpePort}\nallowed hosts = 127.0.0.1\nuse ssl = false\n` +
      `[/settings/NSCA/server]\nport = ${nscaPort}\nbind to = 127.0.0.1\nencryption = xor\npassword = s3cret\n` +
      `[/settings/NSCA/client/targets/default]\naddress = 127.0.0.1:${nscaPort}\nencryption = xor\npassword = s3cret\n`;
    ({ agent } = makeAgent({ settings: SettingsStore.fromText(text), modules: [checks] }));
    await agent.start();
    agent.subscribe(agent.findPlugin('MetricsChecks')!, 'inbox', () => true);
  });
  afterAll(() => agent?.stop());

  it('counts what check_nrpe, send_nsca, NSCAClient and raw garbage did, on /metrics and in the snapshot', async () => {
    const before = (await scrape()).values;
    const delta = (values: Map<string, number>, key: string) => (values.get(key) ?? 0) - (before.get(key) ?? 0);

    // NRPE: two queries answered, one host not allowed, one packet that is not NRPE (18 bytes)
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(CHECK_NRPE, ['-H', '127.0.0.1', '-p', String(nrpePort), '-n', '-t', '10', '-c', 'check_hello']);
      expect(stdout).toContain('hello');
    }
    await rawExchange(nrpePort, '::1', Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    await rawExchange(nrpePort, '127.0.0.1', Buffer.from('GET / HTTP/1.0\r\n\r\n'));

    // NSCA: one connection with two checks, one with a wrong password, one with 10 bytes of garbage
    // (payload length 512: the server reads send_nsca's 4304-byte packets and NSCAClient's 720-byte ones)
    expect((await sendNsca(['-H', '127.0.0.1', '-p', String(nscaPort), '-c', nscaCfg('good.cfg', 's3cret')], 'web1\tdisk\t0\tok\x17web1\tload\t1\thigh\n')).code).toBe(0);
    await sendNsca(['-H', '127.0.0.1', '-p', String(nscaPort), '-c', nscaCfg('bad.cfg', 'wrong')], 'web1\tdisk\t0\tnever\n');
    expect(await rawExchange(nscaPort, '127.0.0.1', Buffer.from('0123456789'), INIT_PACKET_SIZE)).toBe(INIT_PACKET_SIZE);

    // NSCAClient: one result delivered (to the NSCAServer above), one to a target that does not exist
    expect(await agent.submit('NSCA', [{ command: 'svc', result: status.OK, message: 'via client', perf: '', source: 'web2' }])).toMatchObject({ success: true });
    expect(await agent.submit('NSCA', [{ command: 'svc', result: status.OK, message: 'lost', perf: '', source: 'web2', target: 'nowhere' }])).toMatchObject({ success: false });

    // the servers count a connection when it closes: wait (bounded) until the last ones are in
    let after = before;
    let text = '';
    const settled = () => delta(after, 'poets_nsca_server_sent_bytes_total') === 4 * INIT_PACKET_SIZE && delta(after, 'poets_nrpe_server_received_bytes_total') > 18;
    // Bounded: 40 scrapes, 250 ms apart.
    for (let i = 0; i < 40 && (i === 0 || !settled()); i++) {
      if (i > 0) await sleep(250);
      ({ text, values: after } = await scrape());
    }
    expect({
      nrpeAccepted: delta(after, 'poets_nrpe_server_connections_accepted_total'),
      nrpeNotAllowed: delta(after, 'poets_nrpe_server_refused_total{reason="not_allowed"}'),
      nrpeBadPacket: delta(after, 'poets_nrpe_server_refused_total{reason="bad_packet"}'),
      nscaAccepted: delta(after, 'poets_nsca_server_connections_accepted_total'),
      nscaBadVersion: delta(after, 'poets_nsca_server_refused_total{reason="bad_version"}'),
      nscaRefused: [...after.keys()].filter((k) => k.startsWith('poets_nsca_server_refused_total{')).reduce((n, k) => n + delta(after, k), 0),
      nscaTruncated: delta(after, 'poets_nsca_server_refused_total{reason="truncated"}'),
      nscaSent: delta(after, 'poets_nsca_server_sent_bytes_total'),
      clientSent: delta(after, 'poets_nsca_client_sent_total'),
      clientUnknownTarget: delta(after, 'poets_nsca_client_failed_total{reason="unknown_target"}'),
      clientQueued: after.get('poets_nsca_client_queued'),
    }).toEqual({
      nrpeAccepted: 3, // two check_nrpe, one garbage; the ::1 peer was never let in
      nrpeNotAllowed: 1,
      nrpeBadPacket: 1,
      nscaAccepted: 4, // two send_nsca, the garbage, NSCAClient
      nscaBadVersion: 1, // a wrong password decrypts to a wrong version field
      nscaTruncated: 1,
      nscaRefused: 2, // nothing else: NSCAClient's packet was taken
      nscaSent: 4 * INIT_PACKET_SIZE, // the server writes its init packet only
      clientSent: 1,
      clientUnknownTarget: 1,
      clientQueued: 0,
    });
    // bytes in: three whole packets from send_nsca, NSCAClient's one (its payload length 512: the
    // 720-byte packet), the 10 garbage bytes
    expect(delta(after, 'poets_nsca_server_received_bytes_total')).toBe(3 * PACKET_SIZE + LEGACY_PACKET_SIZE + 10);
    // NRPE bytes in: the 18 garbage bytes plus two query packets of one size (each at least a v4
    // header and the command); out: two answers, each at least a header and 'hello'
    const queries = delta(after, 'poets_nrpe_server_received_bytes_total') - 18;
    expect(queries % 2).toBe(0);
    expect(queries / 2).toBeGreaterThanOrEqual(16 + 'check_hello'.length);
    expect(delta(after, 'poets_nrpe_server_sent_bytes_total')).toBeGreaterThanOrEqual(2 * (16 + 'hello'.length));

    writeFileSync(join(dir, 'metrics.txt'), text);
    const check = await run('sh', ['-c', `promtool check metrics < ${join(dir, 'metrics.txt')}`]).catch((e: { stdout: string; stderr: string }) => e);
    const findings = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(findings.filter((l) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(l.trim()))).toEqual([]);

    // the same figures reach submit_metrics, under dotted keys, and never as poets_script_* gauges
    const snapshot = await agent.pushMetrics();
    expect(snapshot).toMatchObject({
      'nrpe.connections.accepted': '3',
      'nrpe.refused.not_allowed': '1',
      'nrpe.refused.bad_packet': '1',
      'nrpe.refused': '2',
      'nsca.server.connections.accepted': '4',
      'nsca.server.refused.bad_version': '1',
      'nsca.server.refused.truncated': '1',
      'nsca.server.bytes.sent': String(4 * INIT_PACKET_SIZE),
      'nsca.client.sent': '1',
      'nsca.client.failed.unknown_target': '1',
      'nsca.client.queued': '0',
    });
    expect(Number(snapshot['kernel.events.dispatched'])).toBeGreaterThan(0);
    expect(text).not.toMatch(/^poets_script_(kernel|nrpe|nsca)_/m);
  }, 60_000);
});
