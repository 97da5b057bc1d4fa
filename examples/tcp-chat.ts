// A line-based chat server: what one client says, every other client reads. Commands: /nick NAME,
// /who, /quit. Idle clients are dropped after 10 minutes, over-long lines refused (Net::Server
// features), and Ctrl-C says goodbye to everyone before the server stops.
// Run: npm run build && node examples/dist/tcp-chat.js [port]     (default 12346, on 127.0.0.1)
//   try, in two terminals: nc 127.0.0.1 12346
import { ARG0, HEAP, KERNEL, SESSION, Session, poe_kernel, type EventArgs, type Kernel } from '@poets/kernel';
import { Server, type ClientHeap, type ConnectedClientHeap } from '@poets/server-tcp';

const port = Number(process.argv[2] ?? 12346);

/** Who is here: connection session ID → nickname. */
const users = new Map<number, string>();

function broadcast(kernel: Kernel, from: number | undefined, text: string): void {
  for (const id of users.keys()) if (id !== from) kernel.post(id, 'say', text);
}

type Chat = EventArgs<ConnectedClientHeap, [line: string, wheelId: number]>;

Server.TCP({
  Address: '127.0.0.1',
  Port: port,
  Alias: 'chat',
  ClientFilter: 'POE::Filter::Line',
  idleTimeout: 600,
  maxLineLength: 512,
  ClientConnected: (_) => {
    const id = _[SESSION].ID();
    const nick = `guest${id}`;
    users.set(id, nick);
    _[HEAP].client.put(`* Welcome, ${nick}. Commands: /nick NAME, /who, /quit`);
    broadcast(_[KERNEL], id, `* ${nick} joined`);
  },
  ClientInput: (_: Chat) => {
    const id = _[SESSION].ID();
    const nick = users.get(id)!;
    const text = _[ARG0].trim();
    if (text === '') return;
    if (text === '/quit') {
      _[HEAP].client.put('* Bye.');
      _[KERNEL].yield('shutdown');
    } else if (text === '/who') {
      _[HEAP].client.put(`* Here: ${[...users.values()].join(', ')}`);
    } else if (text.startsWith('/nick ')) {
      const wanted = text.slice(6).trim();
      if (!/^\w{1,20}$/.test(wanted) || [...users.values()].includes(wanted)) {
        _[HEAP].client.put(`* Cannot take the nick '${wanted}'.`);
        return;
      }
      users.set(id, wanted);
      _[HEAP].client.put(`* You are now ${wanted}.`);
      broadcast(_[KERNEL], id, `* ${nick} is now ${wanted}`);
    } else {
      broadcast(_[KERNEL], id, `<${nick}> ${text}`);
    }
  },
  ClientDisconnected: (_) => {
    const id = _[SESSION].ID();
    const nick = users.get(id);
    users.delete(id);
    if (nick !== undefined) broadcast(_[KERNEL], id, `* ${nick} left`);
  },
  InlineStates: {
    // Another client's words (posted by broadcast).
    say: (_: EventArgs<ClientHeap>) => void _[HEAP].client?.put(String(_[ARG0])),
  },
  Started: (_) => console.log(`chat server listening on 127.0.0.1:${_[HEAP].listener!.getsockname()!.port}`),
});

// Ctrl-C (or TERM): tell everyone, close every connection, stop listening. Signal watchers do not
// keep a session alive, so this one holds an alias until then.
Session.create({
  inline_states: {
    _start: (_) => {
      _[KERNEL].alias_set('signals');
      _[KERNEL].sig('INT', 'stop');
      _[KERNEL].sig('TERM', 'stop');
    },
    stop: (_) => {
      console.log('chat server shutting down');
      broadcast(_[KERNEL], undefined, '* The server is shutting down.');
      for (const id of users.keys()) _[KERNEL].post(id, 'shutdown');
      _[KERNEL].post('chat', 'shutdown');
      _[KERNEL].sig('INT');
      _[KERNEL].sig('TERM');
      _[KERNEL].alias_remove('signals');
      _[KERNEL].sig_handled();
    },
  },
});

await poe_kernel.run();
console.log('chat server stopped');
