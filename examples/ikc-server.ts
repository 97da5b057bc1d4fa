// POE::Component::IKC's synopsis, the server kernel: publishes session 'hello' to the NATS cluster.
//   nats-server -a 127.0.0.1 -p 4222 &     then     node examples/dist/ikc-server.js [nats://127.0.0.1:4222]
import { ARG0, KERNEL, Session, poe_kernel } from '@poets/kernel';
import { IKC } from '@poets/ikc';

const servers = process.argv[2] ?? 'nats://127.0.0.1:4222';
const ikc = IKC.spawn({ name: 'Server', servers, on_connect: () => console.log('Server: joined, hello published') });

Session.create({
  inline_states: {
    _start: (_) => {
      _[KERNEL].alias_set('hello');
      _[KERNEL].post('IKC', 'publish', 'hello', ['world', 'time', 'bye']);
    },
    world: (_) => console.log(`Server: hello/world got '${String(_[ARG0])}'`),
    time: () => new Date(1_700_000_000_000),
    bye: (_) => {
      console.log('Server: bye');
      _[KERNEL].alias_remove('hello');
      _[KERNEL].post('IKC', 'shutdown');
    },
  },
});

await poe_kernel.run();
void ikc;
console.log('Server: done');
