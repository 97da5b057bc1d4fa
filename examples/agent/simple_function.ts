// Registry.simple_function: a check command with a plain callback.
import { log, Registry, status } from '@poets/agent';

function my_function(args: string[]) {
  log(`Got arguments: ${JSON.stringify(args)}`);
  return [status.OK, 'This is the message', "'count'=123;200;600"] as const;
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.simple_function('check_py_test', my_function, 'This is a sample python function');
}
