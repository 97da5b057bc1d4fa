// A check plugin's standard output as Nagios reads it: the first line is `text|perfdata`, the
// lines after it are long output, and a `|` in a later line starts more perfdata that runs to the
// end. A pure function of the text, so the splitting is tested without running anything.

/** What a plugin said: the message (first line's text, then the long output lines) and its perfdata. */
export interface PluginOutput {
  /** The first line's text, and the long output below it, joined with `\n`. */
  message: string;
  /** The first line's perfdata and the long output's, joined with a space. */
  perf: string;
}

/** Splits a plugin's output as Nagios does; with `ignorePerf`, a `|` is kept as text. */
export function parsePluginOutput(output: string, ignorePerf = false): PluginOutput {
  const lines = output.replace(/\r\n/g, '\n').replace(/[\s]+$/, '').split('\n');
  const first = lines[0] ?? '';
  if (ignorePerf) return { message: lines.join('\n'), perf: '' };
  const bar = first.indexOf('|');
  const text = bar < 0 ? first : first.slice(0, bar);
  const perf: string[] = bar < 0 ? [] : [first.slice(bar + 1).trim()];
  const long: string[] = [];
  let inPerf = false;
  for (const line of lines.slice(1)) {
    if (inPerf) {
      perf.push(line.trim());
      continue;
    }
    const at = line.indexOf('|');
    if (at < 0) {
      long.push(line);
      continue;
    }
    long.push(line.slice(0, at));
    perf.push(line.slice(at + 1).trim());
    inPerf = true;
  }
  while (long.length > 0 && long[long.length - 1]!.trim() === '') long.pop();
  return {
    message: [text.trimEnd(), ...long].join('\n'),
    perf: perf.filter((p) => p !== '').join(' '),
  };
}
