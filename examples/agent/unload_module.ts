// Core.unload_module: unload a module by name or alias.
import { Core } from '@poets/agent';

export async function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const core = Core.get(plugin_id);
  await core.unload_module('CheckEventLog');
}
