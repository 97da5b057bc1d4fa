// The floor for the NSCA benchmark: Node's `net` with the NSCA codec and the command-file writer,
// and nothing else (no kernel, no wheels, no checks of time_out or access). What Node itself costs.
//   node bench/servers/bare-nsca.mjs PORT COMMAND_FILE PASSWORD METHOD
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { CommandFile, NscaDecoder, commandLine } from '@poets/server-nsca';

const [port, file, password, method] = process.argv.slice(2);
const commands = new CommandFile({ path: file, append: true, aggregate: false, log: (line) => console.error(line) });
const record = (results) => {
  const now = Math.floor(Date.now() / 1000);
  for (const r of results) if (r.ok) commands.write(commandLine(r.packet, now));
};
const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
  const iv = randomBytes(128);
  const init = Buffer.allocUnsafe(132);
  iv.copy(init);
  init.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0, 128);
  socket.write(init);
  const decoder = new NscaDecoder(Number(method), password, iv, {});
  socket.on('data', (chunk) => record(decoder.push(chunk)));
  socket.on('end', () => {
    record(decoder.end());
    socket.end();
  });
  socket.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port: Number(port), backlog: 1024 }, () => console.error(`listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  commands.close();
  process.exit(0);
});
