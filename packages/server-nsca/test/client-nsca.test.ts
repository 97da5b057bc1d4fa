import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it } from 'vitest';
import { ARG0, ARG1, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import {
  ClientNSCA,
  LEGACY_PACKET_SIZE,
  NscaSendError,
  PACKET_SIZE,
  UnsupportedMethodError,
  parseInitPacket,
  encodeInitPacket,
  sendCheck,
  sendChecks,
  supportedMethods,
  type ClientNSCAResult,
  type NscaCheck,
} from '../src/index.js';
import { CAPTURE_IV, CAPTURE_TIMESTAMP, startCaptureServer, type CaptureServer } from './helpers/capture-server.js';
import { freePort as closedPort, runBounded } from '../../../test/support/index.js';

const PASSWORD = 'Secr3t!pw';

const servers: CaptureServer[] = [];
async function capture(options?: Parameters<typeof startCaptureServer>[0]): Promise<CaptureServer> {
  const server = await startCaptureServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const checks: NscaCheck[] = [
  { host_name: 'web01', svc_description: 'HTTP', return_code: 0, plugin_output: 'HTTP OK - 200 in 0.01 s|time=0.01' },
  { host_name: 'web01', return_code: 1, plugin_output: 'host is slow' },
  { host_name: 'db01', svc_description: 'Disk /', return_code: 2, plugin_output: 'DISK CRITICAL\nline two; with | pipes' },
];

describe('init packet', () => {
  it('reads and writes the IV and the timestamp', () => {
    const packet = encodeInitPacket(CAPTURE_IV, CAPTURE_TIMESTAMP);
    expect(packet.length).toBe(132);
    expect(parseInitPacket(packet)).toEqual({ iv: CAPTURE_IV, timestamp: CAPTURE_TIMESTAMP });
    expect(() => parseInitPacket(packet.subarray(0, 131))).toThrow(RangeError);
  });
});

describe('sendChecks (Promise helper)', () => {
  it('sends many checks over one connection, stamped with the init packet timestamp', async () => {
    const server = await capture();
    const results = await sendChecks({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1 }, checks);
    expect(results.map((r) => [r.success, r.timestamp, r.host, r.port])).toEqual(checks.map(() => [true, CAPTURE_TIMESTAMP, '127.0.0.1', server.port]));
    await server.waitFor(1);
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0]!.bytes.length).toBe(3 * PACKET_SIZE);
    const packets = server.packets(0, 1, PASSWORD);
    expect(packets.map((p) => [p.host_name, p.svc_description, p.return_code, p.plugin_output, p.timestamp, p.legacy])).toEqual(
      checks.map((c) => [c.host_name, c.svc_description, c.return_code, c.plugin_output, CAPTURE_TIMESTAMP, false]),
    );
  });

  it.each(supportedMethods())('works with encryption method %i (one stream across packets)', async (method) => {
    const server = await capture();
    await sendChecks({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: method }, checks.slice(0, 2));
    await server.waitFor(1);
    expect(server.packets(0, method, PASSWORD).map((p) => p.host_name)).toEqual(['web01', 'web01']);
  });

  it('adds timeOffset to the init packet timestamp each packet carries; refuses a fractional offset', async () => {
    const server = await capture();
    const [result] = await sendChecks({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1, timeOffset: -3600 }, [checks[0]!]);
    expect(result!.timestamp).toBe(CAPTURE_TIMESTAMP - 3600);
    await server.waitFor(1);
    expect(server.packets(0, 1, PASSWORD).map((p) => p.timestamp)).toEqual([CAPTURE_TIMESTAMP - 3600]);
    expect(() => ClientNSCA.spawn({ host: '127.0.0.1', password: '', encryption: 1, timeOffset: 0.5, kernel: new Kernel() })).toThrow(/timeOffset must be a whole number/);
  });

  it('sends bytes as they are and truncates as send_nsca does', async () => {
    const server = await capture();
    const host = Buffer.from([0x68, 0xff, 0xfe]);
    await sendCheck({ host: '127.0.0.1', port: server.port, password: '', encryption: 0 }, { host_name: host, svc_description: 's'.repeat(300), return_code: 70000, plugin_output: 'o'.repeat(5000) });
    await server.waitFor(1);
    const [packet] = server.packets(0, 0, '');
    expect(packet!.raw.host_name).toEqual(host);
    expect(packet!.raw.svc_description.length).toBe(127);
    expect(packet!.raw.plugin_output.length).toBe(4095);
    expect(packet!.return_code).toBe(4464);
  });

  it('rejects with NscaSendError holding every result when the connection is refused', async () => {
    const port = await closedPort();
    const error = await sendChecks({ host: '127.0.0.1', port, password: PASSWORD, encryption: 1 }, checks).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NscaSendError);
    const { results } = error as NscaSendError;
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.success).toBe(false);
      expect(r.error).toMatch(new RegExp(`^Error: Could not connect to host 127\\.0\\.0\\.1 on port ${port} \\(connect error \\d+: Connection refused`));
    }
  });

  it('times out on a server that never sends its init packet', async () => {
    const server = await capture({ mode: 'silent' });
    const started = Date.now();
    const error = (await sendCheck({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1, timeout: 0.3 }, checks[0]!).catch((e: unknown) => e)) as NscaSendError;
    // The message names the 0.3 s given (not the default 10 s); timers never fire early.
    expect(error.results[0]!.error).toBe('Error: Socket timeout after 0.3 seconds.');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('fails on a short init packet', async () => {
    const server = await capture({ mode: 'short', initBytes: 10 });
    const error = (await sendCheck({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1 }, checks[0]!).catch((e: unknown) => e)) as NscaSendError;
    expect(error.results[0]!.error).toBe('Error: Server closed connection before init packet was received (10 of 132 bytes)');
  });

  it('refuses bad options at once', async () => {
    await expect(sendChecks({ host: '', password: 'x', encryption: 1 }, checks)).rejects.toThrow(TypeError);
    await expect(sendChecks({ host: '127.0.0.1', password: 'x', encryption: 7 }, checks)).rejects.toThrow(UnsupportedMethodError);
    await expect(sendChecks({ host: '127.0.0.1', password: 'x', encryption: 1, timeout: 0 }, checks)).rejects.toThrow(RangeError);
  });

  it('gives a bad message an error result without connecting', async () => {
    const server = await capture();
    const bad = { host_name: '', return_code: 0, plugin_output: 'x' };
    const error = (await sendChecks({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1 }, [bad, checks[0]!]).catch((e: unknown) => e)) as NscaSendError;
    expect(error.results.map((r) => r.success)).toEqual([false, true]);
    expect(error.results[0]!.error).toBe('Error: bad message: message.host_name is mandatory (a non-empty string)');
  });

  it('in legacy mode sends 720-byte packets, one connection per check', async () => {
    const server = await capture();
    await sendChecks({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 3, legacy: true }, checks);
    await server.waitFor(3);
    expect(server.connections.map((c) => c.bytes.length)).toEqual([LEGACY_PACKET_SIZE, LEGACY_PACKET_SIZE, LEGACY_PACKET_SIZE]);
    expect(server.connections.map((_, i) => server.packets(i, 3, PASSWORD)[0]!.host_name)).toEqual(['web01', 'web01', 'db01']);
    expect(server.packets(0, 3, PASSWORD)[0]!.legacy).toBe(true);
  });
});

