// Suppress repeated NSCA submissions: subscribe to the synthetic filter_nsca channel and pass on
// only messages that differ from the last one.
import { Core, log, Registry, status } from '@poets/agent';

let g_last_message = '';
let g_plugin_id = 0;

async function filter_nsca(_channel: string, _source: string, command: string, _code: number, message: string, perf: string) {
  if (message !== g_last_message) {
    g_last_message = message;
    log(`Sending: ${message}`);
    const core = Core.get(g_plugin_id);
    await core.simple_submit('NSCA', command, status.CRITICAL, new TextEncoder().encode(message), perf);
    return true;
  } else {
    log('Suppressing duplicate message');
    return true;
  }
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  g_plugin_id = plugin_id;
  const reg = Registry.get(plugin_id);
  reg.simple_subscription('filter_nsca', filter_nsca);
}
