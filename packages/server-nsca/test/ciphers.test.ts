import { Buffer } from 'node:buffer';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PI_FRACTION_HEX } from '../src/ciphers/blowfish-pi.js';
import {
  Blowfish,
  CIPHER_SPECS,
  Cfb8,
  NSCA_METHODS,
  Rijndael,
  Twofish,
  UnsupportedMethodError,
  XorStream,
  cipherSpec,
  createCryptStream,
  isSupportedMethod,
  mcryptKey,
  methodInfo,
  missingMethods,
  supportedMethods,
  type BlockCipher,
} from '../src/index.js';

const H = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const IV = Buffer.from(Array.from({ length: 128 }, (_, i) => (i * 37 + 11) & 0xff));

function encryptOne(cipher: BlockCipher, plain: Uint8Array): string {
  const out = new Uint8Array(cipher.blockSize);
  cipher.encryptBlock(plain, out);
  return hex(out);
}

describe('Rijndael', () => {
  it('is AES with a 16-byte block (FIPS-197 appendix C)', () => {
    const pt = H('00112233445566778899aabbccddeeff');
    expect(encryptOne(new Rijndael(H('000102030405060708090a0b0c0d0e0f'), 16), pt)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(encryptOne(new Rijndael(H('000102030405060708090a0b0c0d0e0f1011121314151617'), 16), pt)).toBe(
      'dda97ca4864cdfe06eaf70a0ec0d7191',
    );
    expect(encryptOne(new Rijndael(H('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'), 16), pt)).toBe(
      '8ea2b7ca516745bfeafc49904b496089',
    );
  });

  it('equals Node’s AES for any key and block (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 24, 32), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (size, key, pt) => {
        const k = key.subarray(0, size);
        const node = createCipheriv(`aes-${size * 8}-ecb`, k, null).setAutoPadding(false).update(pt);
        expect(encryptOne(new Rijndael(k, 16), pt)).toBe(hex(node));
      }),
      { numRuns: 100 },
    );
  });

  it('encrypts in place (input and output the same array) for every block size', () => {
    for (const bs of [16, 24, 32]) {
      const c = new Rijndael(new Uint8Array(32).fill(7), bs);
      const block = new Uint8Array(bs).fill(3);
      const expected = encryptOne(c, block);
      c.encryptBlock(block, block);
      expect(hex(block)).toBe(expected);
    }
  });

  it('refuses sizes Rijndael does not have', () => {
    expect(() => new Rijndael(new Uint8Array(32), 20)).toThrow(RangeError);
    expect(() => new Rijndael(new Uint8Array(31), 16)).toThrow(RangeError);
  });
});

describe('Blowfish', () => {
  it('starts from the hexadecimal digits of pi', () => {
    // Machin: pi = 16 atan(1/5) - 4 atan(1/239), in exact integers with guard digits.
    const digits = PI_FRACTION_HEX.length;
    expect(digits).toBe(8 * (18 + 4 * 256));
    const bits = BigInt(digits * 4 + 64);
    const one = 1n << bits;
    const atanInv = (x: bigint) => {
      let term = one / x;
      let sum = term;
      for (let k = 3n, sign = -1n; term !== 0n; k += 2n, sign = -sign) {
        term /= x * x;
        sum += (sign * term) / k;
      }
      return sum;
    };
    const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
    expect(((pi - 3n * one) >> 64n).toString(16).padStart(digits, '0')).toBe(PI_FRACTION_HEX);
  });

  it('matches Schneier’s test vectors', () => {
    const cases = [
      ['0000000000000000', '0000000000000000', '4ef997456198dd78'],
      ['ffffffffffffffff', 'ffffffffffffffff', '51866fd5b85ecb8a'],
      ['3000000000000000', '1000000000000001', '7d856f9a613063f2'],
      ['0123456789abcdef', '1111111111111111', '61f9c3802281b096'],
      ['fedcba9876543210', '0123456789abcdef', '0aceab0fc6a0a28d'],
    ];
    for (const [key, pt, ct] of cases) expect(encryptOne(new Blowfish(H(key!)), H(pt!))).toBe(ct);
  });

  it('takes 1..56 byte keys', () => {
    expect(() => new Blowfish(new Uint8Array(0))).toThrow(RangeError);
    expect(() => new Blowfish(new Uint8Array(57))).toThrow(RangeError);
    expect(() => new Blowfish(new Uint8Array(56))).not.toThrow();
  });
});

