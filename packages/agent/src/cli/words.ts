// Splitting a typed line into words (test mode's prompt) and picking options out of a verb's
// arguments the way NSClient++'s command line does (`--key value`, `--key=value`, repeatable `-a`).

/** Splits `line` on blanks; single or double quotes group words, a backslash escapes one character. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      started = true;
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === ' ' || c === '\t') {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/** A verb's parsed arguments: options by name (each value in order), flags, and the rest. */
export interface ParsedArgs {
  values: Map<string, string[]>;
  flags: Set<string>;
  rest: string[];
}

/**
 * Parses `args` against the options that take a value (`valued`, long names without dashes;
 * `aliases` maps short names such as `a` to long ones). Other `--name` words are flags. With
 * `stopAtUnknown`, the first word that is not a known option and everything after it are `rest`
 * (how `script execute` hands the script its own arguments).
 */
export function parseArgs(
  args: readonly string[],
  valued: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
  known?: readonly string[],
): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(word);
    const name = match === null ? undefined : (aliases[match[1]!] ?? match[1]!);
    if (match === null || name === undefined || (known !== undefined && !known.includes(name) && !valued.includes(name))) {
      if (known !== undefined) {
        rest.push(...args.slice(i));
        break;
      }
      rest.push(word);
      continue;
    }
    if (valued.includes(name)) {
      const value = match[2] ?? args[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      const list = values.get(name);
      if (list === undefined) values.set(name, [value]);
      else list.push(value);
    } else {
      flags.add(name);
    }
  }
  return { values, flags, rest };
}

/** The last value of option `name`, or undefined. */
export function lastValue(parsed: ParsedArgs, name: string): string | undefined {
  const list = parsed.values.get(name);
  return list === undefined ? undefined : list[list.length - 1];
}
