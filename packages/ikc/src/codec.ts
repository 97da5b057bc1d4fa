import { deserialize, serialize } from 'node:v8';
import { CodecError } from './errors.js';

/** How values cross the wire, as Filter::Reference's serializer: any pair of pure functions. */
export interface Codec {
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

const TAG = '$poe';
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON, readable on the wire by any NATS tool, keeping what plain JSON loses: `bigint`,
 * `Buffer` and `Uint8Array`, `Date`, `Map`, `Set`, `undefined`, NaN and ±Infinity. Such values
 * travel as `{"$poe": kind, "v": ...}` in a text that starts with a space; a plain object that
 * has its own `$poe` key is escaped. JSON from elsewhere (no leading space) is taken as it is.
 */
export const jsonCodec: Codec = {
  name: 'json',
  encode(value) {
    try {
      // plain JSON values (the common case) skip the replacer, which is several times slower;
      // tagged text starts with a space (still JSON) so that decode revives only what we tagged
      if (isPlain(value, 0)) return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
      return Buffer.from(` ${JSON.stringify(value, replacer) ?? 'null'}`, 'utf8');
    } catch (error) {
      throw new CodecError(`cannot encode: ${(error as Error).message}`, { cause: error });
    }
  },
  decode(bytes) {
    return bytes[0] === SPACE ? JSON.parse(decoder.decode(bytes), reviver) : JSON.parse(decoder.decode(bytes));
  },
};

const SPACE = 0x20;

/**
 * `prefix` + `value` as JSON + `suffix`, encoded as `jsonCodec.encode` would encode the object
 * whose JSON text that is; undefined when `value` needs tags (then encode the whole object).
 * Lets a sender keep the constant part of its envelopes as text.
 */
export function jsonSplice(prefix: string, value: unknown, suffix: string): Uint8Array | undefined {
  if (!isPlain(value, 0)) return undefined;
  return Buffer.from(prefix + JSON.stringify(value) + suffix, 'utf8');
}

/**
 * True when plain JSON.stringify gives exactly what the tagging replacer would: no value of a kept
 * type, no undefined in a list, no non-finite number, no `$poe` key, nothing too deep to check.
 */
function isPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > 32) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlain(item, depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (key === TAG) return false;
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined && !isPlain(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Node's structured clone (v8.serialize): faster for big binary payloads; Node-only peers. */
export const v8Codec: Codec = {
  name: 'v8',
  encode(value) {
    try {
      return serialize(value);
    } catch (error) {
      throw new CodecError(`cannot encode: ${(error as Error).message}`, { cause: error });
    }
  },
  decode(bytes) {
    return deserialize(bytes);
  },
};

function replacer(this: Record<string, unknown>, key: string, shown: unknown): unknown {
  // toJSON (Date, Buffer) has already run on `shown`; the holder still has the original
  const value = this[key];
  switch (typeof value) {
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'undefined':
      return Array.isArray(this) || key === '' ? { [TAG]: 'undef' } : undefined;
    case 'number':
      return Number.isFinite(value) ? value : { [TAG]: 'num', v: String(value) };
    case 'function':
    case 'symbol':
      throw new CodecError(`a ${typeof value} cannot be sent`);
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return { [TAG]: 'date', v: value.getTime() };
      if (value instanceof Uint8Array) {
        return { [TAG]: Buffer.isBuffer(value) ? 'buffer' : 'bytes', v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      }
      if (value instanceof Map) return { [TAG]: 'map', v: [...value] };
      if (value instanceof Set) return { [TAG]: 'set', v: [...value] };
      if (!Array.isArray(value) && Object.hasOwn(value, TAG)) return { [TAG]: 'obj', v: Object.entries(value) };
      return shown;
    default:
      return shown;
  }
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const tagged = value as { [TAG]?: unknown; v?: unknown };
  const kind = tagged[TAG];
  if (typeof kind !== 'string') return value;
  const v = tagged.v;
  switch (kind) {
    case 'bigint':
      return BigInt(v as string);
    case 'undef':
      return undefined;
    case 'num':
      return Number(v);
    case 'date':
      return new Date(v as number);
    case 'buffer':
      return Buffer.from(v as string, 'base64');
    case 'bytes':
      return new Uint8Array(Buffer.from(v as string, 'base64'));
    case 'map':
      return new Map(v as [unknown, unknown][]);
    case 'set':
      return new Set(v as unknown[]);
    case 'obj':
      return Object.fromEntries(v as [string, unknown][]);
    default:
      return value;
  }
}
