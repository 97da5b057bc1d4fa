// The Net::Server synopsis's echo server as an INET server: inetd, xinetd or a systemd socket unit
// (Accept=yes) accepts the connection and starts this program with the client on standard input and
// output. examples/net-server-xinetd.conf is an xinetd entry for it.
// Try without inetd: npm run build && printf 'hello\r\nquit\r\n' | node examples/dist/net-server-inet.js
import { Client, INET, TimeoutError, type AnyClient } from '@poets/net-server';

class MyPackage extends INET {
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
}

// xinetd gives this process's standard error to the client too: log to a file (or Sys::Syslog)
await MyPackage.run({ log_level: 0 });
