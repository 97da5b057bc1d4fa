// Settings.get: the settings store, read with a default.
import { log, Settings } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const config = Settings.get(plugin_id);
  const value = config.get_string('/modules', 'PythonScript', 'disabled');
  log(`PythonScript is ${value}`);
}
