// Settings.get_int and set_int: read the NRPE port, then change it.
import { log, Settings } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const config = Settings.get(plugin_id);
  const port = config.get_int('/settings/NRPE/server', 'port', -1);
  log(`NRPE port is: ${port}`);
  config.set_int('/settings/NRPE/server', 'port', 1234);
  config.save();
}
