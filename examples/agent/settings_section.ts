// Settings.get_section: the keys of a section.
import { log, Settings } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const config = Settings.get(plugin_id);
  for (const key of config.get_section('/modules')) log(`Module: ${key}`);
}
