// The process models (Fork, PreForkSimple, PreFork, MultiType), each run for real: the fixture
// script is the parent, node:cluster re-runs it for each child, and clients talk over loopback.
// Ports Net::Server's t/Server_PreFork.t, Server_PreForkSimple.t, Server_Fork.t and
// Server_MultiType.t (two ports, served, then `exit` closes the server), plus the pools' faults.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alive, reapChildrenAfterEach, sleep, until } from '../../../test/support/index.js';

const fixture = fileURLToPath(new URL('./fixtures/pool-echo.mjs', import.meta.url));
const pids = reapChildrenAfterEach();

interface Running {
  child: ChildProcess;
  ports: number[];
  out: () => string;
  exited: Promise<number | null>;
  /** pids of the children that ran child_init_hook so far */
  children: () => number[];
}

async function start(type: string, ...argv: string[]): Promise<Running> {
  const child = spawn(process.execPath, [fixture, type, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.push(child.pid!);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(() => /^listening /m.test(out) || child.exitCode !== null, 15_000, () => `the ${type} server to listen: ${out}`);
  const m = /^listening ([\d ]+) \d+$/m.exec(out);
  const ports = m === null ? [] : m[1]!.trim().split(" ").map(Number);
  const children = () => [...out.matchAll(/^hook child_init_hook (\d+)$/gm)].map((x) => Number(x[1]));
  return { child, ports, out: () => out, exited, children };
}

/** Sends each line once the answer to the one before came (the welcome line first); resolves with all read, or the error. */
function converse(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let got = '';
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      if (got.split('\r\n').length - 1 > sent && sent < lines.length) socket.write(`${lines[sent++]}\r\n`);
    });
    socket.on('close', () => resolve(got));
    socket.on('error', (error: NodeJS.ErrnoException) => (got += `<${error.code ?? error.message}>`));
  });
}


function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

const types: [string, string[], string][] = [
  ['PreFork', ['--min_servers', '1', '--min_spare_servers', '0', '--max_servers', '2', '--max_requests', '2'], 'Net::Server::PreFork'],
  ['PreForkSimple', ['--max_servers', '2', '--max_requests', '2'], 'Net::Server::PreForkSimple'],
  ['Fork', [], 'Net::Server::Fork'],
  ['MultiType', ['--server_type', 'Bogus', '--server_type', 'PreFork', '--min_servers', '1', '--max_servers', '2'], 'Net::Server::PreFork'],
];

describe.each(types)('%s (t/Server_%s.t)', (type, args, served) => {
  it('serves on two ports from its children; "exit" from a child closes the server, every hook in Perl\'s order', async () => {
    const server = await start(type, '--port', '0', '--port', '0', ...args);
    expect(server.ports).toHaveLength(2);
    const first = await converse(server.ports[0]!, ['hello', 'quit']);
    expect(first).toMatch(new RegExp(`^Welcome to "${served}" \\((\\d+)\\)\\r\\nYou said 'hello'\\r\\nYou said 'quit'\\r\\n$`));
    const childPid = Number(/\((\d+)\)/.exec(first)![1]);
    expect(childPid).not.toBe(server.child.pid);
    const second = await converse(server.ports[1]!, ['exit']);
    expect(second).toContain(`Welcome to "${served}"`);
    expect(await server.exited).toBe(0);
    const out = server.out();
    const order = [...out.matchAll(/^hook (\w+) (\d+)$/gm)].map((m) => `${m[1]}${Number(m[2]) === server.child.pid ? '' : '@child'}`);
    // the parent forks (pre_fork_hook), the child inits; at close the children finish, then the parent cleans up
    expect(order.indexOf('pre_fork_hook')).toBeLessThan(order.indexOf('child_init_hook@child'));
    expect(order.indexOf('child_init_hook@child')).toBeLessThan(order.indexOf('child_finish_hook@child'));
    expect(order.indexOf('pre_server_close_hook')).toBeLessThan(order.indexOf('post_child_cleanup_hook'));
    expect(order.at(-1)).toBe('post_child_cleanup_hook');
    expect(order).not.toContain('pre_fork_hook@child');
    if (type === 'MultiType') expect(out).toContain('server_type "Bogus" is not available');
    expect(await refused(server.ports[0]!)).toBe(true);
  }, 30_000);
});

