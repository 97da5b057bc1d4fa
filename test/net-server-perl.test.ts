// Side by side with Perl's own Net::Server 2.x (Debian libnet-server-perl): the same command line
// and conf file given to both, the same conversation with each one's default process_request (its
// sample echo server), and the same answers once the class name and pid are set aside.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@poets/kernel';
import { NetServer, parse_info, type PortSpec } from '@poets/net-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPeer } from './support/index.js';

let havePerl = true;
try {
  execFileSync('perl', ['-MNet::Server', '-e', '1'], { stdio: 'ignore' });
} catch {
  havePerl = false;
}
const perlMissing = havePerl ? undefined : "Perl's Net::Server is not installed (apt-get install libnet-server-perl)";

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

describeWithPeer(perlMissing, "side by side with Perl's Net::Server 2.x", () => {
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

/** Calls the real Net::Server::Proto->parse_info for each [port, host, proto, ipv]; a refusal is { error }. */
const PARSE_INFO = `
use strict; use Net::Server::Proto; use JSON::PP;
package FakeServer; sub new { bless {}, shift } sub fatal { die $_[1] } sub log {}
package main;
my $server = FakeServer->new;
my @out;
for my $spec (@{ decode_json($ARGV[0]) }) {
  my @r = eval { Net::Server::Proto->parse_info(@$spec[0..3], $server) };
  push @out, $@ ? { error => "$@" } : [map { {%$_} } @r];
}
print JSON::PP->new->canonical->encode(\\@out);
`;

describeWithPeer(perlMissing, "port parsing beside Perl's Net::Server::Proto parse_info", () => {
  it('every form gives the same endpoints (IPV=4, as Port_Configuration.t runs)', () => {
    const specs: [PortSpec, string?, string?, string?][] = [
      [20201], ['localhost:20202'], ['localhost:20202/tcp'], ['localhost:20202/ipv4'], ['localhost:20201/ipv4/tcp'],
      ['localhost:20202/tcp/IPv4'], ['localhost|20201|ipv4|tcp'], ['localhost,20202,tcp,IPv4'], ['localhost 20201 ipv4 tcp'],
      ['localhost, 20202, tcp, IPv4'], ['localhost:20202/udp'], [20201, 'bar.com', 'UDP'], ['foo.com:20202/tcp', 'bar.com', 'UDP'],
      ['[localhost]:20202/tcp'], ['localhost,20202,Net::Server::Proto::TCP'], ['foo/bar/unix'], ['/foo/bar|unix'],
      ['foo/bar|sock_dgram|unix'], ['/foo/bar|sock_stream|unix'], ['[*]:20201:IPv6'], ['[localhost]:IPv6:20201'],
      [20201, 'localhost/IPv6'], [20201, 'localhost', 'udp IPv6'], ['localhost, 20201, IPv6, IPv4'], ['localhost, 20201', undefined, undefined, 'IPv4, IPv6'],
      [20201, '::1', undefined, '6'], ['20203/ssl'], [{ port: 20201, host: 'foo.com', proto: 'udp' }], [{ port: 20202, listen: 6 }],
      [20201, 'bad host!'], [20201, undefined, undefined, '5'],
    ];
    const theirs = JSON.parse(
      execFileSync('perl', ['-e', PARSE_INFO, JSON.stringify(specs.map((s) => [s[0], s[1] ?? null, s[2] ?? null, s[3] ?? null]))], {
        env: { ...process.env, IPV: '4' },
        encoding: 'utf8',
      }),
    ) as ({ error: string } | Record<string, unknown>[])[];
    expect(theirs).toHaveLength(specs.length);
    expect(theirs.filter((r) => !Array.isArray(r))).toHaveLength(2); // the bad host and the bad ipv
    const saved = process.env.IPV;
    process.env.IPV = '4';
    try {
      specs.forEach((spec, i) => {
        const want = theirs[i]!;
        if (!Array.isArray(want)) {
          expect(() => parse_info(spec[0], spec[1], spec[2], spec[3]), `${JSON.stringify(spec)} refused by Perl: ${want.error}`).toThrow();
          return;
        }
        const mine = parse_info(spec[0], spec[1], spec[2], spec[3]).map((info) => ({ ...info, port: String(info.port) }));
        expect(mine, JSON.stringify(spec)).toEqual(want.map((info) => ({ ...info, port: String(info.port) })));
      });
    } finally {
      if (saved === undefined) delete process.env.IPV;
      else process.env.IPV = saved;
    }
  });
});
