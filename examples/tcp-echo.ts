// An echo server: each line a client sends comes back to it (POE::Component::Server::TCP's
// DESCRIPTION example), with a Net::Server-style idle timeout and line limit. A client that sends
// and never reads is paused at 1 MiB of unread output (Server::TCP's default backPressure).
// Run: npm run build && node examples/dist/tcp-echo.js [port]     (default 12345, on 127.0.0.1)
//   try: nc 127.0.0.1 12345
import { ARG0, ARG2, HEAP, KERNEL, SESSION, poe_kernel } from '@poets/kernel';
import { Server } from '@poets/server-tcp';

const port = Number(process.argv[2] ?? 12345);

Server.TCP({
  Address: '127.0.0.1',
  Port: port,
  ClientInput: (_) => void _[HEAP].client.put(_[ARG0]),
  idleTimeout: 300,
  maxLineLength: 64 * 1024,
  Started: (_) => console.log(`echo server listening on 127.0.0.1:${_[HEAP].listener!.getsockname()!.port}`),
  // a port already in use (or any bind error): say so, stop, and exit non-zero
  Error: (_) => {
    console.error(`tcp-echo: cannot listen on 127.0.0.1:${port}: ${String(_[ARG2])}`);
    process.exitCode = 1;
    _[KERNEL].post(_[SESSION], 'shutdown');
  },
});

await poe_kernel.run();
