// Core.load_module: load a module at run time ('' for its default alias).
import { Core } from '@poets/agent';

export async function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const core = Core.get(plugin_id);
  await core.load_module('CheckEventLog', '');
}
