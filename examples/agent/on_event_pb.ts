// Registry.event_pb: a handler for a named event that gets it as a serialized EventMessage.
import { decodeEventMessage, log, Registry } from '@poets/agent';

function on_event(event: string, request: Uint8Array) {
  const message = decodeEventMessage(request);
  const data = message.payload[0]?.data.map((kv) => `${kv.key}=${kv.value}`).join(',');
  log(`Got event: ${event} with ${data}`);
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.event_pb('eventlog:login', on_event);
}
