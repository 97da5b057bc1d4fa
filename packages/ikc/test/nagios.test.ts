// Check results through JetStream into the Nagios command file: nothing lost while the consumer
// is killed and restarted mid-load, nothing acknowledged before its line is written.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '@poets/kernel';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NagiosConsumer, ensureCheckStream, publishCheckResult } from '../src/index.js';
import { NatsServer, natsMissing, recordingLogger, until } from './nats-server.js';
import { describeWithPeer } from '../../../test/support/index.js';

const missing = natsMissing();
const CLI = fileURLToPath(new URL('../dist/cli/ikc-nagios.js', import.meta.url));

describeWithPeer(missing, 'poets-ikc-nagios', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let dir: string;
  beforeAll(async () => {
    nats = await NatsServer.start();
    nc = await connect({ servers: nats.url });
    dir = mkdtempSync(join(tmpdir(), 'poets-ikc-nagios-'));
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const outputs = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

  it('writes each check as nsca would, refuses malformed ones, and leaves checks in the stream while the FIFO has no reader', async () => {
    const fifo = join(dir, 'nagios.cmd');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const kernel = new Kernel({ warn: () => undefined });
    const logger = recordingLogger();
    const consumer = NagiosConsumer.spawn({ kernel, logger, servers: nats.url, command_file: fifo, stream: 'CHK1', subject: 'chk1', retry: 0.1 });
    const running = kernel.run();
    await consumer.ready;
    await publishCheckResult(nc, { host_name: 'web1', svc_description: 'HTTP', return_code: 0, plugin_output: 'OK - a\\b\nsecond line', time: 1700000000 }, { stream: 'CHK1', subject: 'chk1' });
    await publishCheckResult(nc, { host_name: 'web1', return_code: 1, plugin_output: 'host WARN', time: 1700000001 }, { stream: 'CHK1', subject: 'chk1' });
    nc.publish('chk1', '{"host_name": 5}');
    await until(() => consumer.stats.retried >= 2 && consumer.stats.refused === 1, 30_000, () => `retries while nobody reads (${JSON.stringify(consumer.stats)})`);
    expect(logger.lines.join('\n')).toMatch(/cannot open .*nagios\.cmd: no process is reading it/);
    expect(logger.lines.join('\n')).toMatch(/refused check #3: no host_name/);
    expect(consumer.stats.written).toBe(0);
    // Nagios starts reading
    // opened read-write, as Nagios holds its command pipe: no EOF when a writer closes it
    const reader = spawn('sh', ['-c', `exec cat 0<> '${fifo}'`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let got = '';
    reader.stdout.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
    await until(() => got.split('\n').length >= 3, 30_000, () => `two lines through the FIFO (${JSON.stringify(consumer.stats)}, got ${JSON.stringify(got)})`);
    expect(got).toBe(
      '[1700000000] PROCESS_SERVICE_CHECK_RESULT;web1;HTTP;0;OK - a\\\\b\\nsecond line\n[1700000001] PROCESS_HOST_CHECK_RESULT;web1;1;host WARN\n',
    );
    await consumer.shutdown();
    reader.kill();
    await running;
  }, 90_000);

  it('loses no check while the consumer is killed mid-load and restarted', async () => {
    const file = join(dir, 'commands.txt');
    writeFileSync(file, '');
    const N = 2000;
    const start = () =>
      spawn('node', [CLI, '-C', file, '-s', nats.url, '--stream', 'CHK2', '--subject', 'chk2', '--ack-wait', '3'], { stdio: ['ignore', 'ignore', 'pipe'] });
    // the submit side creates the stream before its first check, so checks wait for the consumer
    await ensureCheckStream(nc, { stream: 'CHK2', subject: 'chk2' });
    let child: ChildProcess = start();
    let published = 0;
    const load = (async () => {
      for (let i = 0; i < N; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            publishCheckResult(nc, { host_name: `h${(i + j) % 7}`, svc_description: 'load', return_code: 0, plugin_output: `check ${i + j}` }, { stream: 'CHK2', subject: 'chk2', msgID: `c${i + j}` }),
          ),
        );
        published += 50;
      }
    })();
    await until(() => outputs(file).length >= N / 4, 30_000, 'a quarter written');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    const atKill = outputs(file).length;
    child = start();
    await load;
    expect(published).toBe(N);
    await until(() => new Set(outputs(file).map((l) => l.split(';').pop())).size === N, 60_000, `all ${N} checks written`);
    const lines = outputs(file);
    const seen = new Map<string, number>();
    for (const line of lines) {
      expect(line).toMatch(/^\[\d+\] PROCESS_SERVICE_CHECK_RESULT;h\d;load;0;check \d+$/);
      const key = line.split(';').pop()!;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(N);
    const duplicates = lines.length - N;
    console.log(`consumer killed after ${atKill} lines; ${N} checks all written, ${duplicates} written twice (written, not yet acknowledged at the kill)`);
    const stopped = new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGTERM');
    expect(await stopped).toBe(0);
  }, 120_000);
});
