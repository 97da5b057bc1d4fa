// Common.Header / Common.Host <-> their plain shapes, and the Status mapping NSClient++ applies.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Header, HeaderSchema, Host, HostSchema, KeyValue } from './gen/common_pb.js';
import type { HeaderFields, HostFields, Status } from './types.js';

/** NSClient++'s mapping both ways: 0, 1, 2 are themselves, anything else is UNKNOWN (3). */
export function toStatus(code: number): Status {
  return code === 0 || code === 1 || code === 2 ? code : 3;
}

type Pairs = [key: string, value: string][];

const pairsToWire = (pairs: Pairs | undefined) => pairs?.map(([key, value]) => ({ key, value }));
const pairsFromWire = (kvs: KeyValue[]): Pairs => kvs.map((kv) => [kv.key, kv.value]);

export function hostToWire(host: HostFields): MessageInitShape<typeof HostSchema> {
  return { ...host, metadata: pairsToWire(host.metadata) };
}

/** Copies the named string fields that are not '' (proto3's absent). */
function copyStrings<K extends string>(out: Partial<Record<K, string>>, from: Record<K, string>, keys: readonly K[]): void {
  for (const key of keys) if (from[key]) out[key] = from[key];
}

const HOST_STRINGS = ['id', 'host', 'address', 'protocol', 'comment'] as const;
const HEADER_STRINGS = ['command', 'sourceId', 'senderId', 'recipientId', 'destinationId', 'messageId'] as const;

export function hostFromWire(host: Host): HostFields {
  const out: HostFields = {};
  copyStrings(out, host, HOST_STRINGS);
  if (host.metadata.length > 0) out.metadata = pairsFromWire(host.metadata);
  if (host.tags.length > 0) out.tags = host.tags;
  return out;
}

export function headerToWire(header: HeaderFields | undefined): MessageInitShape<typeof HeaderSchema> | undefined {
  if (header === undefined) return undefined;
  return {
    command: header.command,
    sourceId: header.sourceId,
    senderId: header.senderId,
    recipientId: header.recipientId,
    destinationId: header.destinationId,
    messageId: header.messageId,
    metadata: pairsToWire(header.metadata),
    tags: header.tags,
    hosts: header.hosts?.map(hostToWire),
  };
}

export function headerFromWire(header: Header | undefined): HeaderFields | undefined {
  if (header === undefined) return undefined;
  const out: HeaderFields = {};
  copyStrings(out, header, HEADER_STRINGS);
  if (header.metadata.length > 0) out.metadata = pairsFromWire(header.metadata);
  if (header.tags.length > 0) out.tags = header.tags;
  if (header.hosts.length > 0) out.hosts = header.hosts.map(hostFromWire);
  return out;
}

/** Sets `out.header` from the wire's header when the message has one. */
export function withHeader<T extends { header?: HeaderFields }>(out: T, header: Header | undefined): T {
  const fields = headerFromWire(header);
  if (fields !== undefined) out.header = fields;
  return out;
}
