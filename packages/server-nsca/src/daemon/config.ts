import { NSCA_PORT } from '../codec/constants.js';

/** An nsca.cfg, as the nsca daemon reads it (its keys keep their names). */
export interface NscadConfig {
  server_address: string | undefined;
  server_port: number;
  /** Peers allowed to connect: IPv4 addresses or CIDRs (empty: everyone). Not in nsca 2.10: NRPE's key, which users expect. */
  allowed_hosts: string[];
  password: string;
  decryption_method: number;
  command_file: string | undefined;
  alternate_dump_file: string | undefined;
  aggregate_writes: boolean;
  append_to_file: boolean;
  /** Seconds; 0 disables the check. nsca 2.10 reads but ignores it; poets-nscad enforces it. */
  max_packet_age: number;
  strict_mode_spoofing: boolean;
  debug: boolean;
  pid_file: string | undefined;
  nsca_user: string | undefined;
  nsca_group: string | undefined;
  nsca_chroot: string | undefined;
  log_facility: string | undefined;
  check_result_path: string | undefined;

  // ---- New to poets-nscad: where checks wait while the command file cannot take them ----
  /** A directory for the on-disk spool (unset: checks wait in memory only, and are lost at a crash or past queue_max_bytes). */
  spool_directory: string | undefined;
  /** The most bytes the spool keeps; past it the oldest lines are dropped, counted and logged. */
  spool_max_bytes: number;
  /** The most bytes waiting in memory (without a spool, and for --json's stdout). */
  queue_max_bytes: number;
  /** Seconds a line may wait (by its [time]) before it is dropped rather than written late; 0: no limit. */
  queue_max_age: number;
  /**
   * New to the port: refuse a check whose host or service holds `;` or a control character, or
   * whose command line is longer than `max_line_length` (see docs/nscad.md). Undefined when the
   * file does not set it: nscad then applies its default (on for the built-in config only).
   */
  strict_fields: boolean | undefined;
  /** New to the port: the longest command line written under strict_fields, in bytes without the line feed (Nagios reads 8,190 bytes as one command). */
  max_line_length: number;
}

export interface ParsedConfig {
  config: NscadConfig;
  /** Lines worth a warning (keys the port does not act on). */
  warnings: string[];
  /** Lines that make the file unusable, as nsca refuses to start on them. */
  errors: string[];
}

export function defaultConfig(): NscadConfig {
  return {
    server_address: undefined,
    server_port: NSCA_PORT,
    allowed_hosts: [],
    password: '',
    decryption_method: 1,
    command_file: undefined,
    alternate_dump_file: undefined,
    aggregate_writes: false,
    append_to_file: false,
    max_packet_age: 30,
    strict_mode_spoofing: false,
    debug: false,
    pid_file: undefined,
    nsca_user: undefined,
    nsca_group: undefined,
    nsca_chroot: undefined,
    log_facility: undefined,
    check_result_path: undefined,
    ...spoolDefaults(),
    strict_fields: undefined,
    max_line_length: MAX_LINE_LENGTH,
  };
}

const MAX_PACKET_AGE = 900;
/** Nagios reads its command pipe 8,192 bytes at a time with fgets: a longer line becomes two commands. */
const MAX_LINE_LENGTH = 8190;

/**
 * Parses nsca.cfg text as nsca 2.10's read_config_file does: `key=value` lines, `#` comments in the
 * first column, empty lines skipped; a line without a value (a line of blanks too) and an unknown
 * key are errors; several keys are found by substring (see `keyOf`); flags are on when their
 * value reads as a positive number through C's atoi (so `yes` is off); max_packet_age above 900
 * is an error.
 */
