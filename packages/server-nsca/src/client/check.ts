import type { PacketFields } from '../codec/packet.js';

/**
 * One check result to send: the `message` hash of POE::Component::Client::NSCA. Strings are sent
 * as UTF-8, byte arrays as they are; both are cut byte-wise at the packet's limits (63, 127 and
 * 4095 bytes — 511 in legacy mode) and at an embedded NUL, as send_nsca does.
 */
export interface NscaCheck {
  /** The host this check is for (mandatory, not empty). */
  host_name: string | Uint8Array;
  /** The service; absent or empty for a host check. */
  svc_description?: string | Uint8Array | undefined;
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; an integer, stored in 16 bits (70000 → 4464). */
  return_code: number;
  /** The plugin's output (mandatory, may be empty). */
  plugin_output: string | Uint8Array;
}

function isText(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/** Why `message` is not a check this component can send, or undefined when it is one. */
export function checkProblem(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return 'message must be a hash with host_name, return_code and plugin_output';
  const m = message as Record<string, unknown>;
  if (!isText(m.host_name) || m.host_name.length === 0) return 'message.host_name is mandatory (a non-empty string)';
  if (m.svc_description !== undefined && m.svc_description !== null && !isText(m.svc_description)) {
    return 'message.svc_description must be a string (or absent, for a host check)';
  }
  if (typeof m.return_code !== 'number' || !Number.isInteger(m.return_code)) return 'message.return_code is mandatory (an integer)';
  if (!isText(m.plugin_output)) return 'message.plugin_output is mandatory (a string)';
  return undefined;
}

/** The packet fields of a (valid) check, stamped with the init packet's timestamp. */
export function packetFieldsOf(check: NscaCheck, timestamp: number): PacketFields {
  return {
    host_name: check.host_name,
    svc_description: check.svc_description ?? '',
    return_code: check.return_code,
    plugin_output: check.plugin_output,
    timestamp,
  };
}
