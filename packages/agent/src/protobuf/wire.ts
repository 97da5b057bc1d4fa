// Strict decoding on top of @bufbuild/protobuf. The library decodes a known field by its declared
// type whatever wire type the tag says, and keeps fields it does not know as unknown fields, so a
// message of another type (or random bytes that happen to be well-formed) would decode without a
// word. Raw calls must refuse bytes that are not the message, so decode first walks the bytes
// against the schema: every field number must be one the message declares, with that field's
// wire type (or the packed form of a repeated number), recursively into sub-messages.
import { ScalarType, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescField, DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ProtobufDecodeError } from './errors.js';

interface FieldRule {
  readonly name: string;
  readonly wireType: WireType;
  /** A repeated number may also come packed, length-delimited. */
  readonly packable: boolean;
  readonly message: DescMessage | undefined;
}

/** Field rules of a message, indexed by field number (NSClient++'s numbers are small). */
const rulesCache = new WeakMap<DescMessage, (FieldRule | undefined)[]>();

function scalarWireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

function ruleFor(field: DescField): FieldRule {
  const name = field.name;
  switch (field.fieldKind) {
    case 'scalar':
      return { name, wireType: scalarWireType(field.scalar), packable: false, message: undefined };
    case 'enum':
      return { name, wireType: WireType.Varint, packable: false, message: undefined };
    case 'message':
      return { name, wireType: WireType.LengthDelimited, packable: false, message: field.message };
    case 'map':
      return { name, wireType: WireType.LengthDelimited, packable: false, message: undefined };
    case 'list':
      if (field.listKind === 'message') return { name, wireType: WireType.LengthDelimited, packable: false, message: field.message };
      if (field.listKind === 'enum') return { name, wireType: WireType.Varint, packable: true, message: undefined };
      {
        const wireType = scalarWireType(field.scalar);
        return { name, wireType, packable: wireType !== WireType.LengthDelimited, message: undefined };
      }
  }
}

function rules(desc: DescMessage): (FieldRule | undefined)[] {
  let table = rulesCache.get(desc);
  if (table === undefined) {
    table = [];
    for (const field of desc.fields) table[field.number] = ruleFor(field);
    rulesCache.set(desc, table);
  }
  return table;
}

const MAX_DEPTH = 32;

function walk(reader: BinaryReader, bytes: Uint8Array, desc: DescMessage, end: number, depth: number, top: string): void {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(top, `messages nested deeper than ${MAX_DEPTH}`);
  const fields = rules(desc);
  while (reader.pos < end) {
    const at = reader.pos;
    const tag = reader.uint32();
    const fieldNo = tag >>> 3;
    const wireType = (tag & 7) as WireType;
    if (reader.pos - at > 5 || fieldNo === 0 || wireType > 5) {
      throw new ProtobufDecodeError(top, `illegal tag: field no ${fieldNo} wire type ${wireType} at byte ${at} (in ${desc.typeName})`);
    }
    const rule = fields[fieldNo];
    if (rule === undefined) {
      throw new ProtobufDecodeError(top, `${desc.typeName} has no field ${fieldNo} (wire type ${wireType}, at byte ${at})`);
    }
    if (wireType !== rule.wireType && !(rule.packable && wireType === WireType.LengthDelimited)) {
      throw new ProtobufDecodeError(
        top,
        `field ${fieldNo} (${rule.name}) of ${desc.typeName} has wire type ${wireType}, expected ${rule.wireType} (at byte ${at})`,
      );
    }
    if (rule.message !== undefined) {
      const childEnd = reader.uint32() + reader.pos;
      if (childEnd > end) throw new ProtobufDecodeError(top, `field ${fieldNo} (${rule.name}) of ${desc.typeName} runs past the end of its message (at byte ${at})`);
      walk(reader, bytes, rule.message, childEnd, depth + 1, top);
      continue;
    }
    switch (wireType) {
      case WireType.Varint: {
        // Skipped by hand: the reader's uint64() would build a BigInt for nothing.
        let size = 1;
        while (bytes[reader.pos++]! & 0x80) {
          if (++size > 10) throw new ProtobufDecodeError(top, `field ${fieldNo} (${rule.name}) of ${desc.typeName}: varint longer than 10 bytes (at byte ${at})`);
        }
        break;
      }
      case WireType.Bit64:
        reader.pos += 8;
        break;
      case WireType.Bit32:
        reader.pos += 4;
        break;
      default: {
        const length = reader.uint32(); // read before pos is: the length's own bytes move it
        reader.pos += length;
      }
    }
    if (reader.pos > end) throw new ProtobufDecodeError(top, `field ${fieldNo} (${rule.name}) of ${desc.typeName} runs past the end of its message (at byte ${at})`);
  }
}

/** Decodes `bytes` as `schema`, refusing anything that is not exactly that message (see above). */
export function decodeStrict<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtobufDecodeError(schema.typeName, `expected bytes (a Uint8Array or Buffer), got ${bytes === null ? 'null' : typeof bytes}`);
  }
  try {
    walk(new BinaryReader(bytes), bytes, schema, bytes.length, 0, schema.typeName);
  } catch (e) {
    // The reader's own errors (a length varint past the end) are the same kind of refusal.
    if (e instanceof ProtobufDecodeError) throw e;
    throw new ProtobufDecodeError(schema.typeName, (e as Error).message);
  }
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    // What the walk does not look into: a string that is not UTF-8.
    throw new ProtobufDecodeError(schema.typeName, (e as Error).message);
  }
}

/** Encodes a message of `schema`, or the init object `create(schema, init)` takes. */
export function encode<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc> | MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, message as MessageInitShape<Desc>));
}
