import { Buffer } from 'node:buffer';
import { NSCA_PORT } from '../codec/constants.js';
import { atoi, strtol } from './c-numbers.js';
import { DEFAULT_SEND_NSCA_CONFIG } from './send-nsca-config.js';
import { ETB } from './send-nsca-sets.js';

/**
 * send_nsca 2.10's command line, read as it reads it (pure):
 *
 * - No argument at all: the help. The first argument is always taken as the server's address
 *   too (the old `send_nsca <host> ...` syntax); `-H` replaces it.
 * - Arguments are read in order and the first mistake stops the reading ("Incorrect command line
 *   arguments supplied", exit 3): an option without its value, `-to` not a positive number, a
 *   numeric `-d`/`-ds` that overflows, or an unknown argument anywhere but first.
 * - `-p` and `-to` are `atoi`: `-p 25667x` is 25667, `-p abc` 0, `-p 70000` connects to 4464.
 * - `-d X` / `-ds X`: a single character as it is; a longer argument starting with a digit,
 *   `+` or `-` is a number (`strtol` base 0: `0x2c`, `44`, `054`), its low byte taken; any other
 *   argument gives its first byte; an empty one a NUL. A number that overflows is an error —
 *   and so is any numeric delimiter after an earlier `-p`/`-to` overflowed, since glibc leaves
 *   errno set and send_nsca checks errno, not the result.
 * - `-h`/`--help`, `-V`/`--version`, `-l`/`--license`: print and exit 3.
 *
 * Differences: send_nsca crashes (SIGSEGV) on a `-d` or `-ds` without a value; here that is
 * "Incorrect command line arguments". Host names and paths are limited as in C (255 and 5119
 * bytes).
 */

export interface SendNscaArgs {
  /** -H (or the first argument): host name or address of the NSCA daemon. */
  readonly serverName: string;
  /** -p as `atoi` read it (may be negative or above 65535: see `connectPort`). */
  readonly port: number;
  /** -to, seconds (> 0): one alarm for the whole run. */
  readonly timeout: number;
  readonly configFile: string;
  /** -d: the field delimiter byte; null for an empty one (nothing splits: every set is skipped). */
  readonly fieldDelimiter: number | null;
  /** -ds: the set delimiter byte; null when it can never match (a byte ≥ 0x80, a signed char). */
  readonly blockDelimiter: number | null;
  /** --quiet: no success line (unless nothing was sent). */
  readonly quiet: boolean;
  /** --legacy-2-7-mode (a legacy_2_7_mode line in the config overrides it). */
  readonly legacy: boolean;
  readonly showHelp: boolean;
  readonly showLicense: boolean;
  readonly showVersion: boolean;
}

export interface ParsedSendNscaArgs {
  /** False: "Incorrect command line arguments supplied" (help printed, exit 3). */
  readonly ok: boolean;
  /** What was read up to the mistake, if any (the help text depends on --legacy-2-7-mode). */
  readonly args: SendNscaArgs;
}

const MAX_HOST_ADDRESS = 255;
const MAX_PATH = 5119;

/** A string cut to `max` UTF-8 bytes, as a fixed C buffer would hold it. */
function cBuffer(value: string, max: number): string {
  const bytes = Buffer.from(value, 'utf8');
  return bytes.length <= max ? value : bytes.subarray(0, max).toString('utf8');
}

/** The delimiter byte of a `-d`/`-ds` argument, or undefined when it is an error. */
function delimiterByte(arg: string, errnoSet: { value: boolean }): number | undefined {
  const bytes = Buffer.from(arg, 'utf8');
  const first = bytes[0];
  const numeric = bytes.length > 1 && first !== undefined && ((first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d);
  if (!numeric) return first ?? 0;
  const { value, overflow } = strtol(bytes, 0);
  if (overflow) errnoSet.value = true;
  if (errnoSet.value) return undefined;
  return Number(BigInt.asUintN(8, value));
}

/** Parses send_nsca's arguments (without the program name). */
export function parseSendNscaArgs(argv: readonly string[]): ParsedSendNscaArgs {
  let serverName = '';
  let port = NSCA_PORT;
  let timeout = 10;
  let configFile = DEFAULT_SEND_NSCA_CONFIG;
  let fieldDelimiter: number | null = 0x09;
  let blockDelimiter: number | null = ETB;
  let quiet = false;
  let legacy = false;
  let showHelp = false;
  let showLicense = false;
  let showVersion = false;
  const errno = { value: false };
  const result = (ok: boolean): ParsedSendNscaArgs => ({
    ok,
    args: { serverName, port, timeout, configFile, fieldDelimiter, blockDelimiter, quiet, legacy, showHelp, showLicense, showVersion },
  });

  if (argv.length === 0) {
    showHelp = true;
    return result(true);
  }
  serverName = cBuffer(argv[0]!, MAX_HOST_ADDRESS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (arg === '-h' || arg === '--help') showHelp = true;
    else if (arg === '-l' || arg === '--license') showLicense = true;
    else if (arg === '-V' || arg === '--version') showVersion = true;
    else if (arg === '--quiet') quiet = true;
    else if (arg === '--legacy-2-7-mode') legacy = true;
    else if (arg === '-H') {
      if (!hasValue) return result(false);
      serverName = cBuffer(argv[++i]!, MAX_HOST_ADDRESS);
    } else if (arg === '-p') {
      if (!hasValue) return result(false);
      const n = atoi(argv[++i]!);
      if (n.overflow) errno.value = true;
      port = n.value;
    } else if (arg === '-to') {
      if (!hasValue) return result(false);
      const n = atoi(argv[++i]!);
      if (n.overflow) errno.value = true;
      timeout = n.value;
      if (timeout <= 0) return result(false);
    } else if (arg === '-c') {
      if (!hasValue) return result(false);
      configFile = cBuffer(argv[++i]!, MAX_PATH);
    } else if (arg === '-d' || arg === '-ds') {
      if (!hasValue) return result(false);
      const byte = delimiterByte(argv[++i]!, errno);
      if (byte === undefined) return result(false);
      if (arg === '-d') fieldDelimiter = byte === 0 ? null : byte;
      else blockDelimiter = byte >= 0x80 ? null : byte;
    } else if (i > 0) {
      return result(false);
    }
  }
  return result(true);
}

/**
 * The port send_nsca connects to for a `-p` value, or undefined when its address lookup fails
 * ("Host name lookup failed"): getaddrinfo refuses a negative service number and keeps the low
 * 16 bits of a larger one.
 */
export function connectPort(port: number): number | undefined {
  return port < 0 ? undefined : port & 0xffff;
}
