// Registry.fetch_metrics: provide metrics on demand.
import { Registry } from '@poets/agent';

function my_metrics() {
  return {
    'my_script.requests': 42,
    'my_script.latency_ms': 17.3,
    'my_script.status': 'ok',
  };
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.fetch_metrics(my_metrics);
}
