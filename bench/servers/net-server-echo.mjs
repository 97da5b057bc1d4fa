// The benchmark's echo server on @poets/net-server: every line read is written back, until the
// client closes. Same settings as bench/servers/net-server-echo.pl (Perl's Net::Server).
//   node bench/servers/net-server-echo.mjs PreFork|Multiplex PORT [Net::Server options...]
import { Client, Multiplex, PreFork } from '@poets/net-server';
import { silentLogger } from '@poets/kernel';

const [type, port, ...argv] = process.argv.slice(2);
const Base = type === 'Multiplex' ? Multiplex : PreFork;

class BenchEcho extends Base {
  async process_request(client) {
    if (!(client instanceof Client)) return;
    for await (const line of client.lines()) client.print(line, '\n');
  }
  child_init_hook() {
    console.log('child ready');
  }
  pre_loop_hook() {
    console.log(`listening 127.0.0.1:${port} ${type}`);
  }
}

await new BenchEcho({}, { argv, logger: silentLogger }).run({ host: '127.0.0.1', port: Number(port), log_level: 0 });
