/**
 * How send_nsca (C, glibc, x86-64) turns text into numbers: `strtol` and `atoi`, with their
 * overflow behaviour, so that the drop-in reads `-p`, `-to`, `-d 0x09` and return codes exactly as
 * the original does. Pure functions over bytes.
 */

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

export interface StrtolResult {
  /** The value, clamped to a 64-bit `long` (LONG_MAX / LONG_MIN on overflow). */
  readonly value: bigint;
  /** The value did not fit a `long`: glibc sets errno to ERANGE. */
  readonly overflow: boolean;
  /** Index of the first byte not used (0 when no number was found). */
  readonly end: number;
}

/** C's isspace() in the "C" locale: space, \t, \n, \v, \f, \r. */
export function isCSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function digitValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x7a) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x5a) return byte - 0x41 + 10;
  return 99;
}

/**
 * glibc's `strtol(s, &end, base)` for base 10 or 0 (0: a `0x` prefix means hexadecimal, a leading
 * `0` octal). Leading white space and one sign are skipped; parsing stops at the first byte that
 * is not a digit of the base; the bytes end at the first NUL, as a C string does.
 */
export function strtol(bytes: Uint8Array, base: 0 | 10 = 10): StrtolResult {
  let n = bytes.indexOf(0);
  if (n < 0) n = bytes.length;
  let i = 0;
  while (i < n && isCSpace(bytes[i]!)) i++;
  let negative = false;
  if (i < n && (bytes[i] === 0x2b || bytes[i] === 0x2d)) {
    negative = bytes[i] === 0x2d;
    i++;
  }
  let radix: number = base === 0 ? 10 : base;
  if (base === 0 && i < n && bytes[i] === 0x30) {
    const x = bytes[i + 1];
    if ((x === 0x78 || x === 0x58) && i + 2 < n && digitValue(bytes[i + 2]!) < 16) {
      radix = 16;
      i += 2;
    } else {
      radix = 8;
    }
  }
  const start = i;
  let value = 0n;
  let overflow = false;
  const big = BigInt(radix);
  const limit = negative ? -LONG_MIN : LONG_MAX;
  while (i < n) {
    const d = digitValue(bytes[i]!);
    if (d >= radix) break;
    if (!overflow) {
      value = value * big + BigInt(d);
      if (value > limit) overflow = true;
    }
    i++;
  }
  if (i === start) return { value: 0n, overflow: false, end: 0 };
  if (overflow) return { value: negative ? LONG_MIN : LONG_MAX, overflow: true, end: i };
  return { value: negative ? -value : value, overflow: false, end: i };
}

export interface AtoiResult {
  /** What `atoi()` returns: glibc's `(int) strtol(s, NULL, 10)`, the low 32 bits, signed. */
  readonly value: number;
  /** strtol overflowed (errno = ERANGE, which stays set: see the argument parser). */
  readonly overflow: boolean;
}

/** glibc's `atoi()`: `(int) strtol(s, NULL, 10)` — 99999999999999999999 gives −1, "12abc" 12, "x" 0. */
export function atoi(input: Uint8Array | string): AtoiResult {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const { value, overflow } = strtol(bytes, 10);
  return { value: Number(BigInt.asIntN(32, value)), overflow };
}

/** A value stored in an `int16_t`, as send_nsca stores the return code (70000 → 4464). */
export function toInt16(value: number): number {
  return (value << 16) >> 16;
}
