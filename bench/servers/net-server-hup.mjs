// The HUP benchmark's poets server: Multiplex, each line answered `generation:line` (the generation
// is the process's pid, new after each restart). Usage: net-server-hup.mjs --port=N --pid_file=F
import { Client, Multiplex } from '@poets/net-server';

class HupBench extends Multiplex {
  async process_request(client) {
    if (!(client instanceof Client)) return;
    for await (const line of client.lines({ timeout: 30 })) client.print(`${process.pid}:${line}\n`);
  }
}

await HupBench.run({ host: '127.0.0.1', log_level: 0 });
