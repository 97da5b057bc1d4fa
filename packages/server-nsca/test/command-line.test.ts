import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { commandLine } from '../src/index.js';

const NOW = 1700000000;

/** A result as commandLine reads it: the raw bytes of the three strings and the return code. */
function result(host: string | Buffer, svc: string | Buffer, rc: number, output: string | Buffer) {
  const bytes = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  return { return_code: rc, raw: { host_name: bytes(host), svc_description: bytes(svc), plugin_output: bytes(output) } };
}

const line = (host: string | Buffer, svc: string | Buffer, rc: number, output: string | Buffer) => commandLine(result(host, svc, rc, output), NOW);

describe('commandLine (the command nsca writes for a check)', () => {
  it('writes a service check', () => {
    expect(line('web1', 'HTTP', 2, 'CRITICAL - down').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;web1;HTTP;2;CRITICAL - down\n`);
  });

  it('writes a host check when the service is empty', () => {
    expect(line('web1', '', 0, 'PING OK').toString()).toBe(`[${NOW}] PROCESS_HOST_CHECK_RESULT;web1;0;PING OK\n`);
  });

  it('writes an empty output and an empty host as they are', () => {
    expect(line('h', 's', 0, '').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h;s;0;\n`);
    expect(line('', '', 3, 'x').toString()).toBe(`[${NOW}] PROCESS_HOST_CHECK_RESULT;;3;x\n`);
  });

  it('escapes a backslash as \\\\ and a line feed as \\n in the output', () => {
    expect(line('h', 's', 0, 'C:\\temp\\x').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h;s;0;C:\\\\temp\\\\x\n`);
    expect(line('h', 's', 1, 'first\nsecond\n').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h;s;1;first\\nsecond\\n\n`);
    expect(line('h', '', 1, '\\n\n\\').toString()).toBe(`[${NOW}] PROCESS_HOST_CHECK_RESULT;h;1;\\\\n\\n\\\\\n`);
  });

  it('leaves ; | TAB and CR in the output alone', () => {
    expect(line('h', 's', 0, 'a;b|perf=1;2;3\tcol\r\nnext').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h;s;0;a;b|perf=1;2;3\tcol\r\\nnext\n`);
  });

  it('cuts host and service at their first line feed (nothing escaped there), and ; stays', () => {
    expect(line('host\nrest', 'svc;x\nmore', 0, 'out').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;host;svc;x;0;out\n`);
    // a service that is only a line feed is cut to nothing: a host check, as nsca decides on the cut string
    expect(line('h\\1', '\nsvc', 2, 'o').toString()).toBe(`[${NOW}] PROCESS_HOST_CHECK_RESULT;h\\1;2;o\n`);
    expect(line('h\tt\r', 's\tt\r', 0, 'o').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h\tt\r;s\tt\r;0;o\n`);
  });

  it('writes the return code signed', () => {
    expect(line('h', 's', -1, 'x').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h;s;-1;x\n`);
    expect(line('h', '', -32768, 'x').toString()).toBe(`[${NOW}] PROCESS_HOST_CHECK_RESULT;h;-32768;x\n`);
    expect(line('h', 's', 32767, 'x').toString()).toBe(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;h;s;32767;x\n`);
  });

  it('keeps raw bytes that are not UTF-8 exactly, and UTF-8 exactly', () => {
    const host = Buffer.from([0x68, 0xc3]); // a lone lead byte, as a byte-wise cut leaves it
    const svc = Buffer.from([0xff, 0xfe, 0x80]);
    const output = Buffer.concat([Buffer.from('é ü '), Buffer.from([0x00 + 0x41, 0xe9, 0x5c, 0x0a, 0xc0])]);
    const written = line(host, svc, 0, output);
    const expected = Buffer.concat([
      Buffer.from(`[${NOW}] PROCESS_SERVICE_CHECK_RESULT;`),
      host,
      Buffer.from(';'),
      svc,
      Buffer.from(';0;'),
      Buffer.from('é ü '),
      Buffer.from([0x41, 0xe9, 0x5c, 0x5c, 0x5c, 0x6e, 0xc0, 0x0a]),
    ]);
    expect(written.equals(expected)).toBe(true);
  });

  it('writes the longest output (4095 bytes, all escaped) whole', () => {
    const output = Buffer.alloc(4095, 0x5c);
    const written = line('h'.repeat(63), 's'.repeat(127), 0, output);
    const head = `[${NOW}] PROCESS_SERVICE_CHECK_RESULT;${'h'.repeat(63)};${'s'.repeat(127)};0;`;
    expect(written.length).toBe(head.length + 8190 + 1);
    expect(written.toString('latin1')).toBe(`${head}${'\\'.repeat(8190)}\n`);
  });

  it('uses the time it is given, not the packet timestamp', () => {
    expect(commandLine(result('h', 's', 0, 'x'), 42).toString()).toBe('[42] PROCESS_SERVICE_CHECK_RESULT;h;s;0;x\n');
  });
});
