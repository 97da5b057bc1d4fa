// Diffie-Hellman parameters for TLS when no `dh` file is given: RFC 3526's 2048-bit MODP group
// (Node's `modp14`), the size nrpe's built-in parameters have. OpenSSL's automatic choice picks
// 3072 bits for the AES-256 anonymous suites, which makes every handshake several times dearer.
import { getDiffieHellman } from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derInteger(value: Buffer): Buffer {
  const body = value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

let cached: string | undefined;

/** PKCS#3 `DH PARAMETERS` (PEM) of the 2048-bit MODP group, generator 2. */
export function defaultDhParams(): string {
  if (cached !== undefined) return cached;
  const group = getDiffieHellman('modp14');
  const body = Buffer.concat([derInteger(group.getPrime()), derInteger(group.getGenerator())]);
  const der = Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
  const lines = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  cached = `-----BEGIN DH PARAMETERS-----\n${lines}\n-----END DH PARAMETERS-----\n`;
  return cached;
}
