/**
 * NSCA 2.10 wire constants (see shared/nsca-protocol.md §1–2). All integers big-endian.
 */

/** Default TCP port of nsca. */
export const NSCA_PORT = 5667;

/** Bytes of IV at the start of the init packet. */
export const IV_SIZE = 128;
/** Init packet: IV[128] then uint32 timestamp. */
export const INIT_PACKET_SIZE = IV_SIZE + 4;

/** The only data packet version nsca 2.x accepts. */
export const PACKET_VERSION = 3;

/** Data packet size with the 4096-byte plugin_output (nsca ≥ 2.7.2 default). */
export const PACKET_SIZE = 4304;
/** Legacy (2.7-compatible) data packet size: plugin_output of 512 bytes. */
export const LEGACY_PACKET_SIZE = 720;

/** Field offsets inside a data packet (the C struct with natural alignment). */
export const OFFSET = {
  version: 0,
  /** 2 bytes of struct padding (random filler from send_nsca), covered by the CRC. */
  padding: 2,
  crc32: 4,
  timestamp: 8,
  return_code: 12,
  host_name: 14,
  svc_description: 78,
  plugin_output: 206,
} as const;

/** Field sizes in bytes, including the terminating NUL. */
export const FIELD_SIZE = {
  host_name: 64,
  svc_description: 128,
  plugin_output: 4096,
  legacy_plugin_output: 512,
} as const;

/** Longest strings a packet can carry (field size − the NUL). */
export const MAX_HOST_NAME = FIELD_SIZE.host_name - 1;
export const MAX_SVC_DESCRIPTION = FIELD_SIZE.svc_description - 1;
export const MAX_PLUGIN_OUTPUT = FIELD_SIZE.plugin_output - 1;
export const MAX_LEGACY_PLUGIN_OUTPUT = FIELD_SIZE.legacy_plugin_output - 1;

/** send_nsca's filler: every byte of the packet is first set to a random char in '0'..'w'. */
export const FILLER_FIRST = 0x30;
export const FILLER_COUNT = 72; // '0' (0x30) .. 'w' (0x77)
