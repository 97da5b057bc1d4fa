// How a response varbind is shaped under Perl SNMP's per-session flags: UseLongNames and
// UseNumeric choose the tag, UseEnums and UseSprintValue the value.
import { netSnmp, type NetSnmpVarbind } from './engine.js';
import type { MibIndex } from './mib.js';
import type { SnmpValue, Varbind } from './varbind.js';

/** Perl SNMP::Session's flags that change what a response looks like. */
export interface ResponseFormat {
  UseLongNames: boolean;
  UseNumeric: boolean;
  UseEnums: boolean;
  UseSprintValue: boolean;
}

export const PLAIN_FORMAT: ResponseFormat = { UseLongNames: false, UseNumeric: false, UseEnums: false, UseSprintValue: false };

export function isPlain(format: ResponseFormat): boolean {
  return !format.UseLongNames && !format.UseNumeric && !format.UseEnums && !format.UseSprintValue;
}

/**
 * The tag and iid of a numeric OID. UseNumeric: the OID but its last arc, with a leading dot,
 * and the last arc (Perl's split for numeric names); UseLongNames: the named part as
 * `snmpget -Of` prints it; else the shortest name and the rest (the default).
 */
export function tagOf(oid: string, index: MibIndex, format: ResponseFormat): [tag: string, iid: string] {
  if (format.UseNumeric) {
    const cut = oid.lastIndexOf('.');
    return cut < 0 ? [`.${oid}`, ''] : [`.${oid.slice(0, cut)}`, oid.slice(cut + 1)];
  }
  const [tag, iid] = index.split(oid);
  if (!format.UseLongNames || tag.startsWith('.')) return [tag, iid];
  const named = iid === '' ? oid : oid.slice(0, oid.length - iid.length - 1);
  return [index.longName(named), iid];
}

const T = netSnmp.ObjectType;

/** DISPLAY-HINTs of the textual conventions net-snmp's MIB store loads without their hint. */
const DISPLAY_HINTS: Record<string, string> = {
  PhysAddress: '1x:',
  MacAddress: '1x:',
  DisplayString: '255a',
  SnmpAdminString: '255t',
  DateAndTime: '2d-1d-1d,1d:1d:1d.1d,1a1d:1d',
};

/**
 * A value as Net-SNMP's snprint_value prints it with quick printing (what Perl SNMP's
 * UseSprintValue returns; `snmpget -Oqv`): enumerations by label, TimeTicks as
 * `d:h:mm:ss.cc`, OCTET STRINGs through their display hint, else as text when printable, else
 * as hex bytes; OBJECT IDENTIFIERs by name in the session's name format; exceptions as the
 * C tools word them.
 */
export function sprintValue(varbind: NetSnmpVarbind, converted: SnmpValue | undefined, index: MibIndex, format: ResponseFormat): string {
  const { type, value } = varbind;
  switch (type) {
    case T.Integer:
    case T.Boolean: {
      const labels = index.enumsOf(varbind.oid);
      const label = labels?.[String(value)];
      return label ?? String(value);
    }
    case T.TimeTicks:
      return ticks(Number(value));
    case T.OctetString: {
      const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
      const hint = index.syntaxNames(varbind.oid).map((name) => DISPLAY_HINTS[name]).find((h) => h !== undefined);
      if (hint !== undefined) return displayHint(hint, bytes);
      return printable(bytes) ? bytes.toString('latin1') : hex(bytes);
    }
    case T.Opaque:
      return hex(Buffer.isBuffer(value) ? value : Buffer.from(String(value)));
    case T.OID: {
      const oid = String(value).replace(/^\./, '');
      if (format.UseNumeric) return `.${oid}`;
      const [tag, iid] = index.split(oid);
      const name = format.UseLongNames && !tag.startsWith('.') ? index.longName(iid === '' ? oid : oid.slice(0, oid.length - iid.length - 1)) : tag;
      return iid === '' ? name : `${name}.${iid}`;
    }
    case T.Counter64:
      // already a bigint in the plain Varbind
      return String(converted);
    case T.Null:
      return 'NULL';
    case T.NoSuchObject:
      return 'No Such Object available on this agent at this OID';
    case T.NoSuchInstance:
      return 'No Such Instance currently exists at this OID';
    case T.EndOfMibView:
      return 'No more variables left in this MIB View (It is past the end of the MIB tree)';
    default:
      return String(value);
  }
}

