// Registry.event: a handler for a named event, its data as a plain object.
import { log, Registry } from '@poets/agent';

function on_event(event: string, data: Readonly<Record<string, string>>) {
  log(`Got event: ${event} with key=${data.key}`);
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.event('eventlog:login', on_event);
}
