// Core.query: the raw variant of simple_query.
import { Core, decodeQueryResponseMessage, encodeQueryRequestMessage, log } from '@poets/agent';

export async function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const request_message = encodeQueryRequestMessage({ payload: [{ command: 'check_cpu', arguments: ['time=5m'] }] });
  const core = Core.get(plugin_id);
  const [_ret, response] = await core.query('check_cpu', request_message);
  const response_message = decodeQueryResponseMessage(response);
  log(`check_cpu: ${response_message.payload[0]?.lines[0]?.message}`);
}
