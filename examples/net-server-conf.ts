// A Net::Server configured from a conf file, with options of its own: `greeting` (one value) and
// `motd` (a list, one conf line each) join Net::Server's options through the options template.
// Run: npm run build && node examples/dist/net-server-conf.js --conf_file examples/net-server.conf
//   try: nc 127.0.0.1 20204
import { Client, Multiplex, scalarRef, type AnyClient, type OptionsTemplate } from '@poets/net-server';

class Greeter extends Multiplex {
  override options(template: OptionsTemplate): OptionsTemplate {
    super.options(template);
    template.greeting = scalarRef(this.server, 'greeting');
    this.server.motd ??= [];
    template.motd = this.server.motd as unknown[];
    return template;
  }

  override default_values(): Record<string, unknown> {
    return { greeting: 'Hello', conf_file: 'examples/net-server.conf' };
  }

  override post_configure_hook() {
    if (String(this.server.greeting).length > 200) throw new Error('greeting is longer than 200 characters');
  }

  override process_request(client: AnyClient) {
    if (!(client instanceof Client)) return;
    client.print(`${String(this.server.greeting)}\r\n`);
    for (const line of this.server.motd as string[]) client.print(`${line}\r\n`);
  }

  override pre_loop_hook() {
    for (const sock of this.server.sock ?? []) console.log(`greeter listening on ${sock.NS_host}:${sock.NS_port}`);
  }
}

try {
  await Greeter.run();
} catch (error) {
  console.error(`net-server-conf: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
