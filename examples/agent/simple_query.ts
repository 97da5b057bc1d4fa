// Core.simple_query: run a check command by name; it returns a Promise where NSClient++ blocks.
import { Core, log } from '@poets/agent';

export async function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const core = Core.get(plugin_id);
  const [_code, message, _perf] = await core.simple_query('check_cpu', []);
  log(message);
}
