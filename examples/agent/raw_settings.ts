// Settings.query: the raw settings API (here: read one key).
import { decodeSettingsResponseMessage, encodeSettingsRequestMessage, log, Settings } from '@poets/agent';

export function init(plugin_id: number, _plugin_alias: string, _script_alias: string) {
  const config = Settings.get(plugin_id);
  const request_message = encodeSettingsRequestMessage({
    payload: [{ query: { node: { path: '/modules', key: 'TypeScript' }, defaultValue: 'disabled' } }],
  });
  const [_ret, response] = config.query(request_message);
  const response_message = decodeSettingsResponseMessage(response);
  log(`TypeScript is ${response_message.payload[0]?.query?.node?.value}`);
}
