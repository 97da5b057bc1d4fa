import { describe, expect, it } from 'vitest';
import { atoi, strtol } from '../src/cli/c-numbers.js';
import { connectPort, parseSendNscaArgs } from '../src/index.js';

const args = (...argv: string[]) => parseSendNscaArgs(argv);

describe('C numbers (glibc strtol/atoi)', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');

  it('atoi: leading space and sign, stops at the first non-digit, wraps to 32 bits', () => {
    expect(atoi('25667x')).toEqual({ value: 25667, overflow: false });
    expect(atoi('  -42')).toEqual({ value: -42, overflow: false });
    expect(atoi('abc')).toEqual({ value: 0, overflow: false });
    expect(atoi('4294967296')).toEqual({ value: 0, overflow: false });
    expect(atoi('99999999999999999999')).toEqual({ value: -1, overflow: true });
    expect(atoi('-99999999999999999999')).toEqual({ value: 0, overflow: true });
  });

  it('strtol base 0: hexadecimal, octal, decimal', () => {
    expect(strtol(bytes('0x2c'), 0).value).toBe(44n);
    expect(strtol(bytes('054'), 0).value).toBe(44n);
    expect(strtol(bytes('44'), 0).value).toBe(44n);
    expect(strtol(bytes('0x'), 0)).toMatchObject({ value: 0n, overflow: false });
    expect(strtol(bytes('-x'), 0)).toMatchObject({ value: 0n, overflow: false });
    expect(strtol(bytes('0x7fffffffffffffff'), 0)).toMatchObject({ value: (1n << 63n) - 1n, overflow: false });
    expect(strtol(bytes('0x8000000000000000'), 0)).toMatchObject({ value: (1n << 63n) - 1n, overflow: true });
  });
});

describe('parseSendNscaArgs (send_nsca 2.10 command line)', () => {
  it('shows the help without arguments', () => {
    expect(args()).toMatchObject({ ok: true, args: { showHelp: true } });
  });

  it('has send_nsca defaults (Debian config path)', () => {
    expect(args('-H', 'nagios')).toEqual({
      ok: true,
      args: {
        serverName: 'nagios',
        port: 5667,
        timeout: 10,
        configFile: '/etc/send_nsca.cfg',
        fieldDelimiter: 9,
        blockDelimiter: 0x17,
        quiet: false,
        legacy: false,
        showHelp: false,
        showLicense: false,
        showVersion: false,
      },
    });
  });

  it('reads every option', () => {
    const { ok, args: a } = args('-H', 'h', '-p', '5668', '-to', '3', '-c', '/x.cfg', '-d', ',', '-ds', '0x0a', '--quiet', '--legacy-2-7-mode');
    expect(ok).toBe(true);
    expect(a).toMatchObject({ serverName: 'h', port: 5668, timeout: 3, configFile: '/x.cfg', fieldDelimiter: 0x2c, blockDelimiter: 0x0a, quiet: true, legacy: true });
  });

  it('takes the first argument as the host (old syntax), ignores it otherwise, and refuses unknown later ones', () => {
    expect(args('127.0.0.1', '-p', '1')).toMatchObject({ ok: true, args: { serverName: '127.0.0.1', port: 1 } });
    expect(args('-H', '127.0.0.1', '-x').ok).toBe(false);
    expect(args('--bogus').ok).toBe(true);
  });

  it('refuses an option without its value, and a timeout that is not positive', () => {
    for (const option of ['-H', '-p', '-to', '-c', '-d', '-ds']) expect(args('-H', 'h', option).ok).toBe(false);
    expect(args('-H', 'h', '-to', '0').ok).toBe(false);
    expect(args('-H', 'h', '-to', 'abc').ok).toBe(false);
    expect(args('-H', 'h', '-to', '99999999999999999999').ok).toBe(false);
    expect(args('-H', 'h', '-to', '1x')).toMatchObject({ ok: true, args: { timeout: 1 } });
  });

  it('reads delimiters: literal characters, numbers (low byte), empty', () => {
    const d = (value: string) => args('-H', 'h', '-d', value).args.fieldDelimiter;
    const ds = (value: string) => args('-H', 'h', '-ds', value).args.blockDelimiter;
    expect(d(',')).toBe(0x2c);
    expect(d(',,,')).toBe(0x2c);
    expect(d('9')).toBe(0x39);
    expect(d('44')).toBe(0x2c);
    expect(d('0x2c')).toBe(0x2c);
    expect(d('0x109')).toBe(0x09);
    expect(d('-x')).toBeNull();
    expect(d('')).toBeNull();
    expect(ds('')).toBe(0);
    expect(ds('0x00')).toBe(0);
    expect(ds('0xc3')).toBeNull();
    expect(ds('\u00e9')).toBeNull();
    expect(args('-H', 'h', '-d', '99999999999999999999999').ok).toBe(false);
  });

  it('keeps errno from an earlier overflow: a numeric delimiter after it fails (as glibc + send_nsca do)', () => {
    expect(args('-H', 'h', '-p', '99999999999999999999', '-d', '0x2c').ok).toBe(false);
    expect(args('-H', 'h', '-p', '99999999999999999999', '-d', ',').ok).toBe(true);
  });

  it('stops at the first mistake: --legacy-2-7-mode after it is not read', () => {
    expect(args('-H', 'h', '-to', '0', '--legacy-2-7-mode')).toMatchObject({ ok: false, args: { legacy: false } });
    expect(args('--legacy-2-7-mode', '-h')).toMatchObject({ ok: true, args: { legacy: true, showHelp: true } });
  });

  it('maps -p as getaddrinfo does: negative fails, the rest keeps 16 bits', () => {
    expect(connectPort(-5)).toBeUndefined();
    expect(connectPort(0)).toBe(0);
    expect(connectPort(70000)).toBe(4464);
    expect(args('-H', 'h', '-p', 'abc').args.port).toBe(0);
  });
});
