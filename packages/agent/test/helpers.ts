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
