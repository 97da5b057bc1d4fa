// Issue 15 items 6, 9, 10, 12, 13, 14 on ServerNSCA and Nscad: IPv6 access lists and listening,
// a HUP that moves the port, strict_fields, bounded refusal logging, descriptor shedding.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel, Session, KERNEL, ARG0, type EventArgs } from '@poets/kernel';
import { Netmask } from 'netmask';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NscaDecoder, Nscad, ServerNSCA, type NSCAResult, type NscadOptions } from '../src/index.js';
import { AccessList } from '../src/server/access.js';
import { RawClient, closed } from './helpers/raw-client.js';
import { sleep, until } from '../../../test/support/index.js';

const PASSWORD = 'hardening-pw';

let dir: string;
const running: Nscad[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'poets-hardening-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => Promise.race([d.stop().catch(() => {}), sleep(3000)])));
  rmSync(dir, { recursive: true, force: true });
});

const cmdPath = () => join(dir, 'nagios.cmd');
const lines = (): string[] => (existsSync(cmdPath()) ? readFileSync(cmdPath(), 'latin1').split('\n').slice(0, -1).map((l) => l.replace(/^\[\d+\] /, '')) : []);

function config(extra: Record<string, string | number> = {}): string {
  const entries = { server_address: '127.0.0.1', server_port: 0, password: PASSWORD, decryption_method: 1, command_file: cmdPath(), append_to_file: 1, ...extra };
  return Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

function start(options: NscadOptions) {
  writeFileSync(cmdPath(), '');
  const logs: string[] = [];
  const daemon = Nscad.start({ log: (l) => logs.push(l), ...options });
  running.push(daemon);
  return { daemon, logs, port: daemon.address()!.port! };
}

async function send(port: number, checks: Parameters<RawClient['packet']>[0][], host = '127.0.0.1'): Promise<void> {
  const client = await RawClient.open(port, 1, PASSWORD, host);
  client.send(...checks.map((c) => client.packet(c)));
  await client.finish();
}

function harness(options: Partial<Parameters<typeof ServerNSCA.spawn>[0]> = {}) {
  const kernel = new Kernel();
  const logs: string[] = [];
  const results: NSCAResult[] = [];
  const server = ServerNSCA.spawn({ kernel, password: PASSWORD, encryption: 1, address: '127.0.0.1', port: 0, log: (l) => logs.push(l), ...options });
  Session.create({
    kernel,
    inline_states: {
      _start: (_: EventArgs) => void _[KERNEL].post(server.session_id(), 'register', 'event', 'got'),
      got: (_: EventArgs) => void results.push(_[ARG0] as NSCAResult),
    },
  });
  const done = kernel.run();
  return { kernel, server, logs, results, done, port: server.getsockname()!.port! };
}

function open(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    socket.on('error', () => {});
    socket.resume();
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('access lists with IPv6 blocks (item 6)', () => {
  it('matches IPv4, IPv6 and IPv4-mapped peers, each against its own family, Netmask objects too', () => {
    const list = new AccessList(['::1/128', '127.0.0.1', new Netmask('10.0.0.0/8'), '2001:db8::/32']);
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('::ffff:127.0.0.1')).toBe(true);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('10.9.8.7')).toBe(true);
    expect(list.allows('::ffff:10.9.8.7')).toBe(true);
    expect(list.allows('2001:db8::1')).toBe(true);
    expect(list.allows('127.0.0.2')).toBe(false);
    expect(list.allows('::2')).toBe(false);
    expect(list.allows('not an address')).toBe(false);
    expect(() => new AccessList(['10.0.0.0/33'])).toThrow(/access: '10\.0\.0\.0\/33' is not a CIDR block/);
  });

  it('poets-nscad with allowed_hosts=::1/128,127.0.0.1 serves an IPv4 client (it used to die on it)', async () => {
    const { daemon, logs, port } = start({ configText: config({ allowed_hosts: '::1/128,127.0.0.1' }) });
    await send(port, [{ host_name: 'v4', return_code: 0, plugin_output: 'in' }]);
    await until(() => lines().length === 1, 5000, 'the IPv4 check');
    await daemon.stop();
    expect(lines()).toEqual(['PROCESS_HOST_CHECK_RESULT;v4;0;in']);
    expect(logs.filter((l) => /died|Invalid/.test(l))).toEqual([]);
  });
});

