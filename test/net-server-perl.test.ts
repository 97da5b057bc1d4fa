// Side by side with Perl's own Net::Server 2.x (Debian libnet-server-perl): the same command line
// and conf file given to both, the same conversation with each one's default process_request (its
// sample echo server), and the same answers once the class name and pid are set aside.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@poets/kernel';
import { NetServer } from '@poets/net-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let havePerl = true;
try {
  execFileSync('perl', ['-MNet::Server', '-e', '1'], { stdio: 'ignore' });
} catch {
  havePerl = false;
}
if (!havePerl && process.env.CI) throw new Error("Perl's Net::Server (libnet-server-perl) is missing: the side-by-side suite cannot run in CI");

const dir = mkdtempSync(join(tmpdir(), 'net-server-perl-'));
const conf = join(dir, 'server.conf');
// conf sets log_level 3, the command line sets 2: the command line must win in both
writeFileSync(conf, '# side by side\nlog_level 3\nlisten 7\n\nreverse_lookups 0 # off\n');
const argv = ['--port=0', '--host=127.0.0.1', `--conf_file=${conf}`, '--log_level=2'];

let perl: ChildProcess | undefined;
let perlPort = 0;

beforeAll(async () => {
  if (!havePerl) return;
  perl = spawn('perl', ['-MNet::Server', '-e', 'Net::Server->run', '--', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  perlPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Perl Net::Server did not start: ${stderr}`)), 10_000);
    perl!.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const m = /Bound to auto-assigned port (\d+)/.exec(stderr);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
});

afterAll(() => {
  if (perl?.pid !== undefined && perl.exitCode === null) process.kill(perl.pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Sends the lines one at a time, each after the answer to the one before; resolves with everything read. */
function converse(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let got = '';
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      // the welcome line, then one echo per line sent (and one more for a `get`)
      const answers = got.split('\r\n').length - 1;
      const expected = 1 + lines.slice(0, sent).reduce((n, l) => n + (/get\s+\w+/.test(l) ? 2 : 1), 0);
      if (answers >= expected && sent < lines.length) socket.write(`${lines[sent++]}\r\n`);
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

const normalize = (text: string, name: string) => text.replaceAll(name, 'CLASS').replace(/\b\d{2,}\b(?=\)|:)/g, 'PID');

describe.skipIf(!havePerl)("side by side with Perl's Net::Server 2.x", () => {
  it('the default process_request answers the same, configured the same from command line and conf file', async () => {
    const ours = new NetServer({}, { argv, logger: silentLogger, signals: false });
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    ours.pre_loop_hook = () => ready();
    const done = ours.run();
    await listening;
    const conversation = ['hello there', 'get log_level', 'get listen', 'quit'];
    const [theirs, mine] = await Promise.all([
      converse(perlPort, conversation),
      converse(Number(ours.server.sock![0]!.NS_port), conversation),
    ]);
    await ours.server_close();
    await done;
    expect(theirs).toContain('log_level: 2\r\n');
    expect(normalize(mine, 'NetServer')).toBe(normalize(theirs, 'Net::Server'));
  });
});
