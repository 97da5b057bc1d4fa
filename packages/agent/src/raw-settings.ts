// `Settings.query`: NSClient++'s SettingsRequestMessage against the settings store: registration
// (documentation), query (a value, or a section's keys and sub-paths), update, inventory of what is
// documented, control (save, reload from disk) and status. Diff is answered as unsupported.
import type { Agent } from './agent.js';
import {
  decodeSettingsRequestMessage,
  encodeSettingsResponseMessage,
  Result_StatusCodeType,
  SettingsCommand,
  type SettingsRequestMessage,
} from './protobuf/index.js';
import { decodeOrRefuse, isRefusal, reason } from './raw.js';
import type { Registrant } from './registry.js';
import { SettingsStore } from './settings.js';
import { status } from './status.js';

type Payload = SettingsRequestMessage['payload'][number];
interface SettingsNode {
  path: string;
  key?: string;
  value?: string;
}

/** Answers a serialized SettingsRequestMessage with a serialized SettingsResponseMessage: `[code, bytes]`. */
export function rawSettings(agent: Agent, caller: Registrant, request: Uint8Array): [number, Uint8Array] {
  const decoded = decodeOrRefuse(caller, 'Settings.query', request, decodeSettingsRequestMessage);
  if (isRefusal(decoded)) return [status.UNKNOWN, encodeSettingsResponseMessage({ payload: [{ result: { code: Result_StatusCodeType.STATUS_ERROR, message: decoded.refused } }] })];
  const answers = decoded.payload.map((p) => answer(agent, p));
  const failed = answers.some((a) => a.result.code !== Result_StatusCodeType.STATUS_OK);
  return [failed ? status.UNKNOWN : status.OK, encodeSettingsResponseMessage({ payload: answers })];
}

function answer(agent: Agent, p: Payload) {
  const ok = { id: p.id, result: { code: Result_StatusCodeType.STATUS_OK, message: '' } };
  const error = (message: string) => ({ id: p.id, result: { code: Result_StatusCodeType.STATUS_ERROR, message } });
  const store = agent.settings;
  if (p.registration !== undefined) {
    const node = p.registration.node;
    const info = p.registration.info;
    if (node === undefined || node.path === '') return error('Registration needs a node with a path');
    if (node.key === '') store.register_path(node.path, info?.title ?? '', info?.description ?? '');
    else store.register_key(node.path, node.key, info?.type || 'string', info?.title ?? '', info?.description ?? '', info?.defaultValue ?? '');
    return ok;
  }
  if (p.query !== undefined) {
    const node = p.query.node;
    if (node === undefined || node.path === '') return error('Query needs a node with a path');
    if (node.key !== '') {
      const value = store.get(node.path, node.key) ?? p.query.defaultValue;
      return { ...ok, query: { node: { path: node.path, key: node.key, value } } };
    }
    const nodes: SettingsNode[] = [];
    const paths = p.query.recursive ? descendants(store, node.path) : store.get_subsections(node.path);
    for (const path of paths) nodes.push({ path });
    if (p.query.includeKeys) for (const key of store.get_section(node.path)) nodes.push({ path: node.path, key, value: store.get_string(node.path, key) });
    return { ...ok, query: { node: { path: node.path }, nodes } };
  }
  if (p.update !== undefined) {
    const node = p.update.node;
    if (node === undefined || node.path === '' || node.key === '') return error('Update needs a node with a path and a key');
    store.set_string(node.path, node.key, node.value);
    return ok;
  }
  if (p.inventory !== undefined) {
    const path = p.inventory.node?.path ?? '';
    const under = (candidate: string) => path === '' || candidate === path || (p.inventory!.recursiveFetch && candidate.startsWith(`${path}/`));
    const inventory = [];
    if (p.inventory.fetchPaths || !p.inventory.fetchKeys) {
      for (const d of store.registeredPaths()) if (under(d.path)) inventory.push({ node: { path: d.path }, info: { title: d.title, description: d.description } });
    }
    if (p.inventory.fetchKeys) {
      for (const k of store.registeredKeys()) {
        if (!under(k.path)) continue;
        const value = store.get(k.path, k.key);
        inventory.push({ node: { path: k.path, key: k.key, value: value ?? k.default_value }, info: { title: k.title, description: k.description, defaultValue: k.default_value, type: k.type } });
      }
    }
    return { ...ok, inventory };
  }
  if (p.control !== undefined) {
    try {
      switch (p.control.command) {
        case SettingsCommand.SAVE:
          store.save();
          return ok;
        case SettingsCommand.LOAD:
        case SettingsCommand.RELOAD:
          if (store.file !== undefined) agent.replaceSettings(SettingsStore.load(store.file));
          return ok;
        default:
          return error('Unknown command');
      }
    } catch (e) {
      return error(reason(e));
    }
  }
  if (p.status !== undefined) return { ...ok, status: { context: store.file ?? '', type: 'ini', hasChanged: store.modified } };
  if (p.diff !== undefined) return error('Diff is not supported by this settings store');
  return error('Unknown command');
}

function descendants(store: SettingsStore, path: string): string[] {
  const prefix = path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`;
  return store.sections().filter((s) => s.startsWith(prefix));
}