describe('IPv6 listening (item 9)', () => {
  it('server_address=::1 listens on IPv6 loopback and takes checks over ::1', async () => {
    const { daemon, logs, port } = start({ configText: config({ server_address: '::1', allowed_hosts: '::1/128' }) });
    expect(daemon.address()).toMatchObject({ address: '::1' });
    await until(() => logs.length > 0, 3000, 'the listening line');
    expect(logs[0]).toMatch(new RegExp(`^nscad: listening on \\[::1\\]:${port} `));
    await send(port, [{ host_name: 'v6', return_code: 1, plugin_output: 'over ::1' }], '::1');
    await until(() => lines().length === 1, 5000, 'the IPv6 check');
    await daemon.stop();
    expect(lines()).toEqual(['PROCESS_HOST_CHECK_RESULT;v6;1;over ::1']);
  });

  it('server_address=:: is dual-stack: IPv4 peers are checked by their IPv4 address', async () => {
    const { daemon, port } = start({ configText: config({ server_address: '::', allowed_hosts: '127.0.0.1/32,::1' }) });
    await send(port, [{ host_name: 'six', return_code: 0, plugin_output: 'v6' }], '::1');
    await send(port, [{ host_name: 'four', return_code: 0, plugin_output: 'v4' }], '127.0.0.1');
    await until(() => lines().length === 2, 5000, 'both checks');
    await daemon.stop();
    expect(lines().sort()).toEqual(['PROCESS_HOST_CHECK_RESULT;four;0;v4', 'PROCESS_HOST_CHECK_RESULT;six;0;v6']);
  });
});

describe('a HUP that changes the port (item 10)', () => {
  it('listens on the new port and keeps serving the connections already open, as on a password change', async () => {
    const path = join(dir, 'nsca.cfg');
    writeFileSync(path, config());
    const { daemon, logs, port } = start({ configPath: path });
    const early = await RawClient.open(port, 1, PASSWORD);
    early.send(early.packet({ host_name: 'early', return_code: 0, plugin_output: 'before HUP' }));
    await until(() => lines().length === 1, 5000, 'the first check');
    writeFileSync(path, config({ server_port: 0, server_address: '127.0.0.2' }));
    daemon.kernel.signal(daemon.kernel, 'HUP');
    await until(() => logs.some((l) => /HUP: configuration re-read/.test(l)), 5000, 'the HUP');
    const moved = daemon.address()!;
    expect(moved.address).toBe('127.0.0.2');
    // the open connection is still served
    early.send(early.packet({ host_name: 'early', return_code: 0, plugin_output: 'after HUP, same connection' }));
    await early.finish();
    const fresh = await RawClient.open(moved.port!, 1, PASSWORD, '127.0.0.2');
    fresh.send(fresh.packet({ host_name: 'new', return_code: 0, plugin_output: 'new port' }));
    await fresh.finish();
    await until(() => lines().length === 3, 5000, 'three checks');
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
    await daemon.stop();
    expect(lines()).toEqual([
      'PROCESS_HOST_CHECK_RESULT;early;0;before HUP',
      'PROCESS_HOST_CHECK_RESULT;early;0;after HUP, same connection',
      'PROCESS_HOST_CHECK_RESULT;new;0;new port',
    ]);
    expect(logs.filter((l) => new RegExp(`listening on 127\\.0\\.0\\.2:${moved.port}`).test(l))).toHaveLength(1);
  });
});

