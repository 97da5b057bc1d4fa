// examples/net-server-echo.ts is part of the product: the seed's echo server in each personality,
// started on 127.0.0.1 port 0 through Net::Server's own command-line options, stopped by TERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const example = fileURLToPath(new URL('../examples/dist/net-server-echo.js', import.meta.url));
const confExample = fileURLToPath(new URL('../examples/dist/net-server-conf.js', import.meta.url));
const confFile = fileURLToPath(new URL('../examples/net-server.conf', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function start(type: string, args = [example, type, '--port', '0', '--host=127.0.0.1']): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${stdout}${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port, exited, stderr: () => stderr };
}

function converse(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(lines.map((l) => `${l}\r\n`).join('')));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe.each(['Single', 'Multiplex', 'Fork', 'PreForkSimple', 'PreFork', 'MultiType'])('examples/net-server-echo.ts %s', (type) => {
  it('echoes each line, closes on quit, and exits 0 on TERM with "Server closing!" logged', async () => {
    const { child, port, exited, stderr } = await start(type);
    const [a, b] = await Promise.all([converse(port, ['hello', 'quit']), converse(port, ['second client', 'QUIT now'])]);
    expect(a).toBe("You said 'hello'\r\nYou said 'quit'\r\n");
    expect(b).toBe("You said 'second client'\r\nYou said 'QUIT now'\r\n");
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).toContain(`MyPackage (type Net::Server::${type === 'MultiType' ? 'Fork' : type}) starting!`);
    expect(stderr()).toContain('Server closing!');
  });
});

describe('examples/net-server-conf.ts', () => {
  it('takes its options, its own included, from the conf file; the command line wins over it', async () => {
    const { child, port, exited, stderr } = await start('conf', [confExample, '--conf_file', confFile, '--port=0']);
    expect(await converse(port, [])).toBe(
      'Hello from a conf-file-driven Net::Server\r\nLines of the message of the day,\r\none per "motd" line, in order.\r\n',
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).toMatch(/CONNECT TCP Peer: "\[127\.0\.0\.1\]:\d+"/); // log_level 3 from the conf file
  });
  it('refuses a conf file with an unknown key, naming it, and exits non-zero', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'net-server-conf-'));
    try {
      writeFileSync(join(dir, 'bad.conf'), 'port 0\ncolour blue\n');
      const child = spawn(process.execPath, [confExample, '--conf_file', join(dir, 'bad.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
      running.push(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(stderr).toContain('unknown key "colour"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
