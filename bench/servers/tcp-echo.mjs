// A line-echo server built with Server.TCP (POE::Component::Server::TCP): one session per
// connection, a Line filter with "\n" ends, ClientInput puts each line back. The benchmark drives
// it and the raw `net` server alike.
//   node bench/servers/tcp-echo.mjs PORT
import { ARG0, HEAP, FilterLine, poe_kernel } from '@poets/kernel';
import { Server } from '@poets/server-tcp';

const port = Number(process.argv[2]);

Server.TCP({
  Address: '127.0.0.1',
  Port: port,
  listenQueue: 1024,
  ClientFilter: [FilterLine, { Literal: '\n' }],
  ClientInput: (_) => void _[HEAP].client.put(_[ARG0]),
  Started: () => console.log(`listening 127.0.0.1:${port} Server.TCP`),
});
process.on('SIGTERM', () => process.exit(0));
await poe_kernel.run();
