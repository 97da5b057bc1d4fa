// poe-test-loops wheel_sf_udp: one session makes two UDP sockets on 127.0.0.1 with SocketFactory
// and has them trade a rot13'd datagram back and forth until each has sent its quota.
// POE watches each socket with select_read (which holds the session) and calls recv/send on it;
// the port listens for 'message' on the dgram socket, posts it to the session, and holds the
// session with an extra reference while the socket is open.
import type { RemoteInfo, Socket as DatagramSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG3, HEAP, KERNEL, Kernel, SESSION, Session, type EventArgs } from '@poets/kernel';
import { SocketFactory } from '@poets/kernel';
import { runBounded } from './helpers.js';

const MAX_SEND_COUNT = 10;
const rot13 = (text: string) => text.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c < 'a' ? 65 : 97)));

type Peer = 'a' | 'b';
interface PeerState {
  setup?: SocketFactory;
  setupId: number;
  socket?: DatagramSocket;
  recvErrors: number;
  sendErrors: number;
  sockErrors: number;
  sent: number;
  setupOk: boolean;
}
type Heap = Record<Peer, PeerState>;
type Ev = EventArgs<Heap>;

const other = (peer: Peer): Peer => (peer === 'a' ? 'b' : 'a');

async function udpScenario(): Promise<Heap> {
  const kernel = new Kernel();
  let final!: Heap;
  const fresh = (): PeerState => ({ setupId: -1, recvErrors: 0, sendErrors: 0, sockErrors: 0, sent: 0, setupOk: false });

  const send = (state: PeerState, message: string, port: number, address: string) => {
    state.sent++;
    state.socket!.send(message, port, address, (error) => {
      if (error) state.sendErrors++;
    });
  };

  const closeSocket = (_: Ev, peer: Peer) => {
    const state = _[HEAP][peer];
    if (state.socket === undefined) return;
    state.socket.close();
    delete state.socket;
    _[KERNEL].refcount_decrement(_[SESSION].ID(), `udp ${peer}`);
  };

  const handlers = (peer: Peer) => ({
    [`ev_peer_${peer}_socket`]: (_: Ev) => {
      const state = _[HEAP][peer];
      state.setup?.destroy();
      delete state.setup;
      const socket = (state.socket = _[ARG0] as DatagramSocket);
      const session = _[SESSION];
      _[KERNEL].refcount_increment(session.ID(), `udp ${peer}`);
      socket.on('message', (message: Buffer, from: RemoteInfo) => kernel.post(session, `ev_peer_${peer}_input`, message.toString(), from));
      socket.on('error', () => void kernel.post(session, `ev_peer_${peer}_recv_error`));
      const otherSocket = _[HEAP][other(peer)].socket;
      if (otherSocket !== undefined) {
        const address = otherSocket.address();
        send(state, '1: this is a test', address.port, address.address);
      }
    },
    [`ev_peer_${peer}_error`]: (_: Ev) => {
      const state = _[HEAP][peer];
      if (_[ARG3] === state.setupId) {
        state.setup?.destroy();
        delete state.setup;
        state.setupOk = false;
      }
      state.sockErrors++;
    },
    [`ev_peer_${peer}_input`]: (_: Ev) => {
      const state = _[HEAP][peer];
      if (state.socket === undefined) return;
      const from = _[ARG1] as RemoteInfo;
      if (state.sent < MAX_SEND_COUNT) send(state, rot13(_[ARG0] as string), from.port, from.address);
      else _[KERNEL].delay('ev_took_too_long', 0.05);
    },
    [`ev_peer_${peer}_recv_error`]: (_: Ev) => void _[HEAP][peer].recvErrors++,
  });

  Session.create<Heap>({
    kernel,
    heap: { a: fresh(), b: fresh() },
    inline_states: {
      _start: (_: Ev) => {
        for (const peer of ['a', 'b'] as const) {
          const state = _[HEAP][peer];
          state.setup = new SocketFactory({
            BindAddress: '127.0.0.1',
            BindPort: 0,
            SocketProtocol: 'udp',
            Reuse: 'yes',
            SuccessEvent: `ev_peer_${peer}_socket`,
            FailureEvent: `ev_peer_${peer}_error`,
          });
          state.setupId = state.setup.ID();
          state.setupOk = true;
        }
        _[KERNEL].delay('ev_took_too_long', 0.5);
      },
      ...handlers('a'),
      ...handlers('b'),
      ev_took_too_long: (_: Ev) => {
        closeSocket(_, 'a');
        closeSocket(_, 'b');
      },
      _stop: (_: Ev) => {
        final = _[HEAP];
      },
    },
  });

  await runBounded(kernel);
  return final;
}

describe('wheel_sf_udp', () => {
  let outcome: Promise<Heap> | undefined;
  const scenario = () => (outcome ??= udpScenario());

  it('both UDP SocketFactories succeed', async () => {
    const heap = await scenario();
    expect(heap.a.setupOk).toBe(true);
    expect(heap.b.setupOk).toBe(true);
  });

  it('peer a has no receive, send or socket errors', async () => {
    const { a } = await scenario();
    expect([a.recvErrors, a.sendErrors, a.sockErrors]).toEqual([0, 0, 0]);
  });

  it('peer b has no receive, send or socket errors', async () => {
    const { b } = await scenario();
    expect([b.recvErrors, b.sendErrors, b.sockErrors]).toEqual([0, 0, 0]);
  });

  it(`each peer sends exactly ${MAX_SEND_COUNT} datagrams`, async () => {
    const heap = await scenario();
    expect(heap.a.sent).toBe(MAX_SEND_COUNT);
    expect(heap.b.sent).toBe(MAX_SEND_COUNT);
  });
});
