// nats-server from Debian for the tests: started on loopback, stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineLogger, type Logger } from '@poets/kernel';
import { freePort, until as sharedUntil } from '../../../test/support/index.js';

export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));

/** Why the suite cannot run, or undefined; for describeWithPeer (test/support), which fails the suite under CI. */
export function natsMissing(): string | undefined {
  if (NATS_SERVER !== undefined) return undefined;
  return 'nats-server is not installed (apt-get install nats-server)';
}

export interface NatsServerOptions {
  /** A nats-server configuration file's text (auth, permissions), written beside the store. */
  config?: string;
  /** Cluster: this node's route port and the other nodes' route ports. */
  cluster?: { name: string; port: number; routes: number[]; serverName: string };
  port?: number;
  storeDir?: string;
  jetstream?: boolean;
}

export class NatsServer {
  process: ChildProcess | undefined;
  readonly port: number;
  readonly storeDir: string;
  private readonly ownsStore: boolean;
  log = '';

  private constructor(
    port: number,
    private readonly options: NatsServerOptions,
  ) {
    this.port = port;
    this.ownsStore = options.storeDir === undefined;
    this.storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'poets-nats-'));
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(options.port ?? (await freePort()), options);
    await server.run();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts (again, after stop) on the same port with the same store. */
  async run(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    if (this.options.jetstream !== false) args.push('-js', '-sd', this.storeDir);
    if (this.options.config !== undefined) {
      const file = join(this.storeDir, 'nats.conf');
      writeFileSync(file, this.options.config);
      args.push('-c', file);
    }
    const cluster = this.options.cluster;
    if (cluster) {
      args.push('--name', cluster.serverName, '--cluster_name', cluster.name, '--cluster', `nats://127.0.0.1:${cluster.port}`);
      args.push('--routes', cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(','));
    }
    const child = spawn(NATS_SERVER!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    child.stderr!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${this.log}`)), 15_000);
      child.stderr!.on('data', (chunk: string) => {
        this.log += chunk;
        if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
        if (/Server is ready/.test(chunk)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${this.log}`));
      });
    });
  }

  /** Stops it by PID (SIGTERM, then SIGKILL after 5 s), keeping the store for a restart. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, signal);
    const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsStore) rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/** A three-node cluster on loopback, every node with JetStream. */
export async function startCluster(): Promise<NatsServer[]> {
  const routes = [await freePort(), await freePort(), await freePort()];
  const ports = [await freePort(), await freePort(), await freePort()];
  return Promise.all(
    ports.map((port, i) =>
      NatsServer.start({ port, cluster: { name: 'poets', serverName: `n${i}`, port: routes[i]!, routes: routes.filter((_, j) => j !== i) } }),
    ),
  );
}

/** The shared `until` with a NATS-sized default bound (generous: no timing assertions). */
export function until(condition: () => boolean, ms = 15_000, what: string | (() => string) = 'condition'): Promise<void> {
  return sharedUntil(condition, ms, what, 20);
}

export function hasNatsServer(): boolean {
  return NATS_SERVER !== undefined && spawnSync(NATS_SERVER, ['--version']).status === 0;
}

/** A logger that keeps lines, to assert the logged reasons. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = lineLogger((line) => void lines.push(line));
  return Object.assign(logger, { lines });
}
