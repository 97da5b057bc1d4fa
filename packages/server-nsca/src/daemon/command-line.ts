import type { NSCAResult } from '../server/result.js';

/**
 * The external command the nsca daemon writes for a check, byte for byte:
 * `[now] PROCESS_SERVICE_CHECK_RESULT;host;svc;rc;output\n`, or PROCESS_HOST_CHECK_RESULT without
 * the service. Host and service stop at their first line feed; in the output a backslash becomes
 * `\\` and a line feed `\n`; nothing else is escaped (nor is `;`), as nsca does. The strings'
 * raw bytes are written as received (no UTF-8 decoding on the way).
 */
export function commandLine(result: Pick<NSCAResult, 'return_code' | 'raw'>, now: number): Buffer {
  const host = result.raw.host_name;
  const service = result.raw.svc_description;
  const output = result.raw.plugin_output;
  const hostLength = upToLineFeed(host);
  const serviceLength = upToLineFeed(service);
  const head = serviceLength > 0 ? `[${now}] PROCESS_SERVICE_CHECK_RESULT;` : `[${now}] PROCESS_HOST_CHECK_RESULT;`;
  const rc = `${result.return_code};`;
  let escapes = 0;
  for (let i = 0; i < output.length; i++) {
    const byte = output[i]!;
    if (byte === BACKSLASH || byte === LF) escapes++;
  }
  // head and rc are ASCII: one byte per character
  const length = head.length + hostLength + 1 + (serviceLength > 0 ? serviceLength + 1 : 0) + rc.length + output.length + escapes + 1;
  const line = Buffer.allocUnsafe(length);
  let at = line.write(head, 0, 'latin1');
  at += host.copy(line, at, 0, hostLength);
  line[at++] = SEMICOLON;
  if (serviceLength > 0) {
    at += service.copy(line, at, 0, serviceLength);
    line[at++] = SEMICOLON;
  }
  at += line.write(rc, at, 'latin1');
  if (escapes === 0) {
    at += output.copy(line, at);
  } else {
    for (let i = 0; i < output.length; i++) {
      const byte = output[i]!;
      if (byte === BACKSLASH) {
        line[at++] = BACKSLASH;
        line[at++] = BACKSLASH;
      } else if (byte === LF) {
        line[at++] = BACKSLASH;
        line[at++] = 0x6e; // n
      } else {
        line[at++] = byte;
      }
    }
  }
  line[at] = LF;
  return line;
}

const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;
const LF = 0x0a;

function upToLineFeed(bytes: Buffer): number {
  const at = bytes.indexOf(LF);
  return at < 0 ? bytes.length : at;
}
