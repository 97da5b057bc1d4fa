// A three-node nats-server cluster on loopback: one node is killed mid-load; kernels fail over
// and no durable post is lost.
import { ARG0, KERNEL, Kernel, Session } from '@poets/kernel';
import { connect } from '@nats-io/transport-node';
import { RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IKC, Subjects } from '../src/index.js';
import { natsMissing, recordingLogger, startCluster, until, type NatsServer } from './nats-server.js';
import { describeWithPeer } from '../../../test/support/index.js';

const missing = natsMissing();

describeWithPeer(missing, 'three-node cluster', () => {
  let nodes: NatsServer[] = [];
  beforeAll(async () => {
    nodes = await startCluster();
    // a replicated stream needs the cluster's JetStream meta leader: create it once it answers
    const nc = await connect({ servers: nodes.map((n) => n.url) });
    const subjects = new Subjects('clu');
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({
          name: 'CLU',
          subjects: [subjects.durableAll, subjects.parkedAll],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          num_replicas: 3,
          duplicate_window: 120e9,
        });
        break;
      } catch (error) {
        if (Date.now() > end) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    await nc.close();
  }, 60_000);
  afterAll(async () => {
    for (const node of nodes) await node.destroy();
  });

  it('kills the node a kernel is connected to mid-load: clients fail over, durable posts lost = 0', async () => {
    const servers = nodes.map((n) => n.url);
    const kb = new Kernel({ warn: () => undefined });
    const seen = new Map<number, number>();
    const logs = [recordingLogger(), recordingLogger()];
    const b = IKC.spawn({ name: 'CB', kernel: kb, servers, prefix: 'clu', heartbeat: 1, logger: logs[0]!, durable: { stream: 'CLU', replicas: 3, ackWait: 2 } });
    Session.create({
      kernel: kb,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('sink');
          b.publish('sink', ['take']);
        },
        take: (_) => void seen.set(_[ARG0] as number, (seen.get(_[ARG0] as number) ?? 0) + 1),
      },
    });
    void kb.run();
    const ka = new Kernel({ warn: () => undefined });
    const a = IKC.spawn({ name: 'CA', kernel: ka, servers, prefix: 'clu', heartbeat: 1, logger: logs[1]!, durable: { stream: 'CLU', replicas: 3 } });
    Session.create({ kernel: ka, inline_states: { _start: (_) => void _[KERNEL].alias_set('keep') } });
    void ka.run();
    await Promise.all([a.ready, b.ready]).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.flatMap((l) => l.lines).join('\n')}`);
    });
    const N = 1500;
    let sent = 0;
    const load = (async () => {
      for (let i = 0; i < N; i++) {
        a.post({ kernel: 'CB', session: 'sink', state: 'take', durable: true }, i);
        sent++;
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await until(() => sent >= N / 3, 30_000, 'a third of the load');
    // kill the node the sender is connected to
    const url = (a as unknown as { nc: { getServer(): string } }).nc.getServer();
    const victim = nodes.find((n) => url.endsWith(`:${n.port}`)) ?? nodes[0]!;
    await victim.stop('SIGKILL');
    await load;
    await until(() => seen.size === N, 90_000, `all ${N} durable posts after failover`);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    // every post stored; a publish retried across the failover may get its acknowledgement last
    await until(() => a.durablePending === 0, 90_000, 'the last acknowledgements');
    expect(a.stats.durablePublished).toBe(N);
    await a.shutdown();
    await b.shutdown();
  }, 150_000);
});
