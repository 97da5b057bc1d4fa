// Registry.submit_metrics: receive every metrics snapshot.
import { log, Registry } from '@poets/agent';

function on_metrics(metrics: Record<string, string>, _: string) {
  for (const [key, value] of Object.entries(metrics)) log(`metric ${key} = ${value}`);
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.submit_metrics(on_metrics);
}
