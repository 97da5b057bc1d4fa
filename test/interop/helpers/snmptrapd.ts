import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNMPTRAPD, stopper } from './snmpd.js';

export interface Snmptrapd {
  port: number;
  /** What snmptrapd has logged so far (-Lo: one header line and one varbind line per notification). */
  log(): string;
  /** Resolves once the log holds `text`; rejects after `ms`. */
  waitFor(text: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real snmptrapd on 127.0.0.1 at `port`, in the foreground (-f), logging to standard output (-Lo) with
 * numeric OIDs (-On), its own configuration (`config` lines, -C -c) in a temporary folder and its
 * persistent data in another (snmptrapd rewrites its persistent snmptrapd.conf at exit, so the two
 * must differ). Stopped by PID.
 */
export async function startSnmptrapd(port: number, config: string[]): Promise<Snmptrapd> {
  const dir = mkdtempSync(join(tmpdir(), 'poets-snmptrapd-'));
  const persist = join(dir, 'persist');
  mkdirSync(persist);
  const conf = join(dir, 'snmptrapd.conf');
  writeFileSync(conf, [...config, ''].join('\n'));
  const child: ChildProcess = spawn(SNMPTRAPD, ['-f', '-On', '-Lo', '-C', '-c', conf, '-p', join(dir, 'pid'), `udp:127.0.0.1:${port}`], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: persist, MIBS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // bounded: a test that floods it keeps the last 4 MB
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 4 << 20) output = output.slice(-(4 << 20));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const log = () => output;
  const stop = stopper(child, dir);
  const waitFor = async (text: string, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!log().includes(text)) {
      if (Date.now() > deadline) throw new Error(`snmptrapd did not log ${JSON.stringify(text)} within ${ms} ms; its log:\n${log()}`);
      if (child.exitCode !== null) throw new Error(`snmptrapd exited (${child.exitCode}); its log:\n${log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    // it logs its version once it listens
    await waitFor('NET-SNMP version', 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, log, waitFor, stop };
}
