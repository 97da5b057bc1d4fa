// POE::Component::Server::TCP's synopsis (the seed), ported line by line: the first form
// only accepts connections, the second accepts and handles them. Both listen on 127.0.0.1.
// Run: npm run build && node examples/dist/tcp-synopsis.js [port]
//   the second form listens on [port] (default 12347), the first on the next port;
//   try: nc 127.0.0.1 12347   then type lines, "quit" (ends your connection) or "shutdown" (stops listening)
import { ARG0, ARG1, ARG2, HEAP, KERNEL, SESSION, Session, poe_kernel, type EventArgs } from '@poets/kernel';
import { Server, type AcceptorArgs, type ClientHeap, type ConnectedClientHeap, type ErrorArgs, type ListenerHeap } from '@poets/server-tcp';

const bind_port = Number(process.argv[2] ?? 12347);
const bind_address = '127.0.0.1';

// First form just accepts connections.

Server.TCP({
  Port: bind_port === 0 ? 0 : bind_port + 1,
  Address: bind_address, // Optional.
  Domain: 'AF_INET', // Optional.
  Alias: 'acceptor', // Optional.
  Acceptor: accept_handler,
  Error: error_handler, // Optional.
  Started: (_) => console.log(`first form (Acceptor) listening on ${bind_address}:${_[HEAP].listener!.getsockname()!.port}`),
});

// Second form accepts and handles connections.

Server.TCP({
  Port: bind_port,
  Address: bind_address, // Optional.
  Domain: 'AF_INET', // Optional.
  Alias: 'server', // Optional.
  // Acceptor: accept_handler,   // Current POE refuses an Acceptor beside ClientInput.
  Error: error_handler, // Optional.
  Args: ['arg0', 'arg1'], // Optional.

  SessionType: Session, // Optional.
  SessionParams: ['options', { debug: 1 }], // Optional.

  ClientInput: handle_client_input, // Required.
  ClientConnected: handle_client_connect, // Optional.
  ClientDisconnected: handle_client_disconnect, // Optional.
  ClientError: handle_client_error, // Optional.
  ClientFlushed: handle_client_flush, // Optional.
  ClientFilter: 'POE::Filter::Line', // Optional.
  ClientShutdownOnError: 0, // Optional.

  // Optionally define other states for the client session.
  InlineStates: { tell: (_) => void _[HEAP].client?.put(String(_[ARG0])) },
  PackageStates: [],
  ObjectStates: [],
  Started: (_) => console.log(`second form (ClientInput) listening on ${bind_address}:${_[HEAP].listener!.getsockname()!.port}`),
});

// Call signatures for handlers.

function accept_handler(_: EventArgs<ListenerHeap, AcceptorArgs>) {
  const [socket, remote_address, remote_port] = [_[ARG0], _[ARG1], _[ARG2]];
  console.log(`first form: accepted ${remote_address} port ${remote_port}`);
  socket.end('Accepted, and that is all the first form does.\r\n');
}

function error_handler(_: EventArgs<ListenerHeap, ErrorArgs>) {
  const [syscall_name, error_number, error_string] = [_[ARG0], _[ARG1], _[ARG2]];
  console.error(`server ${_[SESSION].ID()}: ${syscall_name} error ${error_number}: ${error_string}`);
  _[KERNEL].yield('shutdown');
}

function handle_client_input(_: EventArgs<ConnectedClientHeap, [input_record: string, wheel_id: number]>) {
  const input_record = _[ARG0];
  if (input_record === 'quit') {
    _[HEAP].client.put("B'bye!");
    _[KERNEL].yield('shutdown'); // initiate shutdown in a connection
    return;
  }
  if (input_record === 'shutdown') {
    _[HEAP].client.put('No new connections from now on.');
    _[KERNEL].post('server', 'shutdown'); // stop listening for connections
    _[KERNEL].post('acceptor', 'shutdown');
    return;
  }
  // Responding to a client.
  _[HEAP].client.put(`You said: ${input_record}`);
  _[KERNEL].yield('tell', `(your line ${(_[HEAP].lines = Number(_[HEAP].lines ?? 0) + 1)})`);
}

function handle_client_error(_: EventArgs<ConnectedClientHeap, ErrorArgs>) {
  const [syscall_name, error_number, error_string] = [_[ARG0], _[ARG1], _[ARG2]];
  if (error_number !== 0) console.error(`client error: ${syscall_name} ${error_number} ${error_string}`);
  // ClientShutdownOnError is 0: closing on errors is up to us.
  _[KERNEL].yield('shutdown');
}

function handle_client_connect(_: EventArgs<ConnectedClientHeap, [arg0: string, arg1: string]>) {
  // Reserved HEAP variables: client, remote_ip, remote_port, remote_addr, shutdown, shutdown_on_error.
  const heap: ClientHeap = _[HEAP];
  console.log(`second form: ${heap.remote_ip} port ${heap.remote_port} connected (Args: ${_[ARG0]}, ${_[ARG1]})`);
  _[HEAP].client.put('Hello! Type lines; "quit" to leave, "shutdown" to stop the server.');
}

function handle_client_disconnect(_: EventArgs<ConnectedClientHeap>) {
  console.log(`second form: ${_[HEAP].remote_ip} port ${_[HEAP].remote_port} disconnected`);
}

function handle_client_flush(_: EventArgs<ConnectedClientHeap>) {
  // no special parameters
  void _;
}

await poe_kernel.run();
console.log('both servers stopped');