describe('Twofish', () => {
  it('matches the specification’s test vectors', () => {
    const zero = new Uint8Array(16);
    expect(encryptOne(new Twofish(new Uint8Array(16)), zero)).toBe('9f589f5cf6122c32b6bfec2f2ae8c35a');
    expect(encryptOne(new Twofish(H('0123456789abcdeffedcba98765432100011223344556677')), zero)).toBe(
      'cfd1d2e5a9be9cdf501f13b892bd2248',
    );
    expect(encryptOne(new Twofish(H('0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff')), zero)).toBe(
      '37527be0052334b89f0cfccae87cfa20',
    );
    expect(encryptOne(new Twofish(new Uint8Array(32)), zero)).toBe('57ff739d4dc92c1bd7fc01700cc8216f');
  });

  it('passes the specification’s iterated 128-bit test (I=49)', () => {
    // ecb_tbl.txt: KEY(i+1) = PT(i), PT(i+1) = CT(i), starting from zeros.
    let key = new Uint8Array(16);
    let pt = new Uint8Array(16);
    for (let i = 1; i <= 49; i++) {
      const ct = new Uint8Array(16);
      new Twofish(key).encryptBlock(pt, ct);
      key = pt;
      pt = ct;
    }
    expect(hex(pt)).toBe('5d9d4eeffa9151575524f115815a12e0');
  });
});

describe('method registry', () => {
  it('provides methods 0 1 2 3 8 9 14 15 16 at least, with libmcrypt’s names and sizes', () => {
    expect(supportedMethods()).toEqual(expect.arrayContaining([0, 1, 2, 3, 8, 9, 14, 15, 16]));
    for (const spec of CIPHER_SPECS) {
      const info = methodInfo(spec.method)!;
      expect(info.status).toBe('ok');
      expect([spec.name, spec.keySize, spec.blockSize]).toEqual([info.name, info.keySize, info.blockSize]);
      expect(cipherSpec(spec.method)).toBe(spec);
    }
    expect(missingMethods()).toEqual(
      NSCA_METHODS.filter((m) => m.status === 'ok' && !isSupportedMethod(m.method)).map((m) => m.method),
    );
  });

  it('refuses unknown, invalid, unavailable and stream-cipher methods with a clear error', () => {
    const message = (method: number) => {
      try {
        createCryptStream(method, 'pw', IV);
      } catch (e) {
        expect(e).toBeInstanceOf(UnsupportedMethodError);
        expect((e as UnsupportedMethodError).method).toBe(method);
        return (e as Error).message;
      }
      throw new Error(`method ${method} was accepted`);
    };
    expect(message(7)).toMatch(/threeway.*not available/);
    expect(message(12)).toMatch(/arcfour.*stream cipher/);
    expect(message(13)).toMatch(/rc6.*invalid/);
    expect(message(99)).toMatch(/does not exist/);
    expect(message(-1)).toMatch(/does not exist/);
    expect(message(1.5)).toMatch(/does not exist/);
    for (const m of missingMethods()) expect(message(m)).toMatch(/not implemented in this build/);
  });

  it('wants the whole 128-byte IV', () => {
    expect(() => createCryptStream(1, 'pw', new Uint8Array(16))).toThrow(RangeError);
    expect(() => createCryptStream(14, 'pw', new Uint8Array(129))).toThrow(RangeError);
  });

  it('keys like libmcrypt: zero-filled maximum size, password cut to it', () => {
    expect(hex(mcryptKey(Buffer.from('abc'), 8))).toBe('6162630000000000');
    expect(hex(mcryptKey(Buffer.from('Secr3t!pw'), 8))).toBe(hex(Buffer.from('Secr3t!p')));
    expect(mcryptKey(new Uint8Array(0), 56)).toEqual(new Uint8Array(56));
  });

  it('takes a string password as UTF-8', () => {
    const a = Buffer.alloc(64, 1);
    const b = Buffer.from(a);
    createCryptStream(14, 'pässword', IV).encrypt(a);
    createCryptStream(14, Buffer.from('pässword', 'utf8'), IV).encrypt(b);
    expect(a).toEqual(b);
  });
});

