// Settings.get_string: each module's value.
import { log, Settings } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const config = Settings.get(plugin_id);
  for (const key of config.get_section('/modules')) {
    const value = config.get_string('/modules', key, 'unknown');
    log(`The module ${key} is ${value}`);
  }
}
