// __main__: run from the command line with `poets-agent script execute --script main_args.ts install --root /tmp`.
import { log } from '@poets/agent';

/** Python's repr of a list of strings, so the line reads as NSClient++'s does. */
const repr = (args: string[]) => `[${args.map((a) => `'${a}'`).join(', ')}]`;

export function __main__(args: string[]) {
  log(`My arguments are: ${repr(args)}`);
}
