import { Buffer } from 'node:buffer';
import { FIELD_SIZE, MAX_HOST_NAME, MAX_SVC_DESCRIPTION } from '../codec/constants.js';
import { atoi, toInt16 } from './c-numbers.js';

/**
 * send_nsca 2.10's reading of one input *set* into a check result (shared/nsca-protocol.md §5),
 * as pure functions over bytes. Sets themselves are cut from standard input by `SetSplitter`
 * (`send-nsca-sets.ts`).
 *
 * A set is read as a C string (it ends at its first NUL byte); trailing spaces, tabs, CRs and LFs
 * are stripped (leading ones are kept); then the fields are taken with `strtok` on the field
 * delimiter, which skips leading and repeated delimiters — so empty fields vanish:
 *
 * - fewer than three fields: the set is skipped, silently;
 * - exactly three: a host check, `host, return_code, plugin_output`;
 * - more: a service check, `host, svc_description, return_code`, and the plugin output is
 *   everything after the delimiter that ended the third field, as it is (further delimiters,
 *   newlines, even a leading delimiter are part of it).
 *
 * The return code is `atoi()` of its field stored in 16 bits ("WARN" → 0, 70000 → 4464); the
 * strings are cut byte-wise at 63, 127 and 4095 bytes (511 in legacy mode).
 */

/** The check a set describes, as the bytes send_nsca puts in the packet. */
export interface InputCheck {
  readonly host_name: Buffer;
  /** Empty for a host check. */
  readonly svc_description: Buffer;
  /** Signed 16 bits. */
  readonly return_code: number;
  readonly plugin_output: Buffer;
}

export interface ParseSetOptions {
  /**
   * The field delimiter byte (default tab, 0x09); `null` for an empty delimiter (`-d ''` or a
   * numeric 0), with which `strtok` never splits, so every set is skipped.
   */
  fieldDelimiter?: number | null;
  /** Legacy (2.7) mode: plugin output cut at 511 bytes instead of 4095. */
  legacy?: boolean;
}

const TAB = 0x09;

/** Bytes of `set` as a C string: up to its first NUL. */
export function cString(set: Uint8Array): Uint8Array {
  const nul = set.indexOf(0);
  return nul < 0 ? set : set.subarray(0, nul);
}

/** Length of `s` after send_nsca's strip(): trailing ' ', '\t', '\r', '\n' removed. */
export function strippedLength(s: Uint8Array): number {
  let n = s.length;
  while (n > 0) {
    const c = s[n - 1];
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) n--;
    else break;
  }
  return n;
}

/** C's strtok over bytes, with a delimiter set of zero or one byte. */
class Tokenizer {
  private pos = 0;

  constructor(
    private readonly s: Uint8Array,
    private readonly delimiter: number | null,
  ) {}

  /** The next token (leading delimiters skipped), or undefined at the end, as strtok's NULL. */
  next(): Uint8Array | undefined {
    const { s, delimiter } = this;
    const n = s.length;
    while (this.pos < n && s[this.pos] === delimiter) this.pos++;
    if (this.pos >= n) return undefined;
    const start = this.pos;
    while (this.pos < n && s[this.pos] !== delimiter) this.pos++;
    const token = s.subarray(start, this.pos);
    // strtok writes a NUL over the delimiter that ended the token and goes on after it.
    if (this.pos < n) this.pos++;
    return token;
  }

  /** `strtok(NULL, "")`: everything left, as it is, or undefined when nothing is left. */
  rest(): Uint8Array | undefined {
    return this.pos < this.s.length ? this.s.subarray(this.pos) : undefined;
  }
}

function cut(bytes: Uint8Array, max: number): Buffer {
  return Buffer.from(bytes.subarray(0, Math.min(bytes.length, max)));
}

/**
 * One set (the bytes between two set delimiters, without them) as send_nsca reads it: the
 * check it describes, or undefined when send_nsca skips the set (empty, or fewer than three
 * fields).
 */
export function parseSet(set: Uint8Array, options: ParseSetOptions = {}): InputCheck | undefined {
  const delimiter = options.fieldDelimiter === undefined ? TAB : options.fieldDelimiter;
  const outputMax = (options.legacy ? FIELD_SIZE.legacy_plugin_output : FIELD_SIZE.plugin_output) - 1;
  const c = cString(set);
  const s = c.subarray(0, strippedLength(c));
  if (s.length === 0) return undefined;
  const tokens = new Tokenizer(s, delimiter);
  const first = tokens.next();
  if (first === undefined) return undefined;
  const second = tokens.next();
  if (second === undefined) return undefined;
  const third = tokens.next();
  if (third === undefined) return undefined;
  const rest = tokens.rest();
  if (rest === undefined) {
    return {
      host_name: cut(first, MAX_HOST_NAME),
      svc_description: Buffer.alloc(0),
      return_code: toInt16(atoi(second).value),
      plugin_output: cut(third, outputMax),
    };
  }
  return {
    host_name: cut(first, MAX_HOST_NAME),
    svc_description: cut(second, MAX_SVC_DESCRIPTION),
    return_code: toInt16(atoi(third).value),
    plugin_output: cut(rest, outputMax),
  };
}
