// The Server.TCP examples are part of the product: each runs with one command, on 127.0.0.1, and
// does what its header says. Each is started on port 0 and driven by Node sockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const example = (name: string) => fileURLToPath(new URL(`../examples/dist/${name}.js`, import.meta.url));
const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts an example on port 0; resolves with the ports it says it listens on, in order. */
async function start(name: string, listening = 1): Promise<{ child: ChildProcess; ports: number[]; stdout: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [example(name), '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const ports = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stdout}${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const found = [...stdout.matchAll(/listening on 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
      if (found.length >= listening) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${stderr}`)));
  });
  return { child, ports, stdout: () => stdout, exited };
}

/** A socket that collects CR LF lines. */
function lines(port: number): { socket: Socket; got: string[]; next: (n?: number) => Promise<string[]>; closed: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1' });
  const got: string[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\r\n')) >= 0) {
      got.push(buffer.slice(0, at));
      buffer = buffer.slice(at + 2);
    }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const next = async (n = 1) => {
    const deadline = Date.now() + 5000;
    while (got.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} line(s), have ${JSON.stringify(got)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return got;
  };
  return { socket, got, next, closed };
}

describe('Server.TCP examples', () => {
  it('tcp-synopsis: the second form talks, the first form accepts; "shutdown" stops listening, the program ends', async () => {
    const { exited, stdout } = await start('tcp-synopsis', 2);
    const first = Number(/first form \(Acceptor\) listening on 127\.0\.0\.1:(\d+)/.exec(stdout())![1]);
    const second = Number(/second form \(ClientInput\) listening on 127\.0\.0\.1:(\d+)/.exec(stdout())![1]);
    const accepted = lines(first);
    await accepted.closed;
    expect(accepted.got).toEqual(['Accepted, and that is all the first form does.']);

    const talk = lines(second);
    await talk.next(1);
    expect(talk.got[0]).toMatch(/^Hello!/);
    talk.socket.write('hi there\n');
    await talk.next(3);
    expect(talk.got.slice(1)).toEqual(['You said: hi there', '(your line 1)']);
    talk.socket.write('shutdown\n');
    await talk.next(4);
    expect(talk.got[3]).toBe('No new connections from now on.');
    talk.socket.write('quit\n');
    await talk.closed;
    expect(talk.got[4]).toBe("B'bye!");
    expect(await exited).toBe(0);
    expect(stdout()).toMatch(/second form: 127\.0\.0\.1 port \d+ connected \(Args: arg0, arg1\)/);
    expect(stdout()).toMatch(/both servers stopped\n$/);
  });

  it('tcp-echo: every line comes back', async () => {
    const { ports, child } = await start('tcp-echo');
    const client = lines(ports[0]!);
    client.socket.write('one\ntwo\r\nthree\n');
    expect(await client.next(3)).toEqual(['one', 'two', 'three']);
    client.socket.destroy();
    child.kill('SIGTERM');
  });

  it('tcp-echo on a port in use: the bind error first, a clear message, exit status 1, and no Started', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [example('tcp-echo'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      running.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(`tcp-echo: cannot listen on 127.0.0.1:${port}: Address already in use\n`);
    } finally {
      blocker.close();
    }
  });

  it("tcp-chargen: RFC 864's rotating 72-character lines, as fast as the client reads", async () => {
    const { ports, child } = await start('tcp-chargen');
    const client = lines(ports[0]!);
    const got = await client.next(300);
    client.socket.destroy();
    child.kill('SIGTERM');
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    for (let n = 0; n < 300; n++) {
      expect(got[n]).toHaveLength(72);
      expect(got[n]).toBe((printable + printable).slice(n % 95, (n % 95) + 72));
    }
  });

  it('tcp-chat: what one says the others read; /nick and /who; SIGINT says goodbye to everyone and ends', async () => {
    const { ports, child, exited, stdout } = await start('tcp-chat');
    const alice = lines(ports[0]!);
    await alice.next(1);
    const bob = lines(ports[0]!);
    await bob.next(1);
    expect(alice.got[0]).toMatch(/^\* Welcome, guest\d+\./);
    await alice.next(2);
    expect(alice.got[1]).toMatch(/^\* guest\d+ joined$/);
    alice.socket.write('/nick alice\n');
    await alice.next(3);
    expect(alice.got[2]).toBe('* You are now alice.');
    await bob.next(2);
    expect(bob.got[1]).toMatch(/^\* guest\d+ is now alice$/);
    alice.socket.write('hello, bob\n');
    await bob.next(3);
    expect(bob.got[2]).toBe('<alice> hello, bob');
    bob.socket.write('/who\n');
    await bob.next(4);
    expect(bob.got[3]).toMatch(/^\* Here: (alice, guest\d+|guest\d+, alice)$/);
    child.kill('SIGINT');
    await Promise.all([alice.closed, bob.closed]);
    expect(alice.got).toContain('* The server is shutting down.');
    expect(bob.got).toContain('* The server is shutting down.');
    expect(await exited).toBe(0);
    expect(stdout()).toMatch(/chat server stopped\n$/);
  });
});