/** UseEnums without UseSprintValue: an INTEGER with a label becomes the label; anything else is kept. */
export function enumValue(varbind: NetSnmpVarbind, value: SnmpValue, index: MibIndex): SnmpValue {
  if (varbind.type !== T.Integer) return value;
  return index.enumsOf(varbind.oid)?.[String(value)] ?? value;
}

/** The label of an enumeration given in a set (UseEnums), as its number; other values unchanged. */
export function enumNumber(oid: string, value: SnmpValue, index: MibIndex): SnmpValue {
  if (typeof value !== 'string' || /^-?\d+$/.test(value)) return value;
  const labels = index.enumsOf(oid);
  if (labels === undefined) return value;
  const found = Object.entries(labels).find(([, label]) => label === value);
  return found === undefined ? value : Number(found[0]);
}

/** A response varbind under a non-default format. */
export function formatVarbind(varbind: NetSnmpVarbind, plain: Varbind, index: MibIndex, format: ResponseFormat): Varbind {
  const [tag, iid] = format.UseLongNames || format.UseNumeric ? tagOf(varbind.oid, index, format) : [plain[0], plain[1] as string];
  let value = plain[2] ?? null;
  if (format.UseSprintValue) value = sprintValue(varbind, plain[2], index, format);
  else if (format.UseEnums) value = enumValue(varbind, value, index);
  return [tag, iid, value, plain[3]];
}

function ticks(hundredths: number): string {
  const cs = hundredths % 100;
  let s = Math.floor(hundredths / 100);
  const days = Math.floor(s / 86400);
  s %= 86400;
  const hours = Math.floor(s / 3600);
  s %= 3600;
  const minutes = Math.floor(s / 60);
  s %= 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days}:${hours}:${two(minutes)}:${two(s)}.${two(cs)}`;
}

/** Net-SNMP prints a string as text when every byte is printable or white space. */
function printable(bytes: Buffer): boolean {
  for (const byte of bytes) if (!((byte >= 0x20 && byte < 0x7f) || (byte >= 9 && byte <= 13))) return false;
  return true;
}

function hex(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) out += `${byte.toString(16).toUpperCase().padStart(2, '0')} `;
  return out;
}

/** RFC 2579 DISPLAY-HINT for OCTET STRINGs: `[*]length format [separator [terminator]]`, the last spec repeated. */
function displayHint(hint: string, bytes: Buffer): string {
  const specs: { star: boolean; length: number; format: string; separator?: string; terminator?: string }[] = [];
  for (let i = 0; i < hint.length; ) {
    const star = hint[i] === '*';
    if (star) i++;
    let digits = '';
    while (i < hint.length && /\d/.test(hint[i]!)) digits += hint[i++];
    const format = hint[i++] ?? 'a';
    const spec: (typeof specs)[number] = { star, length: Number(digits || '1'), format };
    if (i < hint.length && !/[\d*]/.test(hint[i]!)) spec.separator = hint[i++];
    if (star && i < hint.length && !/[\d*]/.test(hint[i]!)) spec.terminator = hint[i++];
    specs.push(spec);
  }
  let out = '';
  let at = 0;
  for (let s = 0; at < bytes.length; s = Math.min(s + 1, specs.length - 1)) {
    const spec = specs[s]!;
    const repeat = spec.star ? bytes[at++]! : 1;
    for (let r = 0; r < repeat && at < bytes.length; r++) {
      const chunk = bytes.subarray(at, at + spec.length);
      at += chunk.length;
      if (spec.format === 'a' || spec.format === 't') out += chunk.toString(spec.format === 't' ? 'utf8' : 'latin1');
      else {
        let n = 0n;
        for (const byte of chunk) n = (n << 8n) | BigInt(byte);
        out += spec.format === 'x' ? n.toString(16) : spec.format === 'o' ? n.toString(8) : n.toString(10);
      }
      const last = at >= bytes.length;
      if (!last && spec.separator !== undefined && !(spec.terminator !== undefined && r === repeat - 1)) out += spec.separator;
    }
    if (spec.terminator !== undefined && at < bytes.length) out += spec.terminator;
  }
  return out;
}
