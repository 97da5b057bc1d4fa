// Core.simple_submit: submit a passive result on a channel.
import { Core, status } from '@poets/agent';

export async function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const core = Core.get(plugin_id);
  await core.simple_submit('NSCA', 'check_py', status.OK, new TextEncoder().encode('All good'), '');
}
