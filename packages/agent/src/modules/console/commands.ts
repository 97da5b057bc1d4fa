// The operator's commands, one typed line at a time: what `poets-agent test` and the Console
// module both run. A line is a query (`check_cpu warn=load>80`) unless its first word is one of
// the console's own words.
import type { Agent } from '../../agent.js';
import { splitWords } from '../../cli/words.js';
import { statusName } from '../../status.js';

export const CONSOLE_HELP = "Enter a query to run it; 'commands', 'exec <command> [args]', 'modules', 'load <module> [alias]', 'unload <alias>', 'settings [path]', 'exit' to end.";

/** Runs one typed line; `out` gets each line of the answer. Returns 'exit' when the operator is done. */
export async function runConsoleLine(agent: Agent, line: string, out: (text: string) => void): Promise<'exit' | undefined> {
  const words = splitWords(line.trim());
  if (words.length === 0) return undefined;
  const [command, ...rest] = words as [string, ...string[]];
  switch (command) {
    case 'exit':
    case 'quit':
      return 'exit';
    case 'help':
      out(CONSOLE_HELP);
      return undefined;
    case 'commands':
      for (const q of agent.listQueries()) out(`${q.name}: ${q.description}`);
      return undefined;
    case 'modules': {
      const loaded = new Map(agent.loadedPlugins().map((p) => [p.module.name.toLowerCase(), p.alias]));
      for (const m of agent.availableModules()) out(`${m.name}${loaded.has(m.name.toLowerCase()) ? ` (loaded as ${loaded.get(m.name.toLowerCase()) ?? ''})` : ''}`);
      return undefined;
    }
    case 'load':
      try {
        const plugin = await agent.load_module(rest[0] ?? '', rest[1] ?? '');
        out(`loaded ${plugin.module.name} as ${plugin.alias}`);
      } catch (error) {
        out(`error: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    case 'unload':
      out((await agent.unload_module(rest[0] ?? '')) ? `unloaded ${rest[0] ?? ''}` : `error: no module loaded as ${rest[0] ?? ''}`);
      return undefined;
    case 'exec': {
      const [name = '', ...args] = rest;
      const [code, lines] = await agent.simple_exec('', name, args);
      for (const l of lines) out(l);
      out(`exit: ${code}`);
      return undefined;
    }
    case 'settings': {
      const paths = rest[0] !== undefined ? [rest[0]] : agent.settings.sections();
      for (const path of paths) {
        out(`[${path}]`);
        for (const key of agent.settings.get_section(path)) out(`${key} = ${agent.settings.get_string(path, key, '')}`);
      }
      return undefined;
    }
    default: {
      const [code, message, perf] = await agent.simple_query(command, rest);
      out(`${statusName(code)}: ${message}`);
      if (perf !== '') out(`Performance data: ${perf}`);
      return undefined;
    }
  }
}
