import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { methodInfo } from '../ciphers/methods.js';
import { atoi } from './c-numbers.js';

/**
 * send_nsca.cfg, read the way send_nsca 2.10 reads it (pure, over the file's bytes):
 *
 * - The file is read in `fgets` pieces: a line, or 5118 bytes of a longer line (the rest is the
 *   next "line", with the next number). Each piece is a C string (it ends at a NUL byte).
 * - Pieces starting with `#`, a NUL or a newline are skipped (so is an empty file, or a
 *   directory). A comment indented by a space is *not* skipped.
 * - The name is the first `strtok` token on `=` (leading `=` skipped); the value is the next token
 *   on newline: everything after that `=` up to the line's end, with its spaces, CR and further
 *   `=`. No name: "No variable name specified"; no value (`password=`, a line without `=`):
 *   "No variable value specified".
 * - Keys are matched by *substring* of the name, in this order: `password` (the value's bytes,
 *   as they are), `encryption_method` (`atoi`; a number libmcrypt-enabled send_nsca does not
 *   know is "Invalid encryption method (N)"), `legacy_2_7_mode` (a value containing `true` or
 *   `yes` turns it on, else `false` or `no` off, else nothing changes); anything else is
 *   "Unknown option specified". The first error ends the reading.
 *
 * Defaults: no password, encryption method 1 (XOR), legacy mode as the command line says. A
 * legacy_2_7_mode line overrides `--legacy-2-7-mode`.
 */

/** The config file Debian's send_nsca reads without `-c` (upstream's default is `send_nsca.cfg` in the working directory). */
export const DEFAULT_SEND_NSCA_CONFIG = '/etc/send_nsca.cfg';

/** fgets(buffer, MAX_INPUT_BUFFER - 1): at most 5118 bytes per read. */
const PIECE = 5118;

export interface SendNscaConfig {
  /** The password's bytes (empty: none). */
  readonly password: Buffer;
  readonly encryptionMethod: number;
  /** Set by a legacy_2_7_mode line; undefined when the file says nothing. */
  readonly legacy: boolean | undefined;
}

export type SendNscaConfigResult =
  | { readonly ok: true; readonly config: SendNscaConfig }
  /** `message`: the line send_nsca prints on standard output, without its newline. */
  | { readonly ok: false; readonly message: string };

/** Method numbers send_nsca's config parser accepts (built with libmcrypt): 0–26 except 13, 17, 18, 21. */
export function isConfigurableMethod(method: number): boolean {
  const info = methodInfo(method);
  return info !== undefined && info.status !== 'invalid';
}

function includes(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(needle, 0, 'latin1');
}

/** The `fgets` pieces of a file, with their line numbers. */
function* pieces(content: Uint8Array): Generator<Uint8Array> {
  let pos = 0;
  while (pos < content.length) {
    const newline = content.indexOf(0x0a, pos);
    const end = Math.min(newline < 0 ? content.length : newline + 1, pos + PIECE);
    yield content.subarray(pos, end);
    pos = end;
  }
}

/**
 * Parses send_nsca.cfg's bytes. `filename` is only used in the messages, which are send_nsca's
 * (it prints them on standard output, followed by "Error: Config file '…' contained errors...").
 */
export function parseSendNscaConfig(content: Uint8Array, filename: string): SendNscaConfigResult {
  let password: Buffer = Buffer.alloc(0);
  let encryptionMethod = 1;
  let legacy: boolean | undefined;
  let line = 0;
  const where = () => `in config file '${filename}' - Line ${line}`;
  for (const piece of pieces(content)) {
    line++;
    const first = piece[0];
    if (first === 0x23 || first === 0x00 || first === 0x0a) continue;
    const nul = piece.indexOf(0);
    const s = nul < 0 ? piece : piece.subarray(0, nul);
    // strtok(s, "="): skip leading '=', the name runs to the next '=' (or the end).
    let pos = 0;
    while (pos < s.length && s[pos] === 0x3d) pos++;
    if (pos >= s.length) return { ok: false, message: `No variable name specified ${where()}` };
    const nameStart = pos;
    while (pos < s.length && s[pos] !== 0x3d) pos++;
    const name = s.subarray(nameStart, pos);
    if (pos < s.length) pos++;
    // strtok(NULL, "\n"): skip leading newlines, the value runs to the next newline (or the end).
    while (pos < s.length && s[pos] === 0x0a) pos++;
    if (pos >= s.length) return { ok: false, message: `No variable value specified ${where()}` };
    const valueStart = pos;
    while (pos < s.length && s[pos] !== 0x0a) pos++;
    const value = s.subarray(valueStart, pos);

    if (includes(name, 'password')) {
      password = Buffer.from(value);
    } else if (includes(name, 'encryption_method')) {
      encryptionMethod = atoi(value).value;
      if (!isConfigurableMethod(encryptionMethod)) {
        return { ok: false, message: `Invalid encryption method (${encryptionMethod}) ${where()}` };
      }
    } else if (includes(name, 'legacy_2_7_mode')) {
      if (includes(value, 'true') || includes(value, 'yes')) legacy = true;
      else if (includes(value, 'false') || includes(value, 'no')) legacy = false;
    } else {
      return { ok: false, message: `Unknown option specified ${where()}` };
    }
  }
  return { ok: true, config: { password, encryptionMethod, legacy } };
}

/**
 * Reads and parses a config file. A file that cannot be opened gives send_nsca's "Could not open
 * config file '…' for reading."; a directory reads as an empty file, as `fopen`/`fgets` do.
 */
export function readSendNscaConfig(filename: string): SendNscaConfigResult {
  let content: Buffer;
  try {
    content = readFileSync(filename);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') content = Buffer.alloc(0);
    else return { ok: false, message: `Could not open config file '${filename}' for reading.` };
  }
  return parseSendNscaConfig(content, filename);
}
