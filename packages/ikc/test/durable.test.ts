// Durable posts through JetStream against a real nats-server: waiting for an absent kernel,
// a server restarted mid-load, a handler that keeps throwing, ordering.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IKC, type IKCOptions, type ParkedMessage } from '../src/index.js';
import { NatsServer, natsMissing, recordingLogger, until } from './nats-server.js';
import { describeWithPeer } from '../../../test/support/index.js';

const missing = natsMissing();

describeWithPeer(missing, 'durable posts', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await NatsServer.start();
  });
  afterAll(async () => {
    await nats?.destroy();
  });

  let stream = 0;
  /** A kernel with a published `sink` session counting each sequence number it gets. */
  async function node(name: string, options: Partial<IKCOptions> & { failUntil?: number } = {}) {
    const kernel = new Kernel({ warn: () => undefined });
    const logger = recordingLogger();
    const seen = new Map<number, number>();
    const order: number[] = [];
    let calls = 0;
    const ikc = IKC.spawn({ name, servers: nats.url, kernel, logger, heartbeat: 1, prefix: `dur${stream}`, ...options });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('sink');
          _[KERNEL].sig('DIE', 'died');
          ikc.publish('sink', ['take', 'flaky']);
        },
        take: (_) => {
          const n = _[ARG0] as number;
          seen.set(n, (seen.get(n) ?? 0) + 1);
          order.push(n);
        },
        flaky: () => {
          calls++;
          throw new Error(`flaky failure #${calls}`);
        },
        died: (_) => void _[KERNEL].sig_handled(),
      },
    });
    const running = kernel.run();
    await ikc.ready;
    return { kernel, ikc, logger, seen, order, running, calls: () => calls };
  }

  function post(ikc: IKC, kernel: string, state: string, n: number, durable = true): boolean {
    return ikc.post({ kernel, session: 'sink', state, durable }, n);
  }

  it('a durable post to a kernel that is not there waits in the stream; order per sender and session is kept', async () => {
    const s = `S${++stream}`;
    const a = await node('DA1', { durable: { stream: s } });
    for (let i = 0; i < 200; i++) expect(post(a.ikc, 'DB1', 'take', i)).toBe(true);
    await until(() => a.ikc.durablePending === 0, 15_000, 'the stream to store them');
    expect(a.ikc.stats.durablePublished).toBe(200);
    const b = await node('DB1', { durable: { stream: s } });
    await until(() => b.seen.size === 200, 15_000, 'all 200');
    expect(b.order).toEqual([...Array(200).keys()]);
    expect([...b.seen.values()].every((count) => count === 1)).toBe(true);
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('a handler that throws on a durable post is redelivered up to maxDeliver, then parked and reported', async () => {
    const s = `S${++stream}`;
    const b = await node('DB2', { durable: { stream: s, maxDeliver: 3, retryDelay: 0.05 } });
    const a = await node('DA2', { durable: { stream: s } });
    const parked: ParkedMessage[] = [];
    b.ikc.parked$.subscribe((p) => parked.push(p));
    post(a.ikc, 'DB2', 'flaky', 1);
    post(a.ikc, 'DB2', 'take', 2);
    await until(() => parked.length === 1, 15_000, 'the parked report');
    expect(b.calls()).toBe(3);
    expect(parked[0]).toMatchObject({ kernel: 'DB2', deliveries: 3, reason: expect.stringMatching(/flaky failure #3/) });
    expect(b.logger.lines.join('\n')).toMatch(/parked on dur\d+\.parked\.DB2 after 3 deliveries/);
    // the good post behind it was not held up for ever, and ran once
    await until(() => b.seen.get(2) === 1, 15_000, 'the good post');
    // the parked copy is in the stream for an operator
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const { connect } = await import('@nats-io/transport-node');
    const raw = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(raw);
    const stored = await jsm.streams.getMessage(s, { last_by_subj: `dur${stream}.parked.DB2` });
    expect(stored?.header.get('Ikc-Deliveries')).toBe('3');
    await raw.close();
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('the NATS server restarted mid-load: core posts lost are counted, durable posts all arrive exactly once', async () => {
    const s = `S${++stream}`;
    const b = await node('DB3', { durable: { stream: s, ackWait: 2 } });
    const a = await node('DA3', { durable: { stream: s } });
    await until(() => a.ikc.kernels().includes('DB3'), 10_000, 'DB3 seen');
    const N = 2000;
    const core = new Set<number>();
    const coreSink = b.kernel.alias_resolve('sink');
    expect(coreSink).toBeInstanceOf(Session);
    let sent = 0;
    let coreSent = 0;
    const load = (async () => {
      for (let i = 0; i < N; i++) {
        post(a.ikc, 'DB3', 'take', i);
        if (a.ikc.kernels().includes('DB3') && post(a.ikc, 'DB3', 'take', 1_000_000 + i, false)) {
          coreSent++;
          core.add(1_000_000 + i);
        }
        sent++;
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await until(() => sent >= N / 4, 30_000, 'a quarter of the load');
    await nats.restart();
    await load;
    await until(() => [...b.seen.keys()].filter((n) => n < 1_000_000).length === N, 60_000, `all ${N} durable posts`);
    const durableCounts = [...b.seen].filter(([n]) => n < 1_000_000).map(([, c]) => c);
    expect(durableCounts.length).toBe(N);
    expect(durableCounts.every((c) => c === 1)).toBe(true);
    const coreReceived = [...b.seen.keys()].filter((n) => n >= 1_000_000).length;
    const coreLost = coreSent - coreReceived;
    console.log(`server restart: ${coreSent} core posts sent, ${coreReceived} received, ${coreLost} lost; ${N} durable posts, each handled once`);
    expect(coreLost).toBeGreaterThanOrEqual(0);
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  }, 120_000);
});
