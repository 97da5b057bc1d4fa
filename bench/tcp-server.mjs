// Server.TCP's line-echo server beside the raw `net` echo server, driven by the shared load
// generator in the same run: throughput with 1 and 50 connections, and connections per second
// (each connection: one line echoed, half-close, the server closes).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareServers } from './echo.mjs';

const tools = fileURLToPath(new URL('../../shared/bench-tools/', import.meta.url));
const tcpServer = fileURLToPath(new URL('./servers/tcp-echo.mjs', import.meta.url));

export async function run() {
  if (!existsSync(`${tools}loadgen-lines.mjs`)) {
    console.log('tcp-server: skipped (../shared/bench-tools not found beside the repository)');
    return;
  }
  const ours = (port) => [tcpServer, String(port)];
  const raw = (port) => [`${tools}node-echo-server.mjs`, String(port), 'cork'];
  await compareServers('Server.TCP echo, 1 conn', 'lines/s', ours, raw, ['-c', '1', '-m', '200000'], 0.7, 'raw net echo (cork)');
  await compareServers('Server.TCP echo, 50 conns', 'lines/s', ours, raw, ['-c', '50', '-m', '20000'], 0.7, 'raw net echo (cork)');
  await compareServers('Server.TCP connections', 'conns/s', ours, raw, ['--connect', '-k', '10000', '-c', '16'], 0.6, 'raw net echo (cork)');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
