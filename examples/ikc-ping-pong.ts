// Three kernels volley a ball by alias through NATS: A → B → C → A ..., nine hits, then all leave.
//   node examples/dist/ikc-ping-pong.js [nats://127.0.0.1:4222]
import { ARG0, HEAP, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { IKC } from '@poets/ikc';

const servers = process.argv[2] ?? 'nats://127.0.0.1:4222';
const names = ['A', 'B', 'C'];
type Player = EventArgs<{ me: string; next: string; ikc: IKC }, [hit: number]>;

async function player(me: string, next: string): Promise<{ kernel: Kernel; ikc: IKC }> {
  const kernel = new Kernel();
  const ikc = IKC.spawn({ name: me, servers, kernel, heartbeat: 1 });
  Session.create({
    kernel,
    heap: { me, next, ikc },
    inline_states: {
      _start: (_: Player) => {
        _[KERNEL].alias_set('player');
        _[HEAP].ikc.publish('player', ['ball', 'game_over']);
      },
      serve: (_: Player) => void _[KERNEL].post('IKC', 'post', `poe://${_[HEAP].next}/player/ball`, 1),
      ball: (_: Player) => {
        console.log(`${_[HEAP].me} got the ball, hit #${_[ARG0]}`);
        if (_[ARG0] < 9) _[KERNEL].post('IKC', 'post', `poe://${_[HEAP].next}/player/ball`, _[ARG0] + 1);
        else _[KERNEL].post('IKC', 'post', 'poe://*/player/game_over', _[HEAP].me);
        if (_[ARG0] >= 7) _[KERNEL].yield('leave');
      },
      game_over: (_: Player) => void _[KERNEL].yield('leave'),
      leave: (_: Player) => {
        if (_[KERNEL].alias_list().length === 0) return;
        _[KERNEL].alias_remove('player');
        _[KERNEL].post('IKC', 'shutdown');
      },
    },
  });
  void kernel.run();
  await ikc.ready;
  return { kernel, ikc };
}

const players = await Promise.all(names.map((me, i) => player(me, names[(i + 1) % names.length]!)));
// wait until every kernel sees the two others, then A serves
while (!players.every((p) => p.ikc.kernels().length === names.length - 1)) await new Promise((resolve) => setTimeout(resolve, 10));
players[0]!.kernel.post('player', 'serve');
await Promise.all(players.map((p) => p.kernel.run()));
console.log('all three kernels left');