type Heap = { results: [ClientNSCAResult, unknown][] };

describe('ClientNSCA, the POE way', () => {
  it('spawn: send_nsca events, result events with ARG0 the result hash and ARG1 the context', async () => {
    const server = await capture();
    const kernel = new Kernel();
    const nsca = ClientNSCA.spawn({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 14, alias: 'nsca', kernel });
    const observed: boolean[] = [];
    let completed = false;
    nsca.results$.subscribe({ next: (r) => observed.push(r.success), complete: () => (completed = true) });
    const results: [ClientNSCAResult, unknown][] = [];
    Session.create<Heap>({
      kernel,
      heap: { results },
      inline_states: {
        _start: (_: EventArgs<Heap>) => {
          checks.forEach((message, i) => _[KERNEL].post('nsca', 'send_nsca', { event: 'got_result', message, context: { n: i } }));
          // POE's key/value form too.
          _[KERNEL].post(nsca.session_id(), 'send', 'event', 'got_result', 'message', checks[0], 'context', 'pairs');
        },
        got_result: (_: EventArgs<Heap>) => {
          results.push([_[ARG0] as ClientNSCAResult, _[ARG1]]);
        },
      },
    });
    await runBounded(kernel);
    expect(results.map(([r, context]) => [r.success, r.message, r.context, context])).toEqual([
      [true, checks[0], { n: 0 }, { n: 0 }],
      [true, checks[1], { n: 1 }, { n: 1 }],
      [true, checks[2], { n: 2 }, { n: 2 }],
      [true, checks[0], 'pairs', 'pairs'],
    ]);
    // Only its alias held the component: it went away with the program's work, as in POE.
    expect([observed, completed]).toEqual([[true, true, true, true], true]);
    await server.waitFor(1);
    expect(server.connections).toHaveLength(1);
    expect(server.packets(0, 14, PASSWORD)).toHaveLength(4);
  });

  it('send_nsca (the Perl constructor): one check, result to the calling session, then gone', async () => {
    const server = await capture();
    const kernel = new Kernel();
    const results: [ClientNSCAResult, unknown][] = [];
    Session.create<Heap>({
      kernel,
      heap: { results },
      inline_states: {
        _start: () => {
          ClientNSCA.send_nsca({ host: '127.0.0.1', port: server.port, event: '_result', password: 'moocow', encryption: 1, message: checks[1]!, context: 'moo' });
        },
        _result: (_: EventArgs<Heap>) => {
          results.push([_[ARG0] as ClientNSCAResult, _[ARG1]]);
        },
      },
    });
    await runBounded(kernel);
    expect(results).toHaveLength(1);
    expect(results[0]![0]).toMatchObject({ host: '127.0.0.1', success: true, message: checks[1], context: 'moo', timestamp: CAPTURE_TIMESTAMP });
    expect(results[0]![1]).toBe('moo');
    await server.waitFor(1);
    expect(server.packets(0, 1, 'moocow')[0]!.svc_description).toBeUndefined();
  });

  it('reports connection refused as error results and the kernel runs on', async () => {
    const port = await closedPort();
    const kernel = new Kernel();
    const results: [ClientNSCAResult, unknown][] = [];
    Session.create<Heap>({
      kernel,
      heap: { results },
      inline_states: {
        _start: () => {
          ClientNSCA.send_nsca({ host: '127.0.0.1', port, event: '_result', password: 'x', encryption: 1, message: checks[0]!, context: 1 });
        },
        _result: (_: EventArgs<Heap>) => {
          results.push([_[ARG0] as ClientNSCAResult, _[ARG1]]);
        },
      },
    });
    await runBounded(kernel);
    expect(results[0]![0].success).toBe(false);
    expect(results[0]![0].error).toMatch(/Connection refused/);
  });

  it('opens a new connection for checks that come after one closed; shutdown refuses new checks', async () => {
    const server = await capture();
    const kernel = new Kernel();
    const nsca = ClientNSCA.spawn({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 2, kernel });
    const first = await nsca.send(checks[0]!, 'first');
    await server.waitFor(1);
    const second = await nsca.send(checks[1]!);
    await server.waitFor(2);
    expect([first.success, first.context, second.success]).toEqual([true, 'first', true]);
    expect(server.connections).toHaveLength(2);
    nsca.shutdown();
    const late = await nsca.send(checks[2]!);
    expect(late).toMatchObject({ success: false });
    await runBounded(kernel);
  });

  it('keeps a requester alive until its result, and ignores requests without an event', async () => {
    const server = await capture();
    const warnings: string[] = [];
    const kernel = new Kernel({ warn: (line) => warnings.push(line) });
    const nsca = ClientNSCA.spawn({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1, kernel });
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].post(nsca.session_id(), 'send_nsca', { message: checks[0] });
          nsca.send_nsca({ event: 'done', message: checks[0]! });
        },
        done: (_) => {
          got.push((_[ARG0] as ClientNSCAResult).success);
          nsca.shutdown();
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([true]);
    expect(warnings.join('\n')).toMatch(/without an event name/);
  });

  it('needs a session to answer outside a session (as the Perl constructor croaks)', async () => {
    const kernel = new Kernel();
    expect(() => ClientNSCA.send_nsca({ host: '127.0.0.1', port: 1, event: 'x', password: '', encryption: 0, message: checks[0]!, kernel })).toThrow(TypeError);
    const nsca = ClientNSCA.spawn({ host: '127.0.0.1', port: 1, password: '', encryption: 0, kernel });
    expect(() => nsca.send_nsca({ event: 'x', message: checks[0]! })).toThrow(TypeError);
    nsca.shutdown();
    await runBounded(kernel);
  });

  it('fails the checks in flight when the server resets the connection', async () => {
    const server = await capture({ mode: 'reset', resetAfterMs: 0 });
    const kernel = new Kernel();
    const nsca = ClientNSCA.spawn({ host: '127.0.0.1', port: server.port, password: PASSWORD, encryption: 1, kernel, timeout: 2 });
    // Many big checks so that some are still being written when the reset comes, or the init never arrives.
    const many = Array.from({ length: 200 }, (_, i) => ({ host_name: `h${i}`, return_code: 0, plugin_output: 'x'.repeat(4000) }));
    const results = await Promise.all(many.map((c) => nsca.send(c)));
    nsca.shutdown();
    await runBounded(kernel);
    // Whatever the timing, every check has exactly one result and nothing threw.
    expect(results).toHaveLength(200);
    for (const r of results) if (!r.success) expect(r.error).toMatch(/^Error: /);
  });
});
