// POE::Component::IKC's synopsis, the client kernel: post, call with a callback, subscribe.
//   node examples/dist/ikc-client.js [nats://127.0.0.1:4222]    (with ikc-server running)
import { ARG0, ARG1, KERNEL, Session, poe_kernel } from '@poets/kernel';
import { IKC, type IKCError } from '@poets/ikc';

const servers = process.argv[2] ?? 'nats://127.0.0.1:4222';
IKC.spawn({ name: 'Client', servers });

Session.create({
  inline_states: {
    _start: (_) => {
      _[KERNEL].alias_set('me');
      // wait for the server kernel to be there, as IKC::Client's on_connect would
      _[KERNEL].post('IKC', 'monitor', 'Server', { register: 'server_up' });
    },
    server_up: (_) => {
      console.log('Client: Server is there');
      _[KERNEL].post('IKC', 'post', 'poe://Server/hello/world', 'a post from Client');
      _[KERNEL].post('IKC', 'call', 'poe://Server/hello/time', undefined, 'poe:callback');
    },
    callback: (_) => {
      const time = _[ARG0] as Date;
      console.log(`Client: the server's time is ${time.toISOString()} (a Date: ${time instanceof Date})`);
      _[KERNEL].post('IKC', 'subscribe', ['poe://Server/hello'], 'subscribed');
    },
    subscribed: (_) => {
      console.log(`Client: subscribed to ${(_[ARG0] as string[]).join(', ')}`);
      // the remote session is now a local alias
      _[KERNEL].post('poe://Server/hello', 'world', 'a post through the proxy');
      _[KERNEL].post('poe://Server/hello', 'bye');
      _[KERNEL].post('IKC', 'monitor', 'Server', { unregister: 'server_gone' });
    },
    server_gone: (_) => {
      console.log('Client: Server left');
      _[KERNEL].alias_remove('me');
      _[KERNEL].post('IKC', 'shutdown');
    },
    ikc_error: (_) => console.log(`Client: ${String(_[ARG1])}: ${(_[ARG0] as IKCError).message}`),
  },
});

await poe_kernel.run();
console.log('Client: done');
