// Registry.cmdline: a command-line command with a raw callback.
import { decodeExecuteRequestMessage, encodeExecuteResponseMessage, log, Registry } from '@poets/agent';

function my_function(_command: string, request: Uint8Array) {
  const request_message = decodeExecuteRequestMessage(request);
  log(`Got command: ${request_message.payload[0]?.command}`);
  const response_message = encodeExecuteResponseMessage({});
  return [0, response_message] as const;
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.cmdline('do_foo', my_function);
}