describe('the pools', () => {
  it('PreForkSimple: a child serves max_requests clients, then leaves and is replaced', async () => {
    const server = await start('PreForkSimple', '--port', '0', '--max_servers', '1', '--max_requests', '2');
    const port = server.ports[0]!;
    const served: number[] = [];
    for (let i = 0; i < 4; i++) served.push(Number((await converse(port, ['pid', 'quit'])).split('\r\n')[1]));
    expect(served[0]).toBe(served[1]);
    expect(served[2]).toBe(served[3]);
    expect(served[2]).not.toBe(served[0]);
    await until(() => server.children().length >= 2, 10_000, 'the replacement child');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('a child that crashes or is killed is replaced: its client gets an error, the others are served as if nothing happened', async () => {
    const server = await start('PreFork', '--port', '0', '--min_servers', '3', '--max_servers', '5', '--min_spare_servers', '1', '--max_spare_servers', '2');
    const port = server.ports[0]!;
    await until(() => server.children().length >= 3, 10_000, 'three children');
    // a long conversation in one child while another crashes and a third is SIGKILLed
    const long = connect({ port, host: '127.0.0.1' });
    let longGot = '';
    long.setEncoding('utf8');
    long.on('data', (d: string) => (longGot += d));
    await until(() => longGot.includes('Welcome'), 10_000, 'the long client to be welcomed');
    const crashed = await converse(port, ['crash']);
    expect(crashed).not.toContain('You said');
    const victim = await new Promise<{ socket: Socket; pid: number }>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      let got = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        got += d;
        const m = /\((\d+)\)/.exec(got);
        if (m !== null) resolve({ socket, pid: Number(m[1]) });
      });
    });
    const victimClosed = new Promise<void>((resolve) => victim.socket.on('close', () => resolve()));
    victim.socket.on('error', () => {});
    process.kill(victim.pid, 'SIGKILL');
    await victimClosed;
    for (let i = 0; i < 5; i++) {
      long.write(`line ${i}\r\n`);
      await until(() => longGot.includes(`You said 'line ${i}'`), 10_000, `the long client's line ${i}`);
    }
    for (let i = 0; i < 6; i++) expect(await converse(port, ['hello', 'quit'])).toContain("You said 'hello'");
    long.end('quit\r\n');
    expect(server.out()).toMatch(/child \d+ ended \(exit 3\) while serving a client 127\.0\.0\.1:\d+/);
    expect(server.out()).toMatch(/child \d+ ended \(SIGKILL\) while serving a client/);
    await until(() => server.children().length >= 5, 10_000, 'two replacement children');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 40_000);

  it('process_request that throws is logged with the peer; the same child serves the next client', async () => {
    const server = await start('PreForkSimple', '--port', '0', '--max_servers', '1');
    const port = server.ports[0]!;
    const threw = await converse(port, ['throw']);
    const next = await converse(port, ['pid', 'quit']);
    expect(Number(/\((\d+)\)/.exec(threw)![1])).toBe(Number(next.split('\r\n')[1]));
    expect(server.out()).toMatch(/127\.0\.0\.1:\d+ process_request failed: process_request threw on purpose/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('5,000 connections abandoned at once: the pool drops them and goes on serving', async () => {
    const server = await start('PreFork', '--port', '0', '--min_servers', '2', '--max_servers', '4', '--min_spare_servers', '1', '--max_spare_servers', '2');
    const port = server.ports[0]!;
    const sockets: Socket[] = [];
    for (let i = 0; i < 5000; i++) {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.on('error', () => {});
      socket.on('connect', () => socket.destroy());
      sockets.push(socket);
    }
    await until(() => sockets.every((s) => s.destroyed), 30_000, 'the 5,000 clients to go');
    expect(await converse(port, ['hello', 'quit'])).toContain("You said 'hello'");
    expect(server.child.exitCode).toBeNull();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('kill -9 of the parent: the children exit and nothing is left listening', async () => {
    const server = await start('PreFork', '--port', '0', '--min_servers', '3', '--max_servers', '4', '--min_spare_servers', '1', '--max_spare_servers', '2');
    await until(() => server.children().length >= 3, 10_000, 'three children');
    const children = server.children();
    pids.push(...children);
    server.child.kill('SIGKILL');
    await server.exited;
    await until(() => children.every((pid) => !alive(pid)), 10_000, 'the children to exit');
    expect(await refused(server.ports[0]!)).toBe(true);
  }, 30_000);

  it('QUIT is gentle: a child finishes the client in hand, then the server exits; INT ends at once', async () => {
    const server = await start('PreFork', '--port', '0', '--min_servers', '2', '--max_servers', '3', '--min_spare_servers', '1', '--max_spare_servers', '2');
    const port = server.ports[0]!;
    const socket = connect({ port, host: '127.0.0.1' });
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    await until(() => got.includes('Welcome'), 10_000, 'the welcome');
    server.child.kill('SIGQUIT');
    await until(() => server.out().includes('Server closing!'), 10_000, 'the server to start closing');
    socket.write('still here\r\n');
    await until(() => got.includes("You said 'still here'"), 10_000, 'the answer after QUIT');
    expect(server.child.exitCode).toBeNull();
    socket.write('quit\r\n');
    expect(await server.exited).toBe(0);

    const hard = await start('PreFork', '--port', '0', '--min_servers', '1', '--max_servers', '2', '--min_spare_servers', '0');
    const held = connect({ port: hard.ports[0]!, host: '127.0.0.1' });
    let heldGot = '';
    held.setEncoding('utf8');
    held.on('data', (d: string) => (heldGot += d));
    held.on('error', () => {});
    await until(() => heldGot.includes('Welcome'), 10_000, 'the welcome');
    const heldClosed = new Promise<void>((resolve) => held.on('close', () => resolve()));
    hard.child.kill('SIGINT');
    expect(await hard.exited).toBe(0);
    await heldClosed;
  }, 40_000);

  it('TTIN grows the pool (min_servers and max_servers + 1)', async () => {
    const server = await start('PreFork', '--port', '0', '--min_servers', '1', '--max_servers', '2', '--min_spare_servers', '0', '--log_level', '3');
    await until(() => server.children().length >= 1, 10_000, 'the first child');
    await sleep(200);
    expect(server.children()).toHaveLength(1);
    server.child.kill('SIGTTIN');
    await until(() => server.out().includes('Increasing server count (3)'), 10_000, 'the TTIN log line');
    await until(() => server.children().length >= 2, 10_000, 'a second child');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('UDP: each datagram is answered from a child', async () => {
    const server = await start('PreFork', '--port', '0/udp', '--min_servers', '1', '--max_servers', '2', '--min_spare_servers', '0');
    await until(() => server.children().length >= 1, 10_000, 'a child');
    const udp = createSocket('udp4');
    const reply = new Promise<string>((resolve) => udp.on('message', (m) => resolve(String(m))));
    udp.send('ping', server.ports[0]!, '127.0.0.1');
    const answer = await reply;
    udp.close();
    expect(answer).toMatch(/^udp (\d+) ping$/);
    expect(Number(answer.split(' ')[1])).not.toBe(server.child.pid);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('check_for_dequeue with max_dequeue starts a child that runs run_dequeue', async () => {
    const server = await start('PreForkSimple', '--port', '0', '--max_servers', '1', '--check_for_dequeue', '1', '--max_dequeue', '1');
    await until(() => /^hook run_dequeue \d+$/m.test(server.out()), 15_000, 'run_dequeue');
    const pid = Number(/^hook run_dequeue (\d+)$/m.exec(server.out())![1]);
    expect(pid).not.toBe(server.child.pid);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('a pool configured wrong refuses to start with the reason', async () => {
    const server = await start('PreFork', '--port', '0', '--max_servers', '3', '--max_spare_servers', '3');
    expect(await server.exited).toBe(1);
    expect(server.out()).toContain('"max_spare_servers" (3) must be less than "max_servers" (3)');
  }, 30_000);
});

describe('serialize none: the children accept on the shared socket themselves', () => {
  it('serves from the children; a child that served max_requests is replaced with no client refused', async () => {
    const server = await start('PreForkSimple', '--port', '0', '--max_servers', '1', '--max_requests', '2', '--serialize', 'none');
    const port = server.ports[0]!;
    const served: number[] = [];
    for (let i = 0; i < 8; i++) {
      const got = await converse(port, ['pid', 'quit']);
      expect(got).toMatch(/^Welcome to "Net::Server::PreForkSimple" \(\d+\)\r\n\d+\r\nYou said 'quit'\r\n$/);
      served.push(Number(got.split('\r\n')[1]));
    }
    expect(served).not.toContain(server.child.pid);
    expect(new Set(served).size).toBeGreaterThanOrEqual(3);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 40_000);

  it('one child serves its clients at once, those the parent accepted and handed over included', async () => {
    const server = await start('PreForkSimple', '--port', '0', '--max_servers', '1', '--serialize', 'none');
    const port = server.ports[0]!;
    // each round: clients left open mid-conversation, then another that must be answered meanwhile
    // (the parent wins most accepts on a shared socket; a handed-over client must not wait for them)
    const held: Socket[] = [];
    for (let round = 0; round < 6; round++) {
      const open = connect({ port, host: '127.0.0.1' });
      held.push(open);
      await new Promise<void>((resolve) => open.once('data', () => resolve()));
      expect(await converse(port, ['hello', 'quit'])).toContain("You said 'hello'");
    }
    for (const socket of held) socket.destroy();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 40_000);

  it('a crashed child is replaced while the others serve; kill -9 of the parent leaves nothing listening', async () => {
    const server = await start('PreFork', '--port', '0', '--min_servers', '2', '--max_servers', '3', '--min_spare_servers', '1', '--max_spare_servers', '2', '--serialize', 'none');
    const port = server.ports[0]!;
    await until(() => server.children().length >= 2, 10_000, 'two children');
    expect(await converse(port, ['crash'])).not.toContain('You said');
    for (let i = 0; i < 6; i++) expect(await converse(port, ['hello', 'quit'])).toContain("You said 'hello'");
    await until(() => server.children().length >= 3, 10_000, 'the replacement');
    const children = server.children();
    pids.push(...children);
    server.child.kill('SIGKILL');
    await server.exited;
    await until(() => children.every((pid) => !alive(pid)), 10_000, 'the children to exit');
    expect(await refused(port)).toBe(true);
  }, 40_000);
});
