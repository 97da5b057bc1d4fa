import { connect, createServer, type Socket } from 'node:net';

/** A connected TCP pair on 127.0.0.1: `near` for the wheel under test, `far` for the test's peer. */
export async function socketPair(): Promise<{ near: Socket; far: Socket; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const far = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => far.once('connect', resolve));
  const near = await accepted;
  server.close();
  return {
    near,
    far,
    close() {
      near.destroy();
      far.destroy();
    },
  };
}

/** Everything `socket` receives until it ends, as a string. */
export function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
}
