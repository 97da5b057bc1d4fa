// A line-echo server on the poets kernel: a listening socket in one session, a ReadWrite wheel
// with a Line filter per connection. The benchmark drives it and the raw `net` server alike.
//   node bench/servers/poets-echo.mjs PORT
import { createServer } from 'node:net';
import { ARG0, ARG1, HEAP, KERNEL, SESSION, Session, poe_kernel } from '@poets/kernel';
import { FilterLine, ReadWrite } from '@poets/kernel';

const port = Number(process.argv[2]);

Session.create({
  inline_states: {
    _start: (_) => {
      const server = createServer({ noDelay: true }, (socket) => _[KERNEL].post(_[SESSION], 'accepted', socket));
      server.listen({ host: '127.0.0.1', port, backlog: 1024 }, () => console.log(`listening 127.0.0.1:${port} poets`));
      _[KERNEL].refcount_increment(_[SESSION].ID(), 'listener');
      _[KERNEL].sig('TERM', 'shutdown');
    },
    accepted: (_) => {
      Session.create({
        args: [_[ARG0]],
        inline_states: {
          _start: (c) => {
            c[HEAP].wheel = new ReadWrite({ Handle: c[ARG0], Filter: new FilterLine({ Literal: '\n' }), InputEvent: 'line', ErrorEvent: 'gone' });
          },
          line: (c) => void c[HEAP].wheel.put(c[ARG0]),
          gone: (c) => {
            c[HEAP].wheel.destroy();
            void c[ARG1];
          },
        },
      });
    },
    shutdown: () => process.exit(0),
  },
});
await poe_kernel.run();
