// Registry.simple_cmdline: a command-line command with a plain callback.
import { log, Registry } from '@poets/agent';

function my_function(args: string[]) {
  log(`Got arguments: ${JSON.stringify(args)}`);
  return [1, 'Everything is awesome'] as const;
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.simple_cmdline('do_something', my_function);
}