describe('strict_fields (item 12)', () => {
  const forged = [
    { host_name: 'web1;1;forged', svc_description: 'HTTP', return_code: 0, plugin_output: 'semicolon in the host' },
    { host_name: 'web1', svc_description: 'HT\x01TP', return_code: 0, plugin_output: 'control character in the service' },
    { host_name: 'web1', svc_description: 'HTTP', return_code: 0, plugin_output: '\\'.repeat(4095) },
    { host_name: 'web1', svc_description: 'HTTP', return_code: 0, plugin_output: 'fine; a semicolon in the output is one field' },
  ];

  it('is on in the built-in config: refuses ; and control characters in names and lines over max_line_length, each logged', async () => {
    const builtIn = (await import('../src/index.js')).DEFAULT_CONFIG;
    expect(builtIn).toMatch(/^strict_fields=1$/m);
    const { daemon, logs, port } = start({ configText: builtIn.replace(/server_port=\d+/, 'server_port=0') + `command_file=${cmdPath()}\nappend_to_file=1\n`.replace('password=poets', ''), json: false });
    const client = await RawClient.open(port, 1, 'poets');
    client.send(...forged.map((c) => client.packet(c)));
    await client.finish();
    await until(() => lines().length === 1 && logs.filter((l) => /strict_fields/.test(l)).length === 3, 5000, 'one line and three refusals');
    await daemon.stop();
    expect(lines()).toEqual(['PROCESS_SERVICE_CHECK_RESULT;web1;HTTP;0;fine; a semicolon in the output is one field']);
    const refusals = logs.filter((l) => /strict_fields/.test(l));
    expect(refusals[0]).toMatch(/^nscad: 127\.0\.0\.1:\d+ refused a check \(strict_fields\): the host name holds ';'$/);
    expect(refusals[1]).toMatch(/the service description holds control character 0x01$/);
    expect(refusals[2]).toMatch(/its command line is 8\d{3} bytes, over max_line_length 8190$/);
  });

  it('is off for an nsca.cfg that does not set it: the checks are written as nsca writes them', async () => {
    const { daemon, port } = start({ configText: config() });
    await send(port, forged);
    await until(() => lines().length === 4, 5000, 'four lines');
    await daemon.stop();
    expect(lines()[0]).toBe('PROCESS_SERVICE_CHECK_RESULT;web1;1;forged;HTTP;0;semicolon in the host');
  });

  it('max_line_length sets the cap', async () => {
    const { daemon, logs, port } = start({ configText: config({ strict_fields: 1, max_line_length: 100 }) });
    await send(port, [{ host_name: 'h', return_code: 0, plugin_output: 'x'.repeat(200) }, { host_name: 'h', return_code: 0, plugin_output: 'short' }]);
    await until(() => lines().length === 1 && logs.some((l) => /over max_line_length 100/.test(l)), 5000, 'the cap');
    await daemon.stop();
    expect(lines()).toEqual(['PROCESS_HOST_CHECK_RESULT;h;0;short']);
  });
});

describe('bounded logging (item 13)', () => {
  it('closes a connection after 3 refused packets, logging the first at once and the rest in a summary', async () => {
    const h = harness();
    const client = await RawClient.open(h.port, 1, 'wrong password');
    const packets = Array.from({ length: 10 }, () => client.packet({ host_name: 'x', return_code: 0, plugin_output: 'x' }));
    client.socket.write(Buffer.concat(packets));
    await closed(client.socket);
    await until(() => h.logs.some((l) => /closing the connection after 3 refused packets/.test(l)), 3000, 'the close');
    h.server.shutdown();
    await h.done;
    expect(h.logs).toHaveLength(3);
    expect(h.logs[0]).toMatch(/^nsca: 127\.0\.0\.1:\d+ refused a packet: /);
    expect(h.logs[1]).toMatch(/^nsca: 127\.0\.0\.1:\d+ closing the connection after 3 refused packets$/);
    expect(h.logs[2]).toMatch(/^nsca: refused 2 packets from 127\.0\.0\.1 in \d+ s: bad version$/);
  });

  it('a flood of refused connections from one peer is one line at once and one summary per period', async () => {
    const h = harness({ access: ['10.0.0.0/8'], refusalPeriod: 0.3 });
    for (let i = 0; i < 200; i++) await closed((await open(h.port).catch(() => undefined)) ?? connect(h.port, '127.0.0.1').on('error', () => {}));
    await until(() => h.logs.some((l) => /refused \d+ connections from 127\.0\.0\.1 in \d+ s: not in the access list/.test(l)), 3000, 'a summary');
    h.server.shutdown();
    await h.done;
    expect(h.logs[0]).toMatch(/^nsca: 127\.0\.0\.1:\d+ refused connection: not in the access list$/);
    const summaries = h.logs.slice(1).map((l) => /^nsca: refused (\d+) connections? from 127\.0\.0\.1 in \d+ s: not in the access list$/.exec(l));
    expect(summaries.every((m) => m !== null)).toBe(true);
    expect(summaries.reduce((n, m) => n + Number(m![1]), 0)).toBe(199);
    expect(h.logs.length).toBeLessThan(20);
  });

  it('names the peer of a connection reset mid-packet', async () => {
    const h = harness();
    const client = await RawClient.open(h.port, 1, PASSWORD);
    client.socket.write(client.packet({ host_name: 'x', return_code: 0, plugin_output: 'x' }).subarray(0, 100));
    await sleep(50);
    client.socket.resetAndDestroy();
    await until(() => h.logs.length >= 1, 3000, 'the reset line');
    h.server.shutdown();
    await h.done;
    expect(h.logs[0]).toMatch(new RegExp(`^nsca: 127\\.0\\.0\\.1:${client.socket.localPort ?? '\\d+'} (read error|refused a packet)`));
  });
});

