// Issue 15 on Server::TCP: back-pressure by default (item 15), the Logger contract and
// rate-limited refusal logging (item 13), the shared AddressMatcher (item 6).
import { connect, type Socket } from 'node:net';
import { HEAP, Kernel, ARG0, type LogContext, type LogLevel } from '@poets/kernel';
import { Netmask } from 'netmask';
import { describe, expect, it } from 'vitest';
import { AddressMatcher, DEFAULT_BACK_PRESSURE, RefusalLog, Server } from '@poets/server-tcp';
import { sleep, waitFor } from './helpers.js';

interface Logged {
  level: LogLevel;
  message: string;
  context: LogContext | undefined;
}
const capture = () => {
  const lines: Logged[] = [];
  return { lines, logger: { log: (level: LogLevel, message: string, context?: LogContext) => void lines.push({ level, message, context }) } };
};

describe('AddressMatcher (one matcher for Server::TCP, Server::NSCA and nscad)', () => {
  it('IPv4, IPv6 and IPv4-mapped peers, blocks as strings or Netmask objects, the matching block named', () => {
    const m = new AddressMatcher(['::1/128', '127.0.0.1', new Netmask('10.0.0.0/255.0.0.0'), '::ffff:192.168.0.0/112']);
    expect(m.find('127.0.0.1')).toBe('127.0.0.1');
    expect(m.find('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(m.find('::1')).toBe('::1/128');
    expect(m.find('10.1.1.1')).toBe('10.0.0.0/8');
    expect(m.find('192.168.3.4')).toBe('::ffff:192.168.0.0/112');
    expect(m.find('127.0.0.2')).toBeUndefined();
    expect(m.find('::2')).toBeUndefined();
    expect(m.find('localhost')).toBeUndefined();
    expect(() => new AddressMatcher(['::1/129'], 'allowed_hosts')).toThrow(/allowed_hosts: '::1\/129' is not a CIDR block/);
    expect(() => new AddressMatcher([42 as never])).toThrow(/neither a CIDR string nor a Netmask/);
  });
});

describe('RefusalLog', () => {
  it('logs the first refusal of each kind per peer at once, counts the rest into one summary per period', async () => {
    const { lines, logger } = capture();
    const log = new RefusalLog({ logger, periodMs: 100 });
    for (let i = 0; i < 500; i++) log.refuse({ address: '127.0.0.1', port: 1000 + i }, 'bad version', 'connection', `refused connection ${i}`);
    log.refuse({ address: '127.0.0.1', port: 2000 }, 'timeout', 'connection', 'timed out');
    log.refuse({ address: '::1', port: 3000 }, 'bad version', 'connection', 'refused v6');
    expect(lines.map((l) => l.message)).toEqual(['refused connection 0', 'timed out', 'refused v6']);
    expect(lines[0]!.context).toEqual({ peer: { address: '127.0.0.1', port: 1000 } });
    await waitFor(() => lines.length === 4, 2000, 'the summary');
    expect(lines[3]!.message).toBe('refused 499 connections from 127.0.0.1 in 1 s: bad version');
    // quiet for a whole period: forgotten, so the next refusal is logged at once again
    await waitFor(() => log.size === 0, 2000, 'the pairs to be forgotten');
    log.refuse({ address: '127.0.0.1', port: 4000 }, 'bad version', 'connection', 'again');
    expect(lines.at(-1)!.message).toBe('again');
    log.flush();
  });

  it('counts at most maxPeers pairs; further peers are summed under other peers', () => {
    const { lines, logger } = capture();
    const log = new RefusalLog({ logger, maxPeers: 3 });
    for (let i = 0; i < 10; i++) log.refuse({ address: `10.0.0.${i}` }, 'bad', 'packet', `first from ${i}`);
    expect(log.size).toBe(4);
    log.flush();
    expect(lines.map((l) => l.message)).toEqual(['first from 0', 'first from 1', 'first from 2', 'refused 7 packets from other peers in 1 s: bad']);
  });
});

describe('Server::TCP logging on the Logger contract', () => {
  it('names the component and the peer; a flood of refused clients is one line and a summary', async () => {
    const kernel = new Kernel();
    const { lines, logger } = capture();
    const server = Server.TCP({ kernel, Address: '127.0.0.1', Port: 0, cidrAllow: ['10.0.0.0/8'], ClientInput: () => {}, logger });
    const running = kernel.run();
    const port = server.port!;
    for (let i = 0; i < 100; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume();
      await new Promise((resolve) => socket.once('close', resolve));
    }
    server.shutdown();
    await running;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'notice', context: { component: 'Server::TCP', peer: { address: '127.0.0.1' } } });
    expect(lines[0]!.message).toMatch(/refused 127\.0\.0\.1 port \d+: 127\.0\.0\.1 matches no allow or cidrAllow rule$/);
    expect(lines[1]!.message).toBe('refused 99 connections from 127.0.0.1 in 1 s: 127.0.0.1 matches no allow or cidrAllow rule');
  });
});

describe('back-pressure by default (item 15)', () => {
  it('an echo server written the obvious way stays bounded against a client that sends and never reads, and loses nothing', async () => {
    const kernel = new Kernel();
    let most = 0;
    let received = 0;
    const server = Server.TCP({
      kernel,
      Address: '127.0.0.1',
      Port: 0,
      ClientInput: (_) => {
        received += (_[ARG0] as string).length + 1;
        _[HEAP].client.put(_[ARG0] as string);
        most = Math.max(most, _[HEAP].client.get_driver_out_octets());
      },
    });
    const running = kernel.run();
    const client: Socket = connect(server.port!, '127.0.0.1');
    client.on('error', () => {});
    client.pause();
    const line = `${'x'.repeat(1023)}\n`;
    const total = 40 * 1024; // lines: 40 MiB
    let written = 0;
    const pump = () => {
      while (written < total) {
        written++;
        if (!client.write(line)) return void client.once('drain', pump);
      }
    };
    pump();
    // the server stops reading once 1 MiB waits for the client: the client's writes back up
    await sleep(1500);
    expect(most).toBeLessThanOrEqual(DEFAULT_BACK_PRESSURE + 64 * 1024);
    expect(received).toBeLessThan(line.length * total / 2);
    // and once the client reads, everything comes back (each line ended CR LF by the Line filter)
    let echoed = 0;
    client.on('data', (chunk: Buffer) => (echoed += chunk.length));
    client.resume();
    const back = (line.length + 1) * total;
    await waitFor(() => echoed >= back, 60_000, 'every byte echoed');
    expect(echoed).toBe(back);
    expect(most).toBeLessThanOrEqual(DEFAULT_BACK_PRESSURE + 64 * 1024);
    client.destroy();
    server.shutdown();
    await running;
  }, 90_000);

  it('backPressure: false turns it off, a number sets the mark', () => {
    const kernel = new Kernel();
    expect(() => Server.TCP({ kernel, Port: 0, ClientInput: () => {}, backPressure: -1 })).toThrow(/backPressure must be a positive number of bytes, or false/);
    const off = Server.TCP({ kernel, Address: '127.0.0.1', Port: 0, ClientInput: () => {}, backPressure: false });
    const set = Server.TCP({ kernel, Address: '127.0.0.1', Port: 0, ClientInput: () => {}, backPressure: 4096 });
    off.shutdown();
    set.shutdown();
    expect(() => Server.TCP({ kernel, Port: 0, Acceptor: () => {}, backPressure: 10 })).toThrow(/backPressure/);
  });
});
