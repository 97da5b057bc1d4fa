// Settings.set_bool and save.
import { Settings } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const config = Settings.get(plugin_id);
  config.set_bool('/modules', 'PythonScript', true);
  config.save();
}
