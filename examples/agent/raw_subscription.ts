// Registry.subscription: a channel subscriber with a raw handler.
import { decodeSubmitRequestMessage, log, Registry } from '@poets/agent';

function my_function(channel: string, message: Uint8Array) {
  const request = decodeSubmitRequestMessage(message);
  // ... process ...
  log(`${channel}: ${request.payload.map((p) => `${p.command}=${p.lines[0]?.message ?? ''}`).join(', ')}`);
  return [true, new Uint8Array()] as const;
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.subscription('raw_channel', my_function);
}
