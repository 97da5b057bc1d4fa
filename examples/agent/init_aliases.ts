// init: the values a script needs to talk back to the agent.
import { log } from '@poets/agent';

export function init(plugin_id: number, plugin_alias: string, script_alias: string) {
  log(`*** plugin_id: ${plugin_id}, plugin_alias: ${plugin_alias}, script_alias: ${script_alias}`);
}
