// The Net::Server synopsis's echo server, line by line: "You said '...'" for every line, "quit" ends
// the connection, and a client silent for 30 seconds is told "Timed Out." and let go.
// Run: npm run build && node examples/dist/net-server-echo.js [Single|Multiplex|Fork|PreForkSimple|PreFork|MultiType] [--port 20203] [--host 127.0.0.1]
//   (the forking ones re-run this script in each child: --min_servers 2, --max_requests 100, --server_type PreFork...)
//   (every Net::Server option works on the command line: --log_level 4, --cidr_allow 127.0.0.1/32, --conf_file F...)
//   try: nc 127.0.0.1 20203
import { Client, Fork, Multiplex, MultiType, NetServer, PreFork, PreForkSimple, Single, TimeoutError, type AnyClient } from '@poets/net-server';

const personalities = { Single, Multiplex, Fork, PreForkSimple, PreFork, MultiType };
const named = (name: string | undefined): name is keyof typeof personalities => name !== undefined && name in personalities;
const [type, ...argv] = named(process.argv[2]) ? process.argv.slice(2) : ['Single', ...process.argv.slice(2)];
const Base: typeof NetServer = personalities[type as keyof typeof personalities];

class MyPackage extends Base {
  override async process_request(client: AnyClient) {
    if (!(client instanceof Client)) return;
    try {
      for await (const line of client.lines({ timeout: 30 })) {
        client.print(`You said '${line}'\r\n`);
        if (/quit/i.test(line)) break;
      }
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      client.print('Timed Out.\r\n');
    }
  }

  override pre_loop_hook() {
    // pre_loop_hook runs in the parent only (the children of the forking types never bind)
    for (const sock of this.server.sock ?? []) console.log(`${type} echo server listening on ${sock.NS_host}:${sock.NS_port}`);
  }
}

try {
  await new MyPackage({}, { argv }).run({ host: '127.0.0.1', port: 20203 });
} catch (error) {
  console.error(`net-server-echo: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
