// A configured command line made into the argv a script runs with: split into words (quotes
// group, no shell is involved), `$ARG1$`... `$ARGS$` `$ARGS"$` replaced by the caller's
// arguments, a relative program found below the script root. Pure functions.
import { isAbsolute, resolve } from 'node:path';
import { splitWords } from '../../cli/words.js';

/** NSClient++'s "nasty" characters: refused in arguments unless `allow nasty characters` is on. */
export const NASTY_CHARACTERS = '|`&><\'"\\[]{}';

/** The first nasty character of `text`, or undefined. */
export function nastyCharacter(text: string): string | undefined {
  for (const ch of text) if (NASTY_CHARACTERS.includes(ch)) return ch;
  return undefined;
}

/** Splits a command line into words as the agent's prompt does: blanks separate, quotes group, a backslash escapes. */
export function splitCommandLine(line: string): string[] {
  return splitWords(line);
}

/**
 * Replaces the argument macros in each word: a word that is exactly `$ARGS$` or `$ARGS"$` becomes
 * one word per argument; inside a word `$ARGS$` is the arguments joined with spaces and
 * `$ARGS"$` each one double-quoted; `$ARGn$` is the n-th argument (a missing one is empty, as
 * NSClient++ leaves it for the script to notice). An argument stays one word whatever it contains.
 */
export function substituteArguments(words: readonly string[], args: readonly string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    if (word === '$ARGS$' || word === '$ARGS"$') {
      out.push(...args);
      continue;
    }
    out.push(
      word
        .replace(/\$ARGS\$/g, () => args.join(' '))
        .replace(/\$ARGS"\$/g, () => args.map((a) => `"${a}"`).join(' '))
        .replace(/\$ARG(\d+)\$/g, (_m, n: string) => args[Number(n) - 1] ?? ''),
    );
  }
  return out;
}

/**
 * A program named with a relative path (`scripts/check_x.sh`) is found below `root`, as
 * NSClient++ runs scripts from its script root; a bare name is too when `root` has it, else it is
 * left for PATH.
 */
export function resolveProgram(program: string, root: string, existsInRoot: (file: string) => boolean): string {
  if (isAbsolute(program)) return program;
  if (program.includes('/')) return resolve(root, program);
  const local = resolve(root, program);
  return existsInRoot(local) ? local : program;
}

/** A wrapped script's command: the wrapping for its extension, `%SCRIPT%` and `%ARGS%` replaced; undefined when no wrapping fits. */
export function wrapCommand(command: string, wrappings: ReadonlyMap<string, string>): string | undefined {
  const trimmed = command.trim();
  const space = trimmed.search(/\s/);
  const script = space < 0 ? trimmed : trimmed.slice(0, space);
  const args = space < 0 ? '' : trimmed.slice(space + 1).trim();
  const dot = script.lastIndexOf('.');
  const type = dot < 0 || script.lastIndexOf('/') > dot ? 'none' : script.slice(dot + 1).toLowerCase();
  const template = wrappings.get(type);
  if (template === undefined || template.trim() === '') return undefined;
  return template.replace(/%SCRIPT%/g, () => script).replace(/%ARGS%/g, () => args);
}
