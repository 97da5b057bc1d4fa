// The kernel contract's synopsis: a session that counts to ten by yielding to itself.
// Run: npm run build && node examples/dist/counter.js
import { ARG0, HEAP, KERNEL, Session, poe_kernel } from '@poets/kernel';

interface Heap {
  n: number;
}

Session.create<Heap, { _start: []; tick: [n: number]; _stop: [] }>({
  inline_states: {
    _start: (_) => {
      _[KERNEL].alias_set('counter');
      _[KERNEL].yield('tick', 1);
    },
    tick: (_) => {
      _[HEAP].n = _[ARG0];
      if (_[ARG0] < 10) _[KERNEL].yield('tick', _[ARG0] + 1);
      else _[KERNEL].alias_remove('counter');
    },
    _stop: (_) => console.log('done at', _[HEAP].n),
  },
  heap: { n: 0 },
});

await poe_kernel.run(); // resolves when no session is left
