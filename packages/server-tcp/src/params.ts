import type { EventMap, SessionOptions, StateBindings } from '@poets/kernel';
import type { SessionParams, SessionType } from './server-options.js';

/** A callback as the components call it: with the handler's `_`. */
export type Callback = (_: unknown[]) => unknown;

/** POE croaks "X must be a coderef". */
export function requireFunctions(options: object, names: readonly string[], who: string): void {
  const given = options as Record<string, unknown>;
  for (const name of names) {
    if (given[name] !== undefined && typeof given[name] !== 'function') throw new TypeError(`${who}: ${name} must be a function`);
  }
}

/** The four water-mark parameters go together, as POE requires. */
export function checkMarks(values: readonly unknown[], who: string): boolean {
  const count = values.filter((value) => value !== undefined).length;
  if (count > 0 && count < 4) throw new TypeError(`${who}: if you use the Mark settings, you must define all four`);
  return count === 4;
}

/** SessionParams as Session.create options: an object, or POE's flat key/value list. */
export function sessionParams(value: SessionParams | undefined, who: string): Partial<SessionOptions<unknown, EventMap>> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    if (value.length % 2 !== 0) throw new TypeError(`${who}: SessionParams as a list must be key/value pairs`);
    const params: Record<string, unknown> = {};
    for (let i = 0; i < value.length; i += 2) params[String(value[i])] = value[i + 1];
    return params as Partial<SessionOptions<unknown, EventMap>>;
  }
  if (typeof value !== 'object') throw new TypeError(`${who}: SessionParams must be an object or a list of key/value pairs`);
  return value as Partial<SessionOptions<unknown, EventMap>>;
}

export function sessionType(value: SessionType | undefined, who: string): SessionType | undefined {
  if (value === undefined) return undefined;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || typeof value.create !== 'function') {
    throw new TypeError(`${who}: SessionType must have a create(options) method, as Session does`);
  }
  return value;
}

export interface UserStates {
  inline: Record<string, Callback>;
  objects: StateBindings | undefined;
  packages: StateBindings | undefined;
}

/** InlineStates/ObjectStates/PackageStates checked, with the names the component keeps for itself refused. */
export function userStates(
  inline: unknown,
  objects: unknown,
  packages: unknown,
  forbidden: readonly string[],
  who: string,
): UserStates {
  if (inline !== undefined && (typeof inline !== 'object' || inline === null || Array.isArray(inline))) {
    throw new TypeError(`${who}: InlineStates must be an object of event handlers`);
  }
  const inlineStates = (inline ?? {}) as Record<string, unknown>;
  for (const [name, fn] of Object.entries(inlineStates)) {
    if (typeof fn !== 'function') throw new TypeError(`${who}: InlineStates '${name}' is not a function`);
  }
  const reserved = Object.keys(inlineStates).filter((name) => forbidden.includes(name));
  if (reserved.length > 0) throw new TypeError(`${who}: these InlineStates aren't allowed: ${reserved.join(' ')}`);
  const bindings = (value: unknown, what: string): StateBindings | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw new TypeError(`${who}: ${what} must be a list: [object, binding, ...]`);
    if (value.length % 2 !== 0) throw new TypeError(`${who}: ${what} must be pairs: [object, binding, ...]`);
    const names: string[] = [];
    for (let i = 0; i < value.length; i += 2) {
      const binding = value[i + 1] as unknown;
      if (binding === undefined || binding === null) throw new TypeError(`${who}: undefined ${what} member for ${String(value[i])}`);
      if (Array.isArray(binding)) names.push(...(binding as string[]));
      else if (typeof binding === 'object') names.push(...Object.keys(binding));
      else throw new TypeError(`${who}: unknown ${what} member type for ${String(value[i])}`);
    }
    const bad = names.filter((name) => forbidden.includes(name));
    if (bad.length > 0) throw new TypeError(`${who}: these ${what} aren't allowed: ${bad.join(' ')}`);
    return value.length === 0 ? undefined : (value as StateBindings);
  };
  return {
    inline: inlineStates as Record<string, Callback>,
    objects: bindings(objects, 'ObjectStates'),
    packages: bindings(packages, 'PackageStates'),
  };
}

/** Perl truth, for flags such as ClientShutdownOnError. */
export function perlTrue(value: unknown): boolean {
  return !(value === undefined || value === null || value === false || value === 0 || value === '' || value === '0');
}

/** The parameters a component does not know (POE carps about them). */
export function unknownParams(options: object, known: ReadonlySet<string>): string[] {
  return Object.keys(options).filter((key) => !known.has(key)).sort();
}

/** A positive number of seconds, or undefined. */
export function seconds(value: unknown, what: string, who: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`${who}: ${what} must be a positive number of seconds`);
  return value;
}
