import type { NSCAResult } from '../server/result.js';

/**
 * The external command the nsca daemon writes for a check, byte for byte:
 * `[now] PROCESS_SERVICE_CHECK_RESULT;host;svc;rc;output\n`, or PROCESS_HOST_CHECK_RESULT without
 * the service. Host and service stop at their first line feed; in the output a backslash becomes
 * `\\` and a line feed `\n`; nothing else is escaped (nor is `;`), as nsca does.
 */
export function commandLine(result: Pick<NSCAResult, 'return_code' | 'raw'>, now: number): Buffer {
  const host = upToLineFeed(result.raw.host_name);
  const service = upToLineFeed(result.raw.svc_description);
  const output = escapeOutput(result.raw.plugin_output);
  const head =
    service.length > 0
      ? Buffer.concat([Buffer.from(`[${now}] PROCESS_SERVICE_CHECK_RESULT;`), host, SEMICOLON, service, SEMICOLON])
      : Buffer.concat([Buffer.from(`[${now}] PROCESS_HOST_CHECK_RESULT;`), host, SEMICOLON]);
  return Buffer.concat([head, Buffer.from(`${result.return_code};`), output, LINE_FEED]);
}

const SEMICOLON = Buffer.from(';');
const LINE_FEED = Buffer.from('\n');
const BACKSLASH = 0x5c;
const LF = 0x0a;

function upToLineFeed(bytes: Buffer): Buffer {
  const at = bytes.indexOf(LF);
  return at < 0 ? bytes : bytes.subarray(0, at);
}

function escapeOutput(bytes: Buffer): Buffer {
  let extra = 0;
  for (const byte of bytes) if (byte === BACKSLASH || byte === LF) extra++;
  if (extra === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + extra);
  let j = 0;
  for (const byte of bytes) {
    if (byte === BACKSLASH) {
      out[j++] = BACKSLASH;
      out[j++] = BACKSLASH;
    } else if (byte === LF) {
      out[j++] = BACKSLASH;
      out[j++] = 0x6e;
    } else {
      out[j++] = byte;
    }
  }
  return out;
}