describe('descriptor exhaustion (item 14)', () => {
  it('at its connection budget closes the oldest connection without a complete packet, so a real client gets in', async () => {
    const h = harness({ maxConnections: 20 });
    // 25 idle connections against a budget of 20: past it, the oldest are closed to make room
    const idle: Socket[] = [];
    for (let i = 0; i < 25; i++) idle.push(await open(h.port));
    await until(() => idle.filter((s) => s.destroyed).length >= 5, 3000, 'five idle connections closed');
    // each good client gets in (the oldest idle one left making room) and is served
    for (let i = 0; i < 5; i++) await send(h.port, [{ host_name: `good${i}`, return_code: 0, plugin_output: 'served' }]);
    await until(() => h.results.length === 5, 5000, 'five good clients');
    const closedCount = idle.filter((s) => s.destroyed).length;
    // the ones closed are the oldest, in order
    expect(idle.map((s) => s.destroyed)).toEqual([...Array(closedCount).fill(true), ...Array(25 - closedCount).fill(false)]);
    expect(25 - closedCount).toBeLessThan(20);
    h.server.shutdown();
    await h.done;
    expect(h.results.map((r) => r.host_name)).toEqual(['good0', 'good1', 'good2', 'good3', 'good4']);
    expect(h.logs[0]).toMatch(/^nsca: 127\.0\.0\.1:\d+ descriptors exhausted \(\d+ connections open, .*\): closing the oldest connection without a complete packet$/);
    expect(h.logs.at(-1)).toMatch(new RegExp(`^nsca: refused ${closedCount - 1} connections from 127\\.0\\.0\\.1 in \\d+ s: descriptors exhausted$`));
    expect(h.logs).toHaveLength(2);
    for (const s of idle) s.destroy();
  });
});

describe('an accept that fails for lack of descriptors (item 14)', () => {
  it('closes the oldest connection without a packet and goes on listening (it used to shut the server down)', async () => {
    const h = harness();
    const idle = [await open(h.port), await open(h.port)];
    await sleep(50);
    // what SocketFactory reports when accept() fails with EMFILE
    const { EMFILE } = (await import('node:os')).constants.errno;
    h.kernel.call(h.server.session_id(), 'nsca_listen_failed', 'accept', EMFILE, 'accept EMFILE: too many open files', 0);
    await until(() => idle[0]!.destroyed, 3000, 'the oldest idle connection closed');
    expect(idle[1]!.destroyed).toBe(false);
    await send(h.port, [{ host_name: 'after', return_code: 0, plugin_output: 'still listening' }]);
    await until(() => h.results.length === 1, 3000, 'a check after the failed accept');
    h.server.shutdown();
    await h.done;
    expect(h.logs[0]).toMatch(/^nsca: 127\.0\.0\.1:\d+ descriptors exhausted \(accept EMFILE: too many open files\): closing the oldest connection without a complete packet$/);
    idle[1]!.destroy();
  });
});

describe('memory under attack (item 16)', () => {
  it('a connection that has sent nothing holds no packet buffer or keystream (taken at its first byte)', () => {
    const iv = Buffer.alloc(128, 7);
    const before = process.memoryUsage().arrayBuffers;
    const idle = Array.from({ length: 1000 }, () => new NscaDecoder(1, PASSWORD, iv));
    const grown = process.memoryUsage().arrayBuffers - before;
    // each would hold 8.6 KB (a 4,304-byte frame and a 4,304-byte XOR keystream): 8.6 MB for 1,000
    expect(grown).toBeLessThan(1_000_000);
    expect(idle.map((d) => d.pending)).toEqual(Array(1000).fill(0));
    // and one that starts a packet decodes as before
    const decoder = idle[0]!;
    expect(decoder.push(Buffer.alloc(100))).toEqual([]);
    expect(decoder.pending).toBe(100);
    for (const d of idle) d.dispose();
  });
});
