// Runs a check and reports its result through NATS (the NATSClient module's channel):
// `nats_report check_cpu warn=80` answers whether JetStream stored the result.
import { Core, Registry, status } from '@poets/agent';

let g_plugin_id = 0;

async function nats_report(args: string[]): Promise<[number, string, string]> {
  const [command = '', ...rest] = args;
  if (command === '') return [status.UNKNOWN, 'usage: nats_report COMMAND [ARG...]', ''];
  const core = Core.get(g_plugin_id);
  const [code, message, perf] = await core.simple_query(command, rest);
  const [stored, why] = await core.simple_submit('NATS', command, code, message, perf);
  return stored ? [status.OK, `${command} stored in NATS`, ''] : [status.CRITICAL, `${command} not stored: ${why}`, ''];
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  g_plugin_id = plugin_id;
  Registry.get(plugin_id).simple_function('nats_report', nats_report, 'Runs a check and submits its result to NATS');
}
