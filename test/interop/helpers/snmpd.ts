import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { freeUdpPort } from '../../support/index.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const SNMPD = '/usr/sbin/snmpd';
export const SNMPGET = '/usr/bin/snmpget';
export const SNMPBULKWALK = '/usr/bin/snmpbulkwalk';
export const SNMPSET = '/usr/bin/snmpset';
export const SNMPTRAP = '/usr/bin/snmptrap';
export const SNMPTRAPD = '/usr/sbin/snmptrapd';
/** What the snmpd suites need (Debian snmpd and snmp). */
export const SNMPD_PROGRAMS = [SNMPD, SNMPGET, SNMPBULKWALK, SNMPSET];
export const haveSnmpd = existsSync(SNMPD) && existsSync(SNMPGET) && existsSync(SNMPBULKWALK);

/**
 * The MIB modules net-snmp (npm) ships, which Debian's snmp package leaves out (they are in the
 * non-free snmp-mibs-downloader): the C tools load them from here to print names as we do.
 */
export const NPM_MIBS = ['-M', `+${join(dirname(createRequire(import.meta.url).resolve('net-snmp')), 'lib', 'mibs')}`, '-m', 'SNMPv2-MIB:IF-MIB:RFC1213-MIB'];

export const V3 = { SecName: 'poetsuser', AuthPass: 'poetsauthpass', PrivPass: 'poetsprivpass' };

export interface Snmpd {
  port: number;
  dir: string;
  /** snmpd's log so far (with `dump`, one "Received … from UDP: [addr]:port->…" line per packet). */
  log(): string;
  stop(): Promise<void>;
}

export interface SnmpdOptions {
  /** More snmpd.conf lines (views, communities). */
  config?: string[];
  /** Listen on udp6:[::1] at the same port too. */
  ipv6?: boolean;
  /** Run with -d: every packet, with its source address and port, goes to the log. */
  dump?: boolean;
}

/**
 * Stops a daemon the suite started, by its PID: SIGTERM, SIGKILL after 3 s, then removes its
 * temporary folder.
 */
export function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
}

export { freeUdpPort };

/**
 * The real snmpd on 127.0.0.1 at a free high port with its own config in a temp directory:
 * community 'public' (read), 'private' (write: sysContact/sysLocation are unset so writable),
 * SNMPv3 user poetsuser authPriv SHA/AES. Waits (bounded) until it answers.
 */
export async function startSnmpd(options: SnmpdOptions = {}): Promise<Snmpd> {
  const dir = mkdtempSync(join(tmpdir(), 'poets-snmpd-'));
  const port = 20000 + ((await freeUdpPort()) % 40000);
  const conf = join(dir, 'snmpd.conf');
  writeFileSync(
    conf,
    [
      'rocommunity public 127.0.0.1',
      'rwcommunity private 127.0.0.1',
      `createUser ${V3.SecName} SHA "${V3.AuthPass}" AES "${V3.PrivPass}"`,
      `rwuser ${V3.SecName} priv`,
      ...(options.ipv6 ? ['rocommunity6 public ::1', 'rwcommunity6 private ::1'] : []),
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  const listen = [`udp:127.0.0.1:${port}`, ...(options.ipv6 ? [`udp6:[::1]:${port}`] : [])].join(',');
  const child: ChildProcess = spawn(SNMPD, ['-f', ...(options.dump ? ['-d'] : []), '-Lf', join(dir, 'log'), '-C', '-c', conf, '-p', join(dir, 'pid'), listen], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '' },
    stdio: 'ignore',
  });
  const stop = stopper(child, dir);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await snmpCommand(SNMPGET, ['-v2c', '-c', 'public', '-t', '0.3', '-r', '0', '-On', `127.0.0.1:${port}`, '.1.3.6.1.2.1.1.5.0']).catch(() => '');
    if (answer.includes('.1.3.6.1.2.1.1.5.0')) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
      await stop();
      throw new Error(`snmpd did not answer on 127.0.0.1:${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '');
  return { port, dir, log, stop };
}

/** Runs a net-snmp command line tool (bounded to 20 s) that may fail: its exit code, standard output and error. */
export function snmpCommandResult(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, MIBS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Runs a net-snmp command line tool (bounded to 20 s), resolving with its standard output. */
export function snmpCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 20_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, MIBS: '' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `snmpget -On -Oe -Ot -OQ` output to a map of numeric OID (no leading dot) → value text (quotes removed). */
export function parseOutput(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\.?([\d.]+) = (.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.set(m[1]!, value);
  }
  return out;
}
