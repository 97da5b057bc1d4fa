import type { NSCAResult } from '../server/result.js';

/**
 * strict_fields (new to the port): why a check must not reach Nagios as it came, or undefined.
 * Nagios splits an external command on `;`, so a host or service holding one is read as other
 * fields (`web1;1;forged` becomes host `web1`, return code 1); a control character has no place
 * in a name either (nsca cuts names at a line feed, nothing else). Nagios 3 reads its command
 * pipe with an 8,192-byte fgets buffer, so a line longer than 8,190 bytes (`maxLineLength`) is
 * read as two commands. The output may hold `;` (Nagios takes everything after the return code).
 */
export function strictFieldsRefusal(result: Pick<NSCAResult, 'raw'>, line: Buffer, maxLineLength: number): string | undefined {
  const host = badByte(result.raw.host_name);
  if (host !== undefined) return `the host name holds ${host}`;
  const service = badByte(result.raw.svc_description);
  if (service !== undefined) return `the service description holds ${service}`;
  const length = line.length - 1; // without its line feed
  if (length > maxLineLength) return `its command line is ${length} bytes, over max_line_length ${maxLineLength}`;
  return undefined;
}

/** The first `;` or control character (C0 or DEL) of a field, described; undefined when there is none. */
function badByte(field: Buffer): string | undefined {
  for (const byte of field) {
    if (byte === 0x3b) return "';'";
    if (byte < 0x20 || byte === 0x7f) return `control character 0x${byte.toString(16).padStart(2, '0')}`;
  }
  return undefined;
}
