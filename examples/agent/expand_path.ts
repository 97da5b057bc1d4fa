// Core.expand_path: expand ${...} placeholders.
import { Core, log } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const core = Core.get(plugin_id);
  const path = core.expand_path('${scripts}/python/myscript.py');
  log(`The script path is: ${path}`);
}
