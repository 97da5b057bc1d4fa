import { isIPv4 } from 'node:net';
import { netSnmp, type NetSnmpVarbind } from './engine.js';
import { enumNumber, formatVarbind, isPlain, type ResponseFormat } from './format.js';
import { mibIndex, wireOid, type MibIndex } from './mib.js';

/** A value as a Varbind carries it. */
export type SnmpValue = string | number | bigint | boolean | Buffer | null;

/**
 * Perl SNMP's Varbind: `[tag, iid, value, type]`. In a response the tag is the name of the
 * longest known prefix (`'sysUpTime'`), iid the rest (`'0'`), type one of Perl SNMP's type names.
 */
export type Varbind = [tag: string, iid?: string | number, value?: SnmpValue, type?: string];

/** Perl SNMP's VarList: an array of Varbinds. */
export type VarList = Varbind[];

/** What a request takes for its variables: a tag string, one Varbind, or a VarList. */
export type Vars = string | Varbind | VarList;

const T = netSnmp.ObjectType;

/** net-snmp's ObjectType number → Perl SNMP's type name. */
const PERL_TYPE: Record<number, string> = {
  [T.Boolean!]: 'INTEGER',
  [T.Integer!]: 'INTEGER',
  [T.OctetString!]: 'OCTETSTR',
  [T.Null!]: 'NULL',
  [T.OID!]: 'OBJECTID',
  [T.IpAddress!]: 'IPADDR',
  [T.Counter!]: 'COUNTER',
  [T.Gauge!]: 'GAUGE',
  [T.TimeTicks!]: 'TICKS',
  [T.Opaque!]: 'OPAQUE',
  [T.Counter64!]: 'COUNTER64',
  [T.NoSuchObject!]: 'NOSUCHOBJECT',
  [T.NoSuchInstance!]: 'NOSUCHINSTANCE',
  [T.EndOfMibView!]: 'ENDOFMIBVIEW',
};

/** Perl SNMP's type names (and the SMI's) → net-snmp's ObjectType number, for set. */
const ENGINE_TYPE: Record<string, number> = {
  INTEGER: T.Integer!,
  INTEGER32: T.Integer!,
  BITS: T.OctetString!,
  OCTETSTR: T.OctetString!,
  'OCTET STRING': T.OctetString!,
  NULL: T.Null!,
  OBJECTID: T.OID!,
  'OBJECT IDENTIFIER': T.OID!,
  IPADDR: T.IpAddress!,
  IPADDRESS: T.IpAddress!,
  NETADDR: T.IpAddress!,
  NETWORKADDRESS: T.IpAddress!,
  COUNTER: T.Counter!,
  COUNTER32: T.Counter!,
  GAUGE: T.Gauge!,
  GAUGE32: T.Gauge!,
  UNSIGNED32: T.Gauge!,
  UINTEGER: T.Gauge!,
  TICKS: T.TimeTicks!,
  TIMETICKS: T.TimeTicks!,
  OPAQUE: T.Opaque!,
  COUNTER64: T.Counter64!,
};

/** Is this response Varbind an exception (noSuchObject, noSuchInstance, endOfMibView)? */
export function isException(varbind: Varbind): boolean {
  const type = varbind[3];
  return type === 'NOSUCHOBJECT' || type === 'NOSUCHINSTANCE' || type === 'ENDOFMIBVIEW';
}

/**
 * A Varbind's numeric OID (no leading dot), its tag and iid resolved through the MIB index; the
 * root is `''` and a one-arc OID stays one arc (`wireOid` pads them for the wire).
 */
export function varbindOid(varbind: Varbind, index: MibIndex = mibIndex()): string {
  const [tag, iid] = varbind;
  if (iid === undefined || iid === '') return index.resolve(String(tag));
  const text = String(tag).trim();
  const joined = text === '.' || text === '' ? String(iid).replace(/^\./, '') : `${text.replace(/\.$/, '')}.${String(iid).replace(/^\./, '')}`;
  return index.resolve(joined);
}

/** Perl SNMP's reading of a request's variables: a tag string, a Varbind or a VarList. */
export function varList(vars: Vars): VarList {
  if (typeof vars === 'string') return [[vars]];
  if (!Array.isArray(vars)) throw new TypeError(`not a Varbind or VarList: ${String(vars)}`);
  if (vars.length > 0 && Array.isArray(vars[0])) return vars as VarList;
  return [vars as Varbind];
}

