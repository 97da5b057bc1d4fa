// Nagios 4 (Debian nagios4-core) for the end-to-end suites: a minimal configuration in a temporary
// folder (its own command pipe, status.dat and log), the process in the foreground, stopped by
// PID, and readers for status.dat and the log. Every wait is bounded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const NAGIOS = '/usr/sbin/nagios4';
export const haveNagios = existsSync(NAGIOS);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `test` every 50 ms until it gives a value (not undefined or false); throws after `ms`. */
export async function until<T>(what: string, test: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = test();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function fail(message: string): never {
  throw new Error(message);
}

export function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A service of the test configuration: passive only, or active with `check_command`. */
export interface NagiosService {
  host: string;
  service: string;
  /** An active check: the command's name (defined in `commands`) with its `!` arguments. */
  check_command?: string;
  /** Seconds between active checks (Nagios' interval_length is set to 1). */
  check_interval?: number;
}

export interface NagiosConfigOptions {
  hosts: string[];
  services: NagiosService[];
  /** Extra command definitions: name → command line. */
  commands?: Record<string, string>;
  /** Run active service checks (default false: passive results only). */
  executeServiceChecks?: boolean;
}

/** Writes nagios.cfg and objects.cfg into `dir`; returns nagios.cfg's path. */
export function nagiosConfig(dir: string, options: NagiosConfigOptions): string {
  const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
  mkdirSync(join(dir, 'checkresults'), { recursive: true });
  const active = options.executeServiceChecks === true;
  const main: Record<string, string | number> = {
    log_file: join(dir, 'nagios.log'),
    cfg_file: join(dir, 'objects.cfg'),
    object_cache_file: join(dir, 'objects.cache'),
    precached_object_file: join(dir, 'objects.precache'),
    status_file: join(dir, 'status.dat'),
    status_update_interval: 1,
    nagios_user: userInfo().username,
    nagios_group: group,
    check_external_commands: 1,
    command_file: join(dir, 'nagios.cmd'),
    lock_file: join(dir, 'nagios.lock'),
    temp_file: join(dir, 'nagios.tmp'),
    temp_path: dir,
    check_result_path: join(dir, 'checkresults'),
    retain_state_information: 1,
    state_retention_file: join(dir, 'retention.dat'),
    log_external_commands: 1,
    accept_passive_service_checks: 1,
    execute_service_checks: active ? 1 : 0,
    execute_host_checks: 0,
    enable_notifications: 0,
    enable_flap_detection: 0,
    enable_event_handlers: 0,
    check_service_freshness: 0,
    use_syslog: 0,
    log_rotation_method: 'n',
    query_socket: join(dir, 'nagios.qh'),
    illegal_macro_output_chars: '`~$&|\'"<>',
  };
  if (active) {
    // seconds as the interval unit, checks spread over no time, results reaped often: a test's pace
    Object.assign(main, { interval_length: 1, max_service_check_spread: 1, check_result_reaper_frequency: 1, service_inter_check_delay_method: 'n', service_interleave_factor: 1 });
  }
  const always = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => `  ${d} 00:00-24:00`).join('\n');
  const commands = { dummy: '/bin/true', ...options.commands };
  const objects = [
    ...Object.entries(commands).map(([name, line]) => `define command {\n  command_name ${name}\n  command_line ${line}\n}`),
    `define timeperiod {\n  timeperiod_name always\n  alias always\n${always}\n}`,
    'define contact {\n  contact_name nobody\n  host_notifications_enabled 0\n  service_notifications_enabled 0\n  host_notification_period always\n  service_notification_period always\n  host_notification_options n\n  service_notification_options n\n  host_notification_commands dummy\n  service_notification_commands dummy\n}',
    ...options.hosts.map((h) => `define host {\n  host_name ${h}\n  address 127.0.0.1\n  check_command dummy\n  max_check_attempts 1\n  check_period always\n  active_checks_enabled 0\n  passive_checks_enabled 1\n  contacts nobody\n  notification_period always\n}`),
    ...options.services.map((s) =>
      [
        'define service {',
        `  host_name ${s.host}`,
        `  service_description ${s.service}`,
        `  check_command ${s.check_command ?? 'dummy'}`,
        '  max_check_attempts 1',
        `  check_interval ${s.check_interval ?? 5}`,
        '  retry_interval 1',
        '  check_period always',
        `  active_checks_enabled ${s.check_command !== undefined ? 1 : 0}`,
        '  passive_checks_enabled 1',
        '  contacts nobody',
        '  notification_period always',
        '}',
      ].join('\n'),
    ),
  ];
  writeFileSync(join(dir, 'objects.cfg'), `${objects.join('\n')}\n`);
  const path = join(dir, 'nagios.cfg');
  writeFileSync(path, `${Object.entries(main).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  return path;
}

/** status.dat's servicestatus blocks, by service. */
export function serviceStatus(dir: string): Map<string, Record<string, string>> {
  const services = new Map<string, Record<string, string>>();
  const text = readFileSyncSafe(join(dir, 'status.dat'));
  for (const block of text.split(/\n(?=\w+ \{)/)) {
    if (!block.startsWith('servicestatus {')) continue;
    const fields: Record<string, string> = {};
    for (const line of block.split('\n').slice(1)) {
      const eq = line.indexOf('=');
      if (eq > 0) fields[line.slice(0, eq).trim()] = line.slice(eq + 1);
    }
    services.set(fields.service_description!, fields);
  }
  return services;
}

export interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a program, collecting its stdout and stderr. */
export function run(command: string, args: string[]): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

/** Stops a child by its PID (`signal`, then KILL after 15 s); its exit code. */
export async function stop(child: Child | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child === undefined || child.process.exitCode !== null || child.process.signalCode !== null) return child?.process.exitCode ?? null;
  child.process.kill(signal);
  const killer = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
  const code = await child.exited;
  clearTimeout(killer);
  return code;
}

/** Starts Nagios on `cfg` and waits until it has opened its command pipe (a new worker in its log). */
export async function startNagios(dir: string, cfg: string): Promise<Child> {
  const launched = () => (readFileSyncSafe(join(dir, 'nagios.log')).match(/Successfully launched command file worker/g) ?? []).length;
  const before = launched();
  const nagios = run(NAGIOS, [cfg]);
  await until('Nagios to open its command pipe', () => launched() > before || (nagios.process.exitCode !== null && fail(`nagios4 exited: ${nagios.output()}`)));
  return nagios;
}
