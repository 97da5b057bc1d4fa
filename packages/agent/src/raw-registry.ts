// `Registry.query`: NSClient++'s RegistryRequestMessage against the core's registry. Inventory
// lists queries, aliases, command-line commands, modules and events; control loads, unloads,
// reloads, enables and disables modules. Registration is the typed Registry calls' job (a
// handler cannot travel in a message), so it is answered as an error naming them.
import type { Agent } from './agent.js';
import {
  decodeRegistryRequestMessage,
  encodeRegistryResponseMessage,
  ItemType,
  RegistryCommand,
  Result_StatusCodeType,
  type RegistryRequestMessage,
} from './protobuf/index.js';
import { decodeOrRefuse, isRefusal, reason } from './raw.js';
import type { Registrant } from './registry.js';
import { status } from './status.js';

type Payload = RegistryRequestMessage['payload'][number];
interface InventoryItem {
  plugin: string[];
  type: ItemType;
  name: string;
  info: { title: string; description: string; metadata?: { key: string; value: string }[] };
}
interface Answer {
  id: bigint;
  result: { code: Result_StatusCodeType; message: string };
  inventory?: InventoryItem[];
}

/** Answers a serialized RegistryRequestMessage with a serialized RegistryResponseMessage: `[code, bytes]`. */
export async function rawRegistry(agent: Agent, caller: Registrant, request: Uint8Array): Promise<[number, Uint8Array]> {
  const decoded = decodeOrRefuse(caller, 'Registry.query', request, decodeRegistryRequestMessage);
  if (isRefusal(decoded)) return [status.UNKNOWN, encodeRegistryResponseMessage({ payload: [{ result: { code: Result_StatusCodeType.STATUS_ERROR, message: decoded.refused } }] })];
  const answers: Answer[] = [];
  for (const p of decoded.payload) answers.push(await answer(agent, p));
  const failed = answers.some((a) => a.result.code !== Result_StatusCodeType.STATUS_OK);
  return [failed ? status.UNKNOWN : status.OK, encodeRegistryResponseMessage({ payload: answers })];
}

async function answer(agent: Agent, p: Payload): Promise<Answer> {
  const ok = (message = '') => ({ id: p.id, result: { code: Result_StatusCodeType.STATUS_OK, message } });
  const error = (message: string) => ({ id: p.id, result: { code: Result_StatusCodeType.STATUS_ERROR, message } });
  if (p.inventory !== undefined) return { ...ok(), inventory: inventory(agent, p.inventory) };
  if (p.control !== undefined) {
    const { command, name, alias } = p.control;
    try {
      switch (command) {
        case RegistryCommand.LOAD:
          await agent.load_module(name, alias);
          return ok(`Loaded ${name}`);
        case RegistryCommand.UNLOAD:
          return (await agent.unload_module(alias || name)) ? ok(`Unloaded ${alias || name}`) : error(`No module loaded as ${alias || name}`);
        case RegistryCommand.RELOAD:
          return (await agent.reload(alias || name)) ? ok(`Reloaded ${alias || name}`) : error(`No module loaded as ${alias || name}`);
        case RegistryCommand.ENABLE:
          agent.settings.set_string('/modules', alias || name, alias ? name : 'enabled');
          if (agent.findPlugin(alias || name) === undefined) await agent.load_module(name, alias);
          return ok(`Enabled ${alias || name}`);
        case RegistryCommand.DISABLE:
          agent.settings.set_string('/modules', alias || name, 'disabled');
          await agent.unload_module(alias || name);
          return ok(`Disabled ${alias || name}`);
        default:
          return error('Unknown command');
      }
    } catch (e) {
      return error(reason(e));
    }
  }
  if (p.registration !== undefined) return error('Registration is done with Registry.function, simple_function, cmdline, subscription and event');
  return error('Unknown command');
}

function inventory(agent: Agent, request: NonNullable<Payload['inventory']>): InventoryItem[] {
  const wanted = new Set(request.type.length === 0 || request.type.includes(ItemType.ALL) ? [ItemType.QUERY, ItemType.QUERY_ALIAS, ItemType.COMMAND, ItemType.MODULE, ItemType.EVENT] : request.type);
  const items: InventoryItem[] = [];
  const item = (type: ItemType, name: string, plugin: string, description: string, metadata?: { key: string; value: string }[]) =>
    items.push({ plugin: [plugin], type, name, info: { title: name, description, ...(metadata ? { metadata } : {}) } });
  if (wanted.has(ItemType.QUERY)) for (const q of agent.registry.queries.values()) item(ItemType.QUERY, q.name, q.owner.plugin.alias, q.description);
  if (wanted.has(ItemType.QUERY_ALIAS)) for (const a of agent.registry.aliases.values()) item(ItemType.QUERY_ALIAS, a.name, a.owner.plugin.alias, a.description);
  if (wanted.has(ItemType.COMMAND)) for (const c of agent.registry.commands.values()) item(ItemType.COMMAND, c.name, c.owner.plugin.alias, c.description);
  if (wanted.has(ItemType.MODULE) || wanted.has(ItemType.PLUGIN)) {
    const loaded = new Set<string>();
    for (const p of agent.loadedPlugins()) {
      loaded.add(p.module.name);
      item(ItemType.MODULE, p.alias, p.module.name, p.module.description ?? '', [
        { key: 'loaded', value: 'true' },
        { key: 'plugin_id', value: String(p.id) },
      ]);
    }
    if (request.fetchAll) {
      for (const m of agent.availableModules()) if (!loaded.has(m.name)) item(ItemType.MODULE, m.name, m.name, m.description ?? '', [{ key: 'loaded', value: 'false' }]);
    }
  }
  if (wanted.has(ItemType.EVENT)) for (const [event, list] of agent.registry.events) for (const e of list) item(ItemType.EVENT, event, e.owner.plugin.alias, '');
  return request.name === '' ? items : items.filter((i) => i.name.toLowerCase() === request.name.toLowerCase());
}
