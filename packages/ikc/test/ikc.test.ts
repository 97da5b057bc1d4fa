// Two kernels in one process, each joined to one real nats-server as its own IKC kernel.
import { ARG0, ARG1, KERNEL, Kernel, Session } from '@poets/kernel';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IKC, IKCError, v8Codec } from '../src/index.js';
import { NatsServer, natsMissing, recordingLogger, until } from './nats-server.js';
import { describeWithPeer } from '../../../test/support/index.js';

const missing = natsMissing();


describeWithPeer(missing, 'IKC over NATS', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await NatsServer.start();
  });
  afterAll(async () => {
    await nats?.destroy();
  });

  /** A kernel joined as `name`, with a published `hello` session whose states record what they get. */
  async function node(name: string, extra: Partial<Parameters<typeof IKC.spawn>[0]> = {}) {
    const kernel = new Kernel({ warn: () => undefined });
    const logger = recordingLogger();
    const got: unknown[][] = [];
    const ikc = IKC.spawn({ name, servers: nats.url, kernel, logger, heartbeat: 0.5, callTimeout: 2, prefix: `t${process.pid}`, ...extra });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('hello');
          _[KERNEL].sig('DIE', 'die');
          ikc.publish('hello', ['world', 'sum', 'slow', 'never', 'boom']);
        },
        world: (_) => void got.push(['world', ..._.slice(ARG0)]),
        secret: (_) => void got.push(['secret', ..._.slice(ARG0)]),
        sum: (_) => (_[ARG0] as number[]).reduce((a, b) => a + b, 0),
        slow: (_) => new Promise((resolve) => setTimeout(() => resolve(`slow ${String(_[ARG0])}`), 50)),
        never: () => new Promise(() => undefined),
        boom: () => {
          throw new Error('kaboom');
        },
        die: (_) => void _[KERNEL].sig_handled(),
        bye: (_) => void _[KERNEL].alias_remove('hello'),
      },
    });
    const running = kernel.run();
    await ikc.ready;
    return { kernel, ikc, got, logger, running };
  }

  /** A client session in `kernel` that runs `body` in its _start and records every event it gets. */
  function client(kernel: Kernel, body: (kernel: Kernel) => void) {
    const events: unknown[][] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set(`client${Math.random()}`);
          body(_[KERNEL]);
        },
        _default: (_) => void events.push([_[ARG0], ...(_[ARG1] as unknown[])]),
        done: (_) => void _[KERNEL].alias_remove(_[KERNEL].alias_list()[0]!),
      },
    });
    return events;
  }

  it('posts by specifier string and object, and IKC sees every kernel', async () => {
    const a = await node('A1');
    const b = await node('B1');
    await until(() => a.ikc.kernels().includes('B1') && b.ikc.kernels().includes('A1'), 10_000, 'both kernels to see each other');
    client(a.kernel, (k) => {
      k.post('IKC', 'post', 'poe://B1/hello/world', { n: 1n, when: new Date(0), bytes: Buffer.from('hi'), map: new Map([[1, 'one']]) });
      k.post('IKC', 'post', { kernel: 'B1', session: 'hello', state: 'world' }, 2, 3);
    });
    await until(() => b.got.length === 2, 10_000, 'two posts');
    expect(b.got[0]).toEqual(['world', { n: 1n, when: new Date(0), bytes: Buffer.from('hi'), map: new Map([[1, 'one']]) }]);
    expect(Buffer.isBuffer((b.got[0]![1] as { bytes: unknown }).bytes)).toBe(true);
    expect(b.got[1]).toEqual(['world', 2, 3]);
    await a.ikc.shutdown();
    await b.ikc.shutdown();
    await Promise.all([a.running, b.running]);
  });

  it('call delivers the return value, or a Promise value, to the RSVP state; the object interface and request() too', async () => {
    const a = await node('A2');
    const b = await node('B2');
    await until(() => a.ikc.kernels().includes('B2'), 10_000, 'B2 seen');
    const events = client(a.kernel, (k) => {
      k.post('IKC', 'call', 'poe://B2/hello/sum', [1, 2, 3], 'poe:summed');
      k.post('IKC', 'call', 'poe://B2/hello/slow', 'x', 'poe:slowed');
    });
    await until(() => events.length === 2, 10_000, 'two answers');
    expect(events).toContainEqual(['summed', 6]);
    expect(events).toContainEqual(['slowed', 'slow x']);
    expect(await a.ikc.request('poe://B2/hello/sum', [40, 2])).toBe(42);
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('a call whose handler never answers gets a timeout error at its RSVP; a throwing handler an EDIED error', async () => {
    const a = await node('A3');
    const b = await node('B3');
    await until(() => a.ikc.kernels().includes('B3'), 10_000, 'B3 seen');
    const events = client(a.kernel, (k) => {
      k.post('IKC', 'call', 'poe://B3/hello/never', 1, 'poe:answer');
    });
    await until(() => events.length === 1, 10_000, 'the timeout');
    expect(events[0]![0]).toBe('answer');
    expect(events[0]![1]).toBeUndefined();
    expect(events[0]![2]).toBeInstanceOf(IKCError);
    expect((events[0]![2] as IKCError).code).toBe('ETIMEDOUT');
    await expect(a.ikc.request('poe://B3/hello/boom')).rejects.toMatchObject({ code: 'EDIED', message: /kaboom/ });
    // B3 keeps serving after the throw
    expect(await a.ikc.request('poe://B3/hello/sum', [1, 1])).toBe(2);
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('only what is published is reachable: an unpublished state or session is refused, the sender told, the reason logged', async () => {
    const a = await node('A4');
    const b = await node('B4');
    await until(() => a.ikc.kernels().includes('B4'), 10_000, 'B4 seen');
    const monitored: unknown[][] = [];
    b.ikc.monitor('B4', { error: (...args) => void monitored.push(['B4', ...args]) });
    a.ikc.monitor('*', { error: (...args) => void monitored.push(['*', ...args]) });
    const events = client(a.kernel, (k) => {
      k.post('IKC', 'post', 'poe://B4/hello/secret', 1);
      k.post('IKC', 'post', 'poe://B4/nobody/world', 1);
      k.post('IKC', 'call', 'poe://B4/hello/secret', 1, 'poe:answer');
    });
    await until(() => events.length === 3, 10_000, 'three refusals');
    const errors = events.filter((e) => e[0] === 'ikc_error').map((e) => e[1] as IKCError);
    expect(errors.map((e) => e.code)).toEqual(['EPERM', 'EPERM']);
    expect(errors.map((e) => e.specifier).sort()).toEqual(['poe://B4/hello/secret', 'poe://B4/nobody/world']);
    const answer = events.find((e) => e[0] === 'answer')!;
    expect((answer[2] as IKCError).code).toBe('EPERM');
    expect(b.got).toEqual([]);
    // IKC's monitor `error` callbacks: local-check where it was refused, remote-check at the sender
    await until(() => monitored.filter((m) => m[0] === '*' && m[5] === 'remote-check').length === 3, 10_000, 'the monitors');
    expect(monitored).toContainEqual(['B4', b.ikc.rid, 'B4', true, undefined, 'local-check', "poe://B4/hello/secret: state 'secret' is not published"]);
    expect(monitored).toContainEqual(['*', b.ikc.rid, 'B4', true, undefined, 'remote-check', expect.stringMatching(/refused by 'B4': poe:\/\/B4\/nobody\/world/)]);
    expect(b.logger.lines.join('\n')).toMatch(/refused post from 'A4' to poe:\/\/B4\/hello\/secret: state 'secret' is not published/);
    expect(b.logger.lines.join('\n')).toMatch(/session 'nobody' is not published/);
    // retract withdraws a published state
    b.ikc.retract('hello', ['world']);
    await until(() => a.ikc.published_by('B4')?.get('hello')?.includes('world') === false, 10_000, 'the retraction to arrive');
    await expect(a.ikc.request('poe://B4/hello/world')).rejects.toMatchObject({ code: 'EPERM' });
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('a post to a kernel that is not there is an error to the sender; a call to one too', async () => {
    const a = await node('A5');
    const events = client(a.kernel, (k) => {
      const sent = k.call('IKC', 'post', 'poe://Nobody/hello/world', 1);
      k.post(k.get_active_session() as Session, 'returned', sent);
      k.post('IKC', 'call', 'poe://Nobody/hello/world', 1, 'poe:answer');
    });
    await until(() => events.length === 3, 10_000, 'the errors');
    expect(events).toContainEqual(['returned', false]);
    expect((events.find((e) => e[0] === 'ikc_error')![1] as IKCError).code).toBe('ENOKERNEL');
    expect((events.find((e) => e[0] === 'answer')![2] as IKCError).code).toBe('ENOKERNEL');
    await a.ikc.shutdown();
  });

  it('malformed and oversized messages on poets subjects are refused and logged; the kernel keeps serving', async () => {
    const b = await node('B6', { maxMessageBytes: 4096 });
    const a = await node('A6', { maxMessageBytes: 4096 });
    await until(() => a.ikc.kernels().includes('B6'), 10_000, 'B6 seen');
    const { connect } = await import('@nats-io/transport-node');
    const raw = await connect({ servers: nats.url });
    const subject = b.ikc.subjects.kernel('B6');
    raw.publish(subject, new TextEncoder().encode('{not json'));
    raw.publish(subject, new TextEncoder().encode('{"v":1,"t":"post","from":"X"}'));
    raw.publish(subject, new Uint8Array(10_000));
    raw.publish(b.ikc.subjects.presence, new TextEncoder().encode('[1,2,3]'));
    await raw.flush();
    const events = client(a.kernel, (k) => k.post('IKC', 'post', 'poe://B6/hello/world', 'x'.repeat(5000)));
    await until(() => b.logger.lines.filter((l) => /refused/.test(l)).length >= 4 && events.length === 1, 10_000, 'refusals');
    expect(events[0]![0]).toBe('ikc_error');
    expect((events[0]![1] as IKCError).code).toBe('EMSGSIZE');
    const log = b.logger.lines.join('\n');
    expect(log).toMatch(/refused malformed message on .*: Unexpected token|refused malformed message on .*JSON/);
    expect(log).toMatch(/no session or state/);
    expect(log).toMatch(/10000-byte message .* exceeds 4096/);
    expect(await a.ikc.request('poe://B6/hello/sum', [2, 3])).toBe(5);
    await raw.close();
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('subscribe makes a remote session usable by its poe://Kernel/session alias; monitor sees kernels and sessions come and go', async () => {
    const b = await node('B7');
    const a = await node('A7');
    await until(() => a.ikc.kernels().includes('B7'), 10_000, 'B7 seen');
    const seen: unknown[][] = [];
    const fromFunctions: string[] = [];
    a.ikc.monitor('B7', { unregister: (_rid, name) => void fromFunctions.push(`unregister ${name}`) });
    const events = client(a.kernel, (k) => {
      k.post('IKC', 'monitor', '*', { register: 'reg', unregister: 'unreg', subscribe: 'sub', unsubscribe: 'unsub', data: 'ctx' });
      k.post('IKC', 'subscribe', ['poe://B7/hello', 'poe://B7/nothing', 'poe://Unknown/x'], 'subscribed');
    });
    await until(() => events.some((e) => e[0] === 'subscribed'), 10_000, 'the subscription');
    expect(events.find((e) => e[0] === 'subscribed')).toEqual(['subscribed', ['poe://B7/hello']]);
    expect(a.logger.lines.join('\n')).toMatch(/subscribe: Refused subscription poe:\/\/B7\/nothing: not published/);
    expect(a.logger.lines.join('\n')).toMatch(/subscribe: Unknown kernel Unknown/);
    const rid = b.ikc.rid;
    expect(events).toContainEqual(['reg', rid, 'B7', true, 'ctx']);
    expect(events).toContainEqual(['sub', rid, 'B7', true, 'ctx', 'poe://B7/hello']);
    expect(a.kernel.alias_resolve('poe://B7/hello')).toBeInstanceOf(Session);
    client(a.kernel, (k) => k.post('poe://B7/hello', 'world', 'via proxy'));
    await until(() => b.got.length === 1, 10_000, 'the proxied post');
    expect(b.got[0]).toEqual(['world', 'via proxy']);
    seen.push(...events);
    await b.ikc.shutdown();
    await until(() => events.some((e) => e[0] === 'unreg'), 10_000, 'unregister');
    expect(events).toContainEqual(['unsub', rid, 'B7', true, 'ctx', 'poe://B7/hello']);
    expect(events).toContainEqual(['unreg', rid, 'B7', true, 'ctx']);
    expect(fromFunctions).toEqual(['unregister B7']);
    expect(a.kernel.alias_resolve('poe://B7/hello')).toBeUndefined();
    await a.ikc.shutdown();
  });

  it('a kernel that dies without a goodbye is gone after three silent heartbeats', async () => {
    const a = await node('A8');
    const b = await node('B8');
    await until(() => a.ikc.kernels().includes('B8'), 10_000, 'B8 seen');
    a.ikc.subscribe('poe://B8/hello');
    const gone: string[] = [];
    a.ikc.monitor('B8', { unregister: (name) => void gone.push(name) });
    // cut B8 off the network without a goodbye: close its NATS connection under it
    await (b.ikc as unknown as { nc: { close(): Promise<void> } }).nc.close();
    await until(() => gone.length === 1, 10_000, 'B8 to be declared gone');
    expect(a.kernel.alias_resolve('poe://B8/hello')).toBeUndefined();
    await a.ikc.shutdown();
  });

  it("keeps order per sender and destination; an RSVP may name another session ('poe:/session/state'); unsubscribe removes the proxy; monitor$ streams", async () => {
    const b = await node('B9');
    const a = await node('A9');
    const ops: string[] = [];
    const sub = a.ikc.monitor$('B9').subscribe((e) => ops.push(`${e.op} ${e.kernel}${e.session ? ` ${e.session}` : ''}`));
    await until(() => a.ikc.kernels().includes('B9'), 10_000, 'B9 seen');
    for (let i = 0; i < 500; i++) a.ikc.post({ kernel: 'B9', session: 'hello', state: 'world' }, i);
    await until(() => b.got.length === 500, 10_000, '500 posts');
    expect(b.got.map((g) => g[1])).toEqual([...Array(500).keys()]);
    const answers: unknown[] = [];
    Session.create({
      kernel: a.kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].alias_set('elsewhere'),
        hi: (_) => {
          answers.push(_[ARG0]);
          _[KERNEL].alias_remove('elsewhere');
        },
      },
    });
    client(a.kernel, (k) => k.post('IKC', 'call', 'poe://B9/hello/sum', [2, 2], 'poe:/elsewhere/hi'));
    await until(() => answers.length === 1, 10_000, 'the answer elsewhere');
    expect(answers).toEqual([4]);
    expect(a.ikc.subscribe(['poe://B9/hello'])).toEqual(['poe://B9/hello']);
    expect(a.kernel.alias_resolve('poe://B9/hello')).toBeInstanceOf(Session);
    a.ikc.unsubscribe('poe://B9/hello');
    expect(a.kernel.alias_resolve('poe://B9/hello')).toBeUndefined();
    expect(ops).toEqual(['register B9', 'subscribe B9 poe://B9/hello', 'unsubscribe B9 poe://B9/hello']);
    sub.unsubscribe();
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('another codec plugs in (v8), and error_event renames the refusal event', async () => {
    const b = await node('BV', { codec: v8Codec });
    const a = await node('AV', { codec: v8Codec, error_event: 'refused' });
    await until(() => a.ikc.kernels().includes('BV'), 10_000, 'BV seen');
    expect(await a.ikc.request('poe://BV/hello/slow', new Map([[1n, new Set([new Date(0)])]]))).toBe('slow [object Map]');
    const events = client(a.kernel, (k) => k.post('IKC', 'post', 'poe://BV/hello/secret', 1));
    await until(() => events.length === 1, 10_000, 'the refusal');
    expect(events[0]![0]).toBe('refused');
    expect((events[0]![1] as IKCError).code).toBe('EPERM');
    await a.ikc.shutdown();
    await b.ikc.shutdown();
  });

  it('posts to * reach every other kernel', async () => {
    const nodes = await Promise.all(['S1', 'S2', 'S3'].map((n) => node(n)));
    await until(() => nodes.every((n) => n.ikc.kernels().length >= 2), 10_000, 'all to see each other');
    client(nodes[0]!.kernel, (k) => k.post('IKC', 'post', 'poe://*/hello/world', 'all'));
    await until(() => nodes[1]!.got.length === 1 && nodes[2]!.got.length === 1, 10_000, 'fan-out');
    expect(nodes[0]!.got).toEqual([]);
    for (const n of nodes) await n.ikc.shutdown();
  });
});