export function parseNscaConfig(text: string, source = 'nsca.cfg'): ParsedConfig {
  const config = defaultConfig();
  const warnings: string[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) return;
    const where = `${source} line ${index + 1}`;
    // strtok(line, "=") then strtok(NULL, "\n"): leading '='s are skipped, the value runs to the line end
    const start = line.search(/[^=]/);
    const eq = start < 0 ? -1 : line.indexOf('=', start);
    const name = start < 0 ? '' : eq < 0 ? line.slice(start) : line.slice(start, eq);
    const value = eq < 0 ? '' : line.slice(eq + 1);
    if (value === '') return void errors.push(`${where}: no value for '${name.trim()}'`);
    const key = keyOf(name);
    const int = (min: number, max: number): number | undefined => {
      const n = Number.parseInt(value, 10);
      if (!Number.isInteger(n) || n < min || n > max) {
        errors.push(`${where}: invalid ${key} '${value}'`);
        return undefined;
      }
      return n;
    };
    const flag = (): boolean => atoi(value) > 0;
    switch (key) {
      case 'server_address':
        config.server_address = value.trim();
        break;
      case 'server_port':
        // 0 (which nsca accepts too) lets the system pick a free port: the log line tells which
        config.server_port = int(0, 65535) ?? config.server_port;
        break;
      case 'allowed_hosts':
        config.allowed_hosts = value.split(',').map((host) => host.trim()).filter((host) => host !== '');
        break;
      case 'password':
        config.password = value;
        break;
      case 'decryption_method':
        config.decryption_method = int(0, 26) ?? config.decryption_method;
        break;
      case 'command_file':
        config.command_file = value.trim();
        break;
      case 'alternate_dump_file':
        config.alternate_dump_file = value.trim();
        break;
      case 'aggregate_writes':
        config.aggregate_writes = flag();
        break;
      case 'append_to_file':
        config.append_to_file = flag();
        break;
      case 'max_packet_age': {
        const age = int(0, Number.MAX_SAFE_INTEGER);
        if (age !== undefined) {
          if (age > MAX_PACKET_AGE) errors.push(`${where}: max_packet_age ${age} is above ${MAX_PACKET_AGE} seconds, which nsca refuses`);
          else config.max_packet_age = age;
        }
        break;
      }
      case 'strict_mode_spoofing':
        config.strict_mode_spoofing = flag();
        break;
      case 'debug':
        config.debug = flag();
        break;
      case 'pid_file':
        config.pid_file = value.trim();
        break;
      case 'nsca_user':
        config.nsca_user = value.trim();
        break;
      case 'nsca_group':
        config.nsca_group = value.trim();
        break;
      case 'nsca_chroot':
        config.nsca_chroot = value.trim();
        warnings.push(`${where}: nsca_chroot is not supported by poets-nscad; refused at start (use systemd RootDirectory= or a container)`);
        break;
      case 'log_facility':
        config.log_facility = value.trim();
        break;
      case 'check_result_path':
        config.check_result_path = value.trim();
        warnings.push(`${where}: check_result_path is not supported by poets-nscad; results go to command_file`);
        break;
      case 'strict_fields':
        config.strict_fields = flag();
        break;
      case 'max_line_length':
        config.max_line_length = int(64, 1 << 30) ?? config.max_line_length;
        break;
      default:
        if (spoolKey(key, value, config, int)) break;
        errors.push(`${where}: unknown option '${name}'`);
    }
  });
  return { config, warnings, errors };
}

// ---- New to poets-nscad: the spool's keys, in one place ----

function spoolDefaults(): Pick<NscadConfig, 'spool_directory' | 'spool_max_bytes' | 'queue_max_bytes' | 'queue_max_age'> {
  return { spool_directory: undefined, spool_max_bytes: 1024 * 1024 * 1024, queue_max_bytes: 16 * 1024 * 1024, queue_max_age: 0 };
}

/** Reads one of the spool's keys into `config`; false when `key` is not one of them. */
function spoolKey(key: string, value: string, config: NscadConfig, int: (min: number, max: number) => number | undefined): boolean {
  switch (key) {
    case 'spool_directory':
      config.spool_directory = value.trim();
      return true;
    case 'spool_max_bytes':
      config.spool_max_bytes = int(4096, Number.MAX_SAFE_INTEGER) ?? config.spool_max_bytes;
      return true;
    case 'queue_max_bytes':
      config.queue_max_bytes = int(4096, Number.MAX_SAFE_INTEGER) ?? config.queue_max_bytes;
      return true;
    case 'queue_max_age':
      config.queue_max_age = int(0, Number.MAX_SAFE_INTEGER) ?? config.queue_max_age;
      return true;
    default:
      return false;
  }
}

/** Keys nsca finds anywhere in the name (strstr), in the order it tries them: `my_password` is the password. */
const SUBSTRING_KEYS = ['command_file', 'alternate_dump_file', 'password', 'decryption_method', 'debug', 'strict_mode_spoofing', 'aggregate_writes', 'check_result_path', 'append_to_file'];

/** The key a name stands for in read_config_file's chain of strcmp and strstr (the name itself when none matches; the rest are compared whole). */
function keyOf(name: string): string {
  // nsca tries server_port and server_address first, then the substring keys, then the other exact ones
  if (name === 'server_port' || name === 'server_address') return name;
  return SUBSTRING_KEYS.find((key) => name.includes(key)) ?? name;
}

/** C's atoi: leading blanks, a sign, digits; anything else ends the number (none: 0). */
function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match === null ? 0 : Number.parseInt(match[1]!, 10);
}
