// Two sessions that find each other by alias and volley a counter with post() and delay().
// The README shows this script beside its Perl original. Run: node examples/dist/ping-pong.js
import { ARG0, HEAP, KERNEL, STATE, Session, poe_kernel, type EventArgs } from '@poets/kernel';

type Player = EventArgs<{ me: string; other: string }, [count: number]>;

function player(me: string, other: string) {
  Session.create({
    heap: { me, other },
    inline_states: {
      _start: (_: Player) => {
        _[KERNEL].alias_set(_[HEAP].me);
        if (_[HEAP].me === 'ping') _[KERNEL].delay('serve', 0.1);
      },
      serve: (_: Player) => _[KERNEL].post(_[HEAP].other, 'ball', 1),
      ball: (_: Player) => {
        console.log(`${_[HEAP].me} got ${_[STATE]} #${_[ARG0]}`);
        if (_[ARG0] < 5) _[KERNEL].post(_[HEAP].other, 'ball', _[ARG0] + 1);
        else _[KERNEL].post(_[HEAP].other, 'game_over');
        if (_[ARG0] >= 4) _[KERNEL].alias_remove(_[HEAP].me);
      },
      game_over: (_: Player) => void _[KERNEL].alias_remove(_[HEAP].me),
      _stop: (_: Player) => console.log(`${_[HEAP].me} leaves`),
    },
  });
}

player('ping', 'pong');
player('pong', 'ping');
await poe_kernel.run();
