import { createSocket, type Socket } from 'node:dgram';
import { ARG0, ARG1, KERNEL, Kernel, Session, type LogContext, type Logger } from '@poets/kernel';
import { SNMPSession, SNMPTrapReceiver, type SNMPRequestInfo, type SNMPResponse, type SNMPTrap } from '@poets/snmp-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, within, type TestAgent } from './helpers.js';

/**
 * A garbage "agent" on 127.0.0.1: to every datagram it answers with 64 pseudo-random bytes, a
 * truncated BER packet (the first half of what it received, a SEQUENCE whose length overruns)
 * and a BER SEQUENCE header claiming more bytes than follow.
 */
async function startGarbageAgent(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  let received = 0;
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  socket.on('message', (msg, rinfo) => {
    received++;
    const noise = Buffer.from(Array.from({ length: 64 }, random));
    socket.send(noise, rinfo.port, rinfo.address);
    socket.send(msg.subarray(0, Math.max(2, msg.length >> 1)), rinfo.port, rinfo.address);
    socket.send(Buffer.from([0x30, 0x82, 0x7f, 0xff, 0x02, 0x01, 0x01]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return { port: socket.address().port, received: () => received, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

let agent: TestAgent;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.close();
});

describe('bad input', () => {
  it('an agent answering garbage: every request is an error callback; another session keeps being served throughout', async () => {
    const garbage = await startGarbageAgent();
    const kernel = new Kernel();
    const logged: { message: string; context?: LogContext }[] = [];
    const logger: Logger = { log: (_level, message, context) => void logged.push({ message, ...(context ? { context } : {}) }) };
    const bad: { at: number; info: SNMPRequestInfo; result: unknown }[] = [];
    const good: { at: number; result: unknown }[] = [];
    const BAD_REQUESTS: unknown[][] = [
      ['get', 'sysName.0'],
      ['getnext', 'sysName'],
      ['getbulk', 0, 5, 'ifDescr'],
      ['bulkwalk', 0, 5, 'ifTable'],
      ['walk', 'system'],
      ['set', 'sysContact.0', 'x'],
    ];
    const MAX_GOOD = 1000;
    let started = 0;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          started = Date.now();
          SNMPSession.create({ Alias: 'bad', DestHost: '127.0.0.1', RemotePort: garbage.port, Version: '2c', Timeout: 150_000, Retries: 1, kernel, logger });
          SNMPSession.create({ Alias: 'good', DestHost: '127.0.0.1', RemotePort: agent.port, Version: '2c', Timeout: 500_000, Retries: 1, kernel });
          for (const [command, ...args] of BAD_REQUESTS) _[KERNEL].post('bad', command as string, 'bad_answer', ...args);
          _[KERNEL].post('good', 'get', 'good_answer', 'sysName.0');
        },
        bad_answer: (_) => {
          bad.push({ at: Date.now(), info: _[ARG0] as SNMPRequestInfo, result: (_[ARG1] as SNMPResponse)[0] });
          if (bad.length === BAD_REQUESTS.length) _[KERNEL].post('bad', 'finish');
        },
        good_answer: (_) => {
          const result = (_[ARG1] as SNMPResponse)[0];
          good.push({ at: Date.now(), result });
          // keep asking, every 5 ms, until every bad request has been answered (bounded in count)
          if (bad.length < BAD_REQUESTS.length && good.length < MAX_GOOD && result !== undefined) _[KERNEL].delay('next_good', 0.005);
          else _[KERNEL].post('good', 'finish');
        },
        next_good: (_) => {
          _[KERNEL].post('good', 'get', 'good_answer', 'sysName.0');
        },
      },
    });
    try {
      await within(kernel.run(), 5000, 'kernel.run');
    } finally {
      await garbage.close();
    }
    expect(bad).toHaveLength(BAD_REQUESTS.length);
    for (const answer of bad) {
      expect(answer.result).toBeUndefined();
      // net-snmp drops what it cannot decode (the session's 'error' event): the request times out
      expect(answer.info[2].ErrorStr).toBe('Timeout');
    }
    expect(bad.map((a) => a.info[3]).sort()).toEqual(BAD_REQUESTS.map((r) => r[0]).sort());
    // the garbage agent was asked (first try and retry) for each request
    expect(garbage.received()).toBeGreaterThanOrEqual(BAD_REQUESTS.length * 2);
    // the good session was served all along: every answer a value, and answers spread over the bad requests' lifetime
    expect(good.length).toBeGreaterThan(10);
    expect(good.length).toBeLessThan(MAX_GOOD);
    expect(good.every((g) => Array.isArray(g.result) && (g.result as unknown[][])[0]![2] === 'agent.test')).toBe(true);
    // every undecodable answer is refused with a logged reason naming the peer, rate-limited:
    // 3 garbage answers per request reached the socket, a few lines were written
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThan(garbage.received());
    for (const line of logged) expect(line.context).toMatchObject({ component: 'SNMP::Session', peer: { address: '127.0.0.1', port: garbage.port } });
    expect(logged[0]!.message).toMatch(/^socket error: /);
    const lastBad = Math.max(...bad.map((a) => a.at));
    expect(good.filter((g) => g.at >= started + 100 && g.at <= lastBad).length).toBeGreaterThan(0);
  }, 10_000);

  it('trap receiver: a wrong community and a wrong v3 password reach errors$, not the registered sessions', async () => {
    const kernel = new Kernel();
    const V3USER = { SecName: 'trapuser', SecLevel: 'authPriv', AuthProto: 'SHA', AuthPass: 'trapauthpass', PrivProto: 'AES', PrivPass: 'trapprivpass' };
    const r = SNMPTrapReceiver.create({ Alias: 'bad-input-traps', Port: 0, Community: 'public', Users: [V3USER], kernel });
    for (let i = 0; i < 100 && r.port() === undefined; i++) await new Promise((ok) => setTimeout(ok, 10));
    const port = r.port()!;
    const errors: Error[] = [];
    const subscription = r.errors$.subscribe((e) => errors.push(e));
    const seen: SNMPTrap[] = [];
    const common = { DestHost: '127.0.0.1', RemotePort: port, Timeout: 300_000, Retries: 0, kernel };
    const wrongCommunity = SNMPSession.create({ ...common, Alias: 'wrong-community', Version: '2c', Community: 'private' });
    const wrongPassword = SNMPSession.create({ ...common, Alias: 'wrong-password', Version: 3, ...V3USER, AuthPass: 'notthepassword' });
    const right = SNMPSession.create({ ...common, Alias: 'right', Version: '2c' });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].post(r.Alias, 'register', 'got_trap');
          _[KERNEL].delay('send', 0.02);
        },
        send: (_) => {
          void wrongCommunity.trap('coldStart', [['sysName', 0, 'bad-community', 'OCTETSTR']]);
          void wrongPassword.trap('warmStart', [['sysName', 0, 'bad-password', 'OCTETSTR']]);
          // the good trap a little later, so the bad ones have certainly been processed
          _[KERNEL].delay('send_good', 0.2);
        },
        send_good: () => {
          void right.trap('linkUp', [['sysName', 0, 'good', 'OCTETSTR']]);
        },
        got_trap: (_) => {
          seen.push(_[ARG0] as SNMPTrap);
          _[KERNEL].post(r.Alias, 'unregister');
          _[KERNEL].post(r.Alias, 'shutdown');
        },
      },
    });
    const timer = setTimeout(() => r.stop(), 5000);
    try {
      await within(kernel.run(), 6000, 'kernel.run');
    } finally {
      clearTimeout(timer);
      subscription.unsubscribe();
      wrongCommunity.finish();
      wrongPassword.finish();
      right.finish();
    }
    expect(seen.map((t) => t.varbinds.find((vb) => vb[0] === 'sysName')?.[2])).toEqual(['good']);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    const text = errors.map((e) => `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`).join('\n');
    expect(text).toMatch(/community not found for message with community private/);
    expect(text).toMatch(/Authentication digest .* does not match/);
  }, 10_000);
});