describe('streams', () => {
  it('XOR: iv[i % 128] ^ pw[i % len], restarting with every packet; empty password = IV only', () => {
    const pw = Buffer.from('k3y');
    const s = new XorStream(IV, pw);
    const data = new Uint8Array(300);
    s.encrypt(data);
    for (let i = 0; i < 300; i++) expect(data[i]).toBe(IV[i % 128]! ^ pw[i % 3]!);
    const again = new Uint8Array(300);
    s.encrypt(again);
    expect(again).toEqual(data);
    const ivOnly = new Uint8Array(10);
    new XorStream(IV, new Uint8Array(0)).decrypt(ivOnly);
    expect(ivOnly).toEqual(new Uint8Array(IV.subarray(0, 10)));
    expect(() => s.decrypt(new Uint8Array(10), 4300)).toThrow(RangeError);
  });

  it('decrypting a packet in pieces equals decrypting it whole, for every method (property)', () => {
    const methods = supportedMethods();
    fc.assert(
      fc.property(
        fc.constantFrom(...methods),
        fc.uint8Array({ minLength: 1, maxLength: 20 }),
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }),
        fc.boolean(),
        (method, password, data, cuts, native) => {
          const whole = Buffer.from(data);
          createCryptStream(method, password, IV, { native }).decrypt(whole);
          const pieces = Buffer.from(data);
          const stream = createCryptStream(method, password, IV, { native });
          const points = [...new Set([0, ...cuts.map((c) => Math.min(c, data.length)), data.length])].sort((x, y) => x - y);
          for (let i = 0; i + 1 < points.length; i++) stream.decrypt(pieces.subarray(points[i]!, points[i + 1]!), points[i]!);
          expect(hex(pieces)).toBe(hex(whole));
          // and encryption undoes it
          createCryptStream(method, password, IV, { native }).encrypt(pieces);
          expect(hex(pieces)).toBe(hex(data));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the native CFB-8 streams equal the generic CFB-8 over the JS block ciphers (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 3, 14), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 300 }), (method, password, data) => {
        const a = Buffer.from(data);
        const b = Buffer.from(data);
        createCryptStream(method, password, IV, { native: true }).encrypt(a);
        createCryptStream(method, password, IV, { native: false }).encrypt(b);
        expect(hex(a)).toBe(hex(b));
      }),
      { numRuns: 60 },
    );
  });

  it('a CFB-8 stream is one direction of one connection', () => {
    for (const native of [true, false]) {
      const s = createCryptStream(14, 'pw', IV, { native });
      s.encrypt(new Uint8Array(4));
      expect(() => s.decrypt(new Uint8Array(4))).toThrow(/one direction/);
    }
  });

  it('the generic CFB-8 follows ks = E(reg)[0]; c = p ^ ks; reg = reg[1..] ‖ c', () => {
    const cipher = new Rijndael(new Uint8Array(32).fill(9), 24);
    const reg = Uint8Array.from(IV.subarray(0, 24));
    const plain = Buffer.from('the quick brown fox jumps');
    const expected = new Uint8Array(plain.length);
    const block = new Uint8Array(24);
    for (let i = 0; i < plain.length; i++) {
      cipher.encryptBlock(reg, block);
      expected[i] = plain[i]! ^ block[0]!;
      reg.copyWithin(0, 1);
      reg[23] = expected[i]!;
    }
    const got = Buffer.from(plain);
    new Cfb8(new Rijndael(new Uint8Array(32).fill(9), 24), IV).encrypt(got);
    expect(hex(got)).toBe(hex(expected));
  });
});
