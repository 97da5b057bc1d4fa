// Shared test helpers: an isolated kernel, a logger that records lines, temporary folders.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { Kernel, formatLogLine, type LogLevel, type Logger } from '@poets/kernel';
import { Agent, type AgentOptions } from '@poets/agent';

export interface RecordingLogger extends Logger {
  lines: { level: LogLevel; line: string }[];
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const lines: { level: LogLevel; line: string }[] = [];
  return {
    lines,
    log(level, message, context) {
      lines.push({ level, line: formatLogLine(message, context) });
    },
    text() {
      return lines.map((l) => `${l.level} ${l.line}`).join('\n');
    },
  };
}

const made: string[] = [];
// Registered while the test file imports this module: the file's folders go when its tests are done.
afterAll(() => {
  for (const dir of made.splice(0)) {
    try {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a folder that cannot be removed is left in the temporary directory
    }
  }
});

/** A new temporary folder, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'poets-agent-'));
  made.push(dir);
  return dir;
}

/** Writes `files` (name → contents) into a new temporary folder and returns it. */
export function withFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** An agent on an isolated kernel with a recording logger. */
export function makeAgent(options: AgentOptions = {}): { agent: Agent; logger: RecordingLogger } {
  const logger = recordingLogger();
  const agent = new Agent({ kernel: new Kernel({ logger }), logger, metricsInterval: 0, ...options });
  return { agent, logger };
}

/** The agent's own keys in every submit_metrics snapshot (labelled counters add `.<reason>` keys once they count). */
export const AGENT_METRIC_KEYS = [
  'kernel.events.dispatched',
  'kernel.events.dispatched.alarm',
  'kernel.events.dispatched.call',
  'kernel.events.dispatched.post',
  'kernel.events.dispatched.signal',
  'kernel.lag.last',
  'kernel.lag.max',
  'kernel.lag.mean',
  'kernel.queue',
  'kernel.sessions',
  'kernel.timers',
  'nrpe.bytes.received',
  'nrpe.bytes.sent',
  'nrpe.connections.accepted',
  'nrpe.refused',
  'nsca.client.failed',
  'nsca.client.queued',
  'nsca.client.sent',
  'nsca.server.bytes.received',
  'nsca.server.bytes.sent',
  'nsca.server.connections.accepted',
  'nsca.server.refused',
];

/**
 * Splits a snapshot into the providers' keys and the agent's own, checking the agent's: exactly
 * AGENT_METRIC_KEYS, numbers, the dispatch total the sum of its kinds, the network counters 0
 * (no such module loaded) and at least one session alive.
 */
export function providersPart(snapshot: Record<string, string>): Record<string, string> {
  const own = new Set(AGENT_METRIC_KEYS);
  const providers = Object.fromEntries(Object.entries(snapshot).filter(([key]) => !own.has(key)));
  const mine = Object.fromEntries(Object.entries(snapshot).filter(([key]) => own.has(key)));
  if (Object.keys(mine).sort().join() !== AGENT_METRIC_KEYS.join()) throw new Error(`agent keys: ${Object.keys(mine).sort().join()}`);
  const n = (key: string) => Number(mine[key]);
  const kinds = n('kernel.events.dispatched.post') + n('kernel.events.dispatched.call') + n('kernel.events.dispatched.signal') + n('kernel.events.dispatched.alarm');
  if (n('kernel.events.dispatched') !== kinds) throw new Error(`dispatched ${mine['kernel.events.dispatched']} is not the sum of its kinds (${kinds})`);
  if (!(n('kernel.sessions') >= 1)) throw new Error(`kernel.sessions = ${mine['kernel.sessions']}`);
  for (const key of AGENT_METRIC_KEYS.filter((k) => /^(nrpe|nsca)\./.test(k))) if (mine[key] !== '0') throw new Error(`${key} = ${mine[key]}, expected 0`);
  return providers;
}
