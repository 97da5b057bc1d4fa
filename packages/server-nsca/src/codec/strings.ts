import { Buffer, isUtf8 } from 'node:buffer';

/**
 * NSCA strings are C strings of raw bytes in fixed-size fields. On the way in, a field is read
 * up to its first NUL, at most `size - 1` bytes (nsca forces the field's last byte to NUL, so a
 * field without one yields its first `size - 1` bytes). On the way out, a value is cut at its
 * first NUL and byte-wise at the field's limit, as send_nsca does — which can split a
 * multi-byte UTF-8 character.
 *
 * Text form: bytes are decoded as UTF-8 the WHATWG way (non-fatal): every maximal ill-formed
 * subsequence — for instance the lone lead byte 0xC3 a byte-wise cut leaves behind — becomes
 * one U+FFFD, and a leading BOM is kept as U+FEFF. That text is lossy exactly when the bytes are
 * not well-formed UTF-8; the exact bytes are always kept beside it (`raw`), and they are what
 * a daemon must write.
 */

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/** Bytes of the C string in `field` (a copy, so it does not pin or alias the packet buffer). */
export function readCString(field: Uint8Array): Buffer {
  const limit = Math.max(0, field.length - 1);
  let end = field.indexOf(0);
  if (end < 0 || end > limit) end = limit;
  return Buffer.from(field.subarray(0, end));
}

/** UTF-8 text of raw field bytes (see the module note for ill-formed bytes). */
export function decodeText(bytes: Uint8Array): string {
  return bytes.length === 0 ? '' : utf8.decode(bytes);
}

/** True when `bytes` decode to text without any replacement (well-formed UTF-8). */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** A field value as bytes: strings are UTF-8; cut at the first NUL and at `max` bytes. */
export function fieldBytes(value: string | Uint8Array, max: number): Uint8Array {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value;
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return bytes.subarray(0, Math.min(end, max));
}
