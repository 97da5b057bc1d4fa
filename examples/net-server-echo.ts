// The Net::Server synopsis's echo server, line by line: "You said '...'" for every line, "quit" ends
// the connection, and a client silent for 30 seconds is told "Timed Out." and let go.
// Run: npm run build && node examples/dist/net-server-echo.js [Single|Multiplex] [--port 20203] [--host 127.0.0.1]
//   (every Net::Server option works on the command line: --log_level 4, --cidr_allow 127.0.0.1/32, --conf_file F...)
//   try: nc 127.0.0.1 20203
import { Client, Multiplex, Single, TimeoutError, type AnyClient } from '@poets/net-server';

const [type, ...argv] = process.argv[2] === 'Single' || process.argv[2] === 'Multiplex' ? process.argv.slice(2) : ['Single', ...process.argv.slice(2)];
const Base = type === 'Multiplex' ? Multiplex : Single;

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
    for (const sock of this.server.sock ?? []) console.log(`${type} echo server listening on ${sock.NS_host}:${sock.NS_port}`);
  }
}

try {
  await new MyPackage({}, { argv }).run({ host: '127.0.0.1', port: 20203 });
} catch (error) {
  console.error(`net-server-echo: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
