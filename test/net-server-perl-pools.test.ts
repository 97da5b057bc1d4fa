// The process pools side by side with Perl's own Net::Server::PreFork, PreForkSimple and Fork
// (Debian libnet-server-perl): the same command line to both, the same conversation with each
// one's default process_request (served from a child), the same answers once the class name and
// pid are set aside; then TERM ends both parents and their children.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithPeer, reapChildrenAfterEach, until } from './support/index.js';

let havePerl = true;
try {
  execFileSync('perl', ['-MNet::Server::PreFork', '-e', '1'], { stdio: 'ignore' });
} catch {
  havePerl = false;
}
const perlMissing = havePerl ? undefined : "Perl's Net::Server is not installed (apt-get install libnet-server-perl)";
const fixture = fileURLToPath(new URL('../packages/net-server/test/fixtures/default-pool.mjs', import.meta.url));
const pids = reapChildrenAfterEach();

async function started(command: string, args: string[]): Promise<{ child: ChildProcess; port: number; exited: Promise<unknown> }> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  pids.push(child.pid!);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await until(() => /Bound to auto-assigned port \d+/.test(stderr) || child.exitCode !== null, 15_000, () => `${command} to bind: ${stderr}`);
  return { child, port: Number(/Bound to auto-assigned port (\d+)/.exec(stderr)![1]), exited };
}

function converse(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let got = '';
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      const answers = got.split('\r\n').length - 1;
      const expected = 1 + lines.slice(0, sent).reduce((n, l) => n + (/get\s+\w+/.test(l) ? 2 : 1), 0);
      if (answers >= expected && sent < lines.length) socket.write(`${lines[sent++]}\r\n`);
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

const normalize = (text: string, name: string) => text.replaceAll(name, 'CLASS').replace(/\b\d{2,}\b(?=\)|:)/g, 'PID');

describeWithPeer(perlMissing, "the pools beside Perl's Net::Server", () => {
  it.each([
    ['PreFork', ['--min_servers=2', '--max_servers=4', '--min_spare_servers=1', '--max_spare_servers=2', '--max_requests=5']],
    ['PreForkSimple', ['--max_servers=2', '--max_requests=5']],
    ['Fork', ['--max_servers=4']],
  ])('%s: a child answers the same conversation the same way, and TERM ends both', async (type, options) => {
    const argv = ['--port=0', '--host=127.0.0.1', '--log_level=2', ...options];
    const theirs = await started('perl', [`-MNet::Server::${type}`, '-e', `Net::Server::${type}->run`, '--', ...argv]);
    const mine = await started(process.execPath, [fixture, type, ...argv]);
    const conversation = ['hello there', 'get max_servers', 'get max_requests', 'quit'];
    const [a, b] = await Promise.all([converse(theirs.port, conversation), converse(mine.port, conversation)]);
    expect(a).toContain('You said "hello there"');
    const perlChild = Number(/\((\d+)\)/.exec(a)![1]);
    const ourChild = Number(/\((\d+)\)/.exec(b)![1]);
    expect(perlChild).not.toBe(theirs.child.pid);
    expect(ourChild).not.toBe(mine.child.pid);
    expect(normalize(b, type)).toBe(normalize(a, `Net::Server::${type}`));
    theirs.child.kill('SIGTERM');
    mine.child.kill('SIGTERM');
    await Promise.all([theirs.exited, mine.exited]);
  }, 40_000);
});
