// The examples are part of the product: each runs with one command and says what it should.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../examples/dist/${name}.js`, import.meta.url));

describe('examples', () => {
  it('counter counts to ten', async () => {
    const { stdout } = await run('node', [example('counter')], { timeout: 10_000 });
    expect(stdout).toBe('done at 10\n');
  });

  it('ping-pong volleys five balls and both players leave', async () => {
    const { stdout } = await run('node', [example('ping-pong')], { timeout: 10_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'pong got ball #1',
      'ping got ball #2',
      'pong got ball #3',
      'ping got ball #4',
      'pong got ball #5',
      'pong leaves',
      'ping leaves',
    ]);
  });

  it('check-scheduler reports each check with its Nagios state', async () => {
    const { stdout } = await run('node', [example('check-scheduler'), '--rounds', '1', '--interval', '0.1'], { timeout: 10_000 });
    expect(stdout).toMatch(/disk ok: OK \(exit 0/);
    expect(stdout).toMatch(/load warning: WARNING \(exit 1/);
    expect(stdout).toMatch(/web critical: CRITICAL \(exit 2/);
    expect(stdout).toMatch(/scheduler stopped after 1 round\(s\)\n$/);
  });

  it('check-scheduler shuts down cleanly on SIGINT, waiting for running checks', async () => {
    const child = spawn('node', [example('check-scheduler'), '--rounds', '100', '--interval', '0.05'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('-- round 2')) resolve();
      }),
    );
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(stdout).toMatch(/caught SIGINT: no new rounds/);
    expect(stdout).toMatch(/scheduler stopped after \d+ round\(s\)\n$/);
  });
});
