import type { NscaPacket, NscaRawStrings } from '../codec/packet.js';

/**
 * What registered sessions receive as ARG0 for each check, POE::Component::Server::NSCA's hash:
 * `svc_description` is absent for host checks; `crc32` is the CRC the client sent and `checksum`
 * the one computed here (equal, unless the server delivers bad CRCs flagged `crc_ok: false`).
 * New to the port: `crc_ok`, `legacy` (a 720-byte packet) and `raw`, the strings' exact bytes.
 */
export interface NSCAResult {
  version: number;
  host_name: string;
  svc_description?: string;
  return_code: number;
  plugin_output: string;
  peeraddr: string;
  peerport: number;
  crc32: number;
  checksum: number;
  timestamp: number;
  crc_ok: boolean;
  legacy: boolean;
  raw: NscaRawStrings;
}

export function resultOf(packet: NscaPacket, peeraddr: string, peerport: number): NSCAResult {
  const result: NSCAResult = {
    version: packet.version,
    host_name: packet.host_name,
    return_code: packet.return_code,
    plugin_output: packet.plugin_output,
    peeraddr,
    peerport,
    crc32: packet.crc32,
    checksum: packet.checksum,
    timestamp: packet.timestamp,
    crc_ok: packet.crc_ok,
    legacy: packet.legacy,
    raw: packet.raw,
  };
  if (packet.svc_description !== undefined) result.svc_description = packet.svc_description;
  return result;
}
