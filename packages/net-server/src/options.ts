// Net::Server's options template and its process_args: how arguments from the command line, run(),
// the conf file and default_values reach `this.server`, the first source to set a key winning.
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** A reference to one scalar slot (Perl's `\ $prop->{'my_option'}`): the key of an object. */
export interface ScalarRef {
  readonly target: Record<string, unknown>;
  readonly key: string;
}

/**
 * The options template: each key a parameter name, mapped to where its value goes. A ScalarRef
 * receives one value; an array (Perl's arrayref) receives every value given.
 */
export type OptionsTemplate = Record<string, ScalarRef | unknown[]>;

/** `\ $prop->{key}`: the slot `template[name] = scalarRef(this.server, 'my_option')` fills. */
export function scalarRef(target: Record<string, unknown>, key: string): ScalarRef {
  return { target, key };
}

function isScalarRef(slot: unknown): slot is ScalarRef {
  return typeof slot === 'object' && slot !== null && !Array.isArray(slot) && 'target' in slot && 'key' in slot;
}

/** One argument as a source gives it: the key and its value(s). */
export type ArgPair = readonly [key: string, value: unknown];

/**
 * Applies one source's arguments to the template, as Net::Server's process_args: a key already set
 * by an earlier source is left alone (for an array: one that already holds values); within one
 * source a scalar takes the last value and an array every value. Keys not in the template are
 * returned, in order, for the application.
 */
export function applyArgs(pairs: readonly ArgPair[], template: OptionsTemplate, source: string): ArgPair[] {
  const previouslySet = new Map<string, boolean>();
  const unknown: ArgPair[] = [];
  for (const [key, value] of pairs) {
    const slot = template[key];
    if (slot === undefined) {
      unknown.push([key, value]);
      continue;
    }
    if (Array.isArray(slot)) {
      if (!previouslySet.has(key)) previouslySet.set(key, slot.length > 0);
      if (previouslySet.get(key)) continue;
      if (Array.isArray(value)) slot.push(...value);
      else slot.push(value);
    } else if (isScalarRef(slot)) {
      if (!previouslySet.has(key)) previouslySet.set(key, slot.target[slot.key] !== undefined);
      if (previouslySet.get(key)) continue;
      let one = value;
      if (Array.isArray(one)) {
        if (one.length !== 1) throw new ConfigError(`${source}: found multiple values on the configuration item "${key}" which expects only one value`);
        one = one[0];
      }
      slot.target[slot.key] = one;
    } else {
      throw new ConfigError(`options template: "${key}" is neither a scalarRef nor an array`);
    }
  }
  return unknown;
}

/** `%41` → `A`, as Net::Server decodes every command-line and conf value. */
function unescape(value: string): string {
  return value.replace(/%([A-Fa-f0-9]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The command line's arguments for the template: `--key value`, `--key=value`, `key=value`, and a
 * bare `--key` (followed by nothing or by another `--option`) as 1. Returns the pairs and the
 * arguments left for the application (those whose key the template does not know), in order.
 */
export function parseCommandLine(argv: readonly string[], template: OptionsTemplate): { pairs: ArgPair[]; rest: string[] } {
  const pairs: ArgPair[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^(?:--)?(\w+)(?:[= ](\S+))?$/.exec(arg);
    if (match === null || !(match[1]! in template)) {
      rest.push(arg);
      continue;
    }
    const key = match[1]!;
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || /^--\w+/.test(next)) value = '1';
      else {
        value = next;
        i++;
      }
    }
    pairs.push([key, unescape(value)]);
  }
  return { pairs, rest };
}

/**
 * A conf file's arguments, as Net::Server's _read_conf reads them: `key value` (or `key = value`,
 * `key: value`, `key:value`) a line, `#` to the end of a line a comment (`\#` a literal `#`), blank lines skipped.
 * Unlike Net::Server, which warns and goes on, a missing file and a line that is no `key value` are errors.
 */
export function readConfFile(file: string): ArgPair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`couldn't open conf "${file}" [${(error as NodeJS.ErrnoException).code ?? String(error)}]`);
  }
  const pairs: ArgPair[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const comment = /(?<!\\)#/.exec(raw);
    const line = (comment === null ? raw : raw.slice(0, comment.index)).replace(/\\#/g, '#').trim();
    if (line === '') return;
    // `key value`, `key = value`, `key: value`, `key:value`; unlike Net::Server's pattern, a value
    // that starts with `:` after a space (`cidr_allow ::1/128`) keeps it (Perl reads `:1/128`).
    const match = /^(?:--)?(\w+)(?:\s*=\s*|\s*:\s+|:(?!:)|\s+)(.+)$/.exec(line);
    if (match === null) throw new ConfigError(`${file} line ${index + 1}: "${line}" is not "key value"`);
    pairs.push([match[1]!, unescape(match[2]!.trim())]);
  });
  return pairs;
}