/** One Varbind to net-snmp's `{ oid, type, value }` for a set (type from the MIB when not given). */
export function toEngineVarbind(varbind: Varbind, index: MibIndex = mibIndex()): NetSnmpVarbind {
  const oid = wireOid(varbindOid(varbind, index));
  const given = varbind[3];
  let type: number | undefined;
  if (given !== undefined) {
    type = typeof given === 'number' ? given : ENGINE_TYPE[String(given).toUpperCase()];
    if (type === undefined) throw new TypeError(`unknown SNMP type ${String(given)} for ${varbind[0]}`);
  } else {
    const syntax = index.syntaxOf(oid);
    type = (syntax === undefined ? undefined : ENGINE_TYPE[syntax.toUpperCase()]) ?? T.OctetString!;
  }
  // an enumeration's label is taken for its number (Perl SNMP does so under UseEnums)
  const value = type === T.Integer ? enumNumber(oid, varbind[2] ?? null, index) : (varbind[2] ?? null);
  return { oid, type, value: engineValue(value, type) };
}

function engineValue(value: SnmpValue, type: number): unknown {
  if (type === T.Counter64) {
    if (Buffer.isBuffer(value)) return value;
    let n = BigInt(value as string | number | bigint);
    if (n < 0n || n >= 1n << 64n) throw new RangeError(`Counter64 out of range: ${n}`);
    const bytes: number[] = [];
    do {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
    return Buffer.from(bytes);
  }
  if (type === T.Integer || type === T.Counter || type === T.Gauge || type === T.TimeTicks) {
    const n = typeof value === 'bigint' ? Number(value) : Number(value);
    if (!Number.isFinite(n)) throw new TypeError(`not a number: ${String(value)}`);
    return n;
  }
  if (type === T.OID) return String(value).replace(/^\./, '');
  if (type === T.IpAddress) {
    if (!isIPv4(String(value))) throw new TypeError(`not an IPv4 address: ${String(value)}`);
    return String(value);
  }
  if (type === T.Null) return null;
  if (value === null) return '';
  return Buffer.isBuffer(value) ? value : String(value);
}

/** A response varbind from net-snmp to Perl SNMP's `[tag, iid, value, type]`. */
export function fromEngineVarbind(varbind: NetSnmpVarbind, index: MibIndex = mibIndex(), format?: ResponseFormat): Varbind {
  const [tag, iid] = index.split(varbind.oid);
  const type = PERL_TYPE[varbind.type] ?? String(varbind.type);
  const plain: Varbind = [tag, iid, responseValue(varbind), type];
  return format === undefined || isPlain(format) ? plain : formatVarbind(varbind, plain, index, format);
}

function responseValue(varbind: NetSnmpVarbind): SnmpValue {
  const { type, value } = varbind;
  switch (type) {
    case T.Counter64:
      return Buffer.isBuffer(value) ? bufferToBigint(value) : BigInt(value as number);
    case T.OctetString:
      return Buffer.isBuffer(value) ? octets(value) : String(value);
    case T.Opaque:
      return Buffer.isBuffer(value) ? value : String(value);
    case T.OID:
      return `.${String(value)}`;
    case T.NoSuchObject:
      return 'NOSUCHOBJECT';
    case T.NoSuchInstance:
      return 'NOSUCHINSTANCE';
    case T.EndOfMibView:
      return 'ENDOFMIBVIEW';
    case T.Null:
      return null;
    default:
      return value as SnmpValue;
  }
}

/** Counter64 arrives as a big-endian Buffer of up to 9 bytes. */
export function bufferToBigint(buffer: Buffer): bigint {
  // most counters fit in 48 bits: one BigInt instead of one per byte
  if (buffer.length <= 6) return buffer.length === 0 ? 0n : BigInt(buffer.readUIntBE(0, buffer.length));
  if (buffer.length === 8) return buffer.readBigUInt64BE(0);
  let n = 0n;
  for (const byte of buffer) n = (n << 8n) | BigInt(byte);
  return n;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** An OCTET STRING: text when it is well-formed UTF-8 without control characters but tab/CR/LF, else the bytes. */
function octets(buffer: Buffer): string | Buffer {
  let ascii = true;
  for (const byte of buffer) {
    if ((byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 13) || byte === 0x7f) return buffer;
    if (byte >= 0x80) ascii = false;
  }
  // plain ASCII (the common case) needs no UTF-8 validation
  if (ascii) return buffer.toString('latin1');
  try {
    return decoder.decode(buffer);
  } catch {
    return buffer;
  }
}
