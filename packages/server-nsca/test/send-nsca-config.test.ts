import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEND_NSCA_CONFIG, isConfigurableMethod, parseSendNscaConfig, readSendNscaConfig } from '../src/index.js';

const parse = (text: string | Buffer) => parseSendNscaConfig(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, 't.cfg');

const config = (text: string) => {
  const result = parse(text);
  if (!result.ok) throw new Error(result.message);
  return { ...result.config, password: result.config.password.toString('latin1') };
};
const error = (text: string) => {
  const result = parse(text);
  if (result.ok) throw new Error('parsed');
  return result.message;
};

describe('parseSendNscaConfig (send_nsca.cfg as send_nsca 2.10 reads it)', () => {
  it('defaults to no password, XOR and no legacy setting', () => {
    expect(config('')).toEqual({ password: '', encryptionMethod: 1, legacy: undefined });
    expect(config('# only a comment\n\n')).toEqual({ password: '', encryptionMethod: 1, legacy: undefined });
  });

  it('reads password, encryption_method and legacy_2_7_mode', () => {
    expect(config('password=s3cr=t \nencryption_method=14\nlegacy_2_7_mode=yes\n')).toEqual({ password: 's3cr=t ', encryptionMethod: 14, legacy: true });
    expect(config('legacy_2_7_mode=false').legacy).toBe(false);
    expect(config('legacy_2_7_mode=maybe').legacy).toBeUndefined();
    expect(config('legacy_2_7_mode=notrue').legacy).toBe(true);
  });

  it('keeps the value as it is: spaces, CR, further = signs', () => {
    expect(config('password= abc\r\n').password).toBe(' abc\r');
    expect(config('password==x').password).toBe('=x');
    expect(config('=password=abc').password).toBe('abc');
    expect(config('encryption_method= 3\n').encryptionMethod).toBe(3);
    expect(config('encryption_method=abc\n').encryptionMethod).toBe(0);
  });

  it('matches keys by substring', () => {
    expect(config('my_password_here=x').password).toBe('x');
    expect(config('\tpassword=x').password).toBe('x');
    expect(config('xencryption_methodx=3').encryptionMethod).toBe(3);
  });

  it("reports send_nsca's errors, with the line number", () => {
    expect(error('password=\n')).toBe("No variable value specified in config file 't.cfg' - Line 1");
    expect(error('\n#c\npassword\n')).toBe("No variable value specified in config file 't.cfg' - Line 3");
    expect(error('=\n')).toBe("No variable value specified in config file 't.cfg' - Line 1");
    expect(error('===')).toBe("No variable name specified in config file 't.cfg' - Line 1");
    expect(error('foo=bar\n')).toBe("Unknown option specified in config file 't.cfg' - Line 1");
    expect(error(' # indented comment\n')).toBe("No variable value specified in config file 't.cfg' - Line 1");
    expect(error('encryption_method=13\n')).toBe("Invalid encryption method (13) in config file 't.cfg' - Line 1");
    expect(error('encryption_method= 99\n')).toBe("Invalid encryption method (99) in config file 't.cfg' - Line 1");
    expect(error('encryption_method=-1\n')).toBe("Invalid encryption method (-1) in config file 't.cfg' - Line 1");
  });

  it('reads lines as C strings: a NUL ends them', () => {
    expect(config('\0password=\n').password).toBe('');
    expect(error('pass\0word=\n')).toMatch(/^No variable value/);
    expect(error('password=\0\n')).toMatch(/^No variable value/);
  });

  it('reads a long line in pieces of 5118 bytes, each with its own line number', () => {
    expect(error(`password=${'a'.repeat(5200)}\n`)).toBe("No variable value specified in config file 't.cfg' - Line 2");
    expect(config(`password=${'a'.repeat(5109)}encryption_method=3\n`)).toEqual({ password: 'a'.repeat(5109), encryptionMethod: 3, legacy: undefined });
  });

  it('accepts the method numbers libmcrypt-built send_nsca accepts', () => {
    const accepted = Array.from({ length: 30 }, (_, n) => n - 1).filter(isConfigurableMethod);
    expect(accepted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 19, 20, 22, 23, 24, 25, 26]);
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const result = parseSendNscaConfig(bytes, 'x');
        if (!result.ok) expect(result.message).toMatch(/in config file 'x' - Line \d+$/);
      }),
    );
  });
});

describe('readSendNscaConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'send-nsca-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file, says a missing one cannot be opened, and reads a directory as empty', () => {
    const file = join(dir, 'send_nsca.cfg');
    writeFileSync(file, 'password=pw\nencryption_method=3\n');
    expect(readSendNscaConfig(file)).toMatchObject({ ok: true, config: { encryptionMethod: 3 } });
    expect(readSendNscaConfig(join(dir, 'missing.cfg'))).toEqual({ ok: false, message: `Could not open config file '${join(dir, 'missing.cfg')}' for reading.` });
    expect(readSendNscaConfig(dir)).toMatchObject({ ok: true, config: { encryptionMethod: 1 } });
    expect(DEFAULT_SEND_NSCA_CONFIG).toBe('/etc/send_nsca.cfg');
  });
});
