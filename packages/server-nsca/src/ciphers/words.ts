/** 32-bit words in byte arrays, in either byte order, for the block ciphers (no allocation). */

/** The word at `i`, as a signed 32-bit integer (V8 keeps these unboxed). */
export function readWord(b: Uint8Array, i: number, bigEndian: boolean): number {
  return bigEndian
    ? (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!
    : (b[i + 3]! << 24) | (b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!;
}

export function writeWord(b: Uint8Array, i: number, w: number, bigEndian: boolean): void {
  if (bigEndian) {
    b[i] = w >>> 24;
    b[i + 1] = w >>> 16;
    b[i + 2] = w >>> 8;
    b[i + 3] = w;
  } else {
    b[i] = w;
    b[i + 1] = w >>> 8;
    b[i + 2] = w >>> 16;
    b[i + 3] = w >>> 24;
  }
}
