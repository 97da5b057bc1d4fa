import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';

/** Typed view of test/vectors/send_nsca-vectors.json (see the README beside it). */

export interface VectorDecoded {
  packet_version: number;
  pad_after_version_hex: string;
  crc32: number;
  crc32_calculated: number;
  crc_ok: boolean;
  timestamp: number;
  return_code: number;
  host_name: string;
  svc_description: string;
  plugin_output: string;
  plugin_output_bytes: number;
  host_name_hex: string;
  svc_description_hex: string;
  plugin_output_hex: string;
  tail_pad_hex: string;
}

export interface VectorCase {
  method: number;
  method_name: string;
  case: string;
  password: string;
  iv_hex: string;
  timestamp: number;
  config: string;
  input: string;
  exit_code: number;
  stdout: string;
  stderr: string;
  packet_size: number;
  bytes_received: number;
  packets: string[];
  plaintexts?: string[];
  decoded?: VectorDecoded[];
  second_packet_with_fresh_cipher_crc_ok?: boolean;
}

export interface VectorMethod {
  method: number;
  method_name: string;
  accepted: boolean;
  note: string;
}

export interface Vectors {
  send_nsca_version: string;
  iv_hex: string;
  timestamp: number;
  init_packet_hex: string;
  password: string;
  long_password: string;
  methods: VectorMethod[];
  cases: VectorCase[];
}

export const vectors: Vectors = JSON.parse(
  readFileSync(new URL('../vectors/send_nsca-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Buffer => Buffer.from(text, 'hex');

export const IV = unhex(vectors.iv_hex);

/** Cases that put packets on the wire (send_nsca accepted the method and had input). */
export const casesWithPackets = (method: number): VectorCase[] =>
  vectors.cases.filter((c) => c.method === method && c.packets.length > 0);

/** The bytes a case put on its connection. */
export const connectionBytes = (c: VectorCase): Buffer => Buffer.concat(c.packets.map(unhex));
