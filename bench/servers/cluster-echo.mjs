// The ceiling of a Node process pool for bench/net-server.mjs: bare node:cluster workers sharing one
// listening socket (SCHED_NONE: each accepts itself, no parent hand-off), each echoing lines as the
// raw `net` echo server does. No Net::Server flow, hooks or pool management.
//   node bench/servers/cluster-echo.mjs PORT WORKERS
import cluster from 'node:cluster';
import { createServer } from 'node:net';

const [port, workers] = process.argv.slice(2).map(Number);
cluster.schedulingPolicy = cluster.SCHED_NONE;

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => ++listening === workers && console.log(`listening 127.0.0.1:${port} cluster`));
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  createServer((socket) => {
    let rest = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      const data = rest + chunk;
      let start = 0;
      let at;
      socket.cork();
      while ((at = data.indexOf('\n', start)) !== -1) {
        socket.write(data.slice(start, at + 1), 'latin1');
        start = at + 1;
      }
      socket.uncork();
      rest = data.slice(start);
    });
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
  }).listen(port, '127.0.0.1', () => console.log('child ready'));
}
