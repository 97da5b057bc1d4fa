// An echo server: each line a client sends comes back to it (POE::Component::Server::TCP's
// DESCRIPTION example), with a Net::Server-style idle timeout and line limit.
// Run: npm run build && node examples/dist/tcp-echo.js [port]     (default 12345, on 127.0.0.1)
//   try: nc 127.0.0.1 12345
import { ARG0, HEAP, poe_kernel } from '@poets/kernel';
import { Server } from '@poets/server-tcp';

const port = Number(process.argv[2] ?? 12345);

Server.TCP({
  Address: '127.0.0.1',
  Port: port,
  ClientInput: (_) => void _[HEAP].client.put(_[ARG0]),
  idleTimeout: 300,
  maxLineLength: 64 * 1024,
  Started: (_) => console.log(`echo server listening on 127.0.0.1:${_[HEAP].listener!.getsockname()!.port}`),
});

await poe_kernel.run();
