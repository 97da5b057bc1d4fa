// Registry.function: a check command with a raw callback on NSClient++'s protobuf messages.
import { decodeQueryRequestMessage, encodeQueryResponseMessage, log, Registry, status } from '@poets/agent';

function my_function(_command: string, request: Uint8Array) {
  const request_message = decodeQueryRequestMessage(request);
  log(`Got command: ${request_message.payload[0]?.command}`);
  const response_message = encodeQueryResponseMessage({});
  return [status.OK, response_message] as const;
}

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.function('check_py_test', my_function, 'This is a sample python function');
}
