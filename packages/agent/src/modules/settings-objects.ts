// NSClient++'s "section of objects": `[base]` holds short forms (`name = value`), `[base/name]`
// one object each, and an object's missing keys come from its `parent` (default `default`), so
// `[base/default]` is the template every object inherits. Shared by CheckExternalScripts and
// Scheduler.
import type { SettingsStore } from '../settings.js';

/** How far a parent chain is followed (a loop of parents ends there too). */
const MAX_PARENTS = 16;

/** `key` of object `name` below `base`, looked up through its parent chain; undefined when no section in it has the key. */
export function objectKey(settings: SettingsStore, base: string, name: string, key: string): string | undefined {
  let section = name;
  const seen = new Set<string>();
  for (let depth = 0; depth < MAX_PARENTS && !seen.has(section); depth++) {
    seen.add(section);
    const value = settings.get(`${base}/${section}`, key);
    if (value !== undefined) return value;
    const parent = settings.get(`${base}/${section}`, 'parent')?.trim() || 'default';
    if (parent === section) break;
    section = parent;
  }
  return undefined;
}

/** One object of a section: its name, its short-form value (or long form's `valueKey`), and whether it has a section of its own. */
export interface SettingsObject {
  name: string;
  value: string;
  section: boolean;
}

/**
 * The objects below `base`: each short-form key, then each long-form sub-section that is not a
 * template (`default`, or `is template = true`). A key of a long-form section not in `known` is
 * reported through `onWarning` and ignored.
 */
export function settingsObjects(
  settings: SettingsStore,
  base: string,
  valueKey: string,
  known: ReadonlySet<string>,
  onWarning: (message: string) => void,
): SettingsObject[] {
  const out: SettingsObject[] = [];
  for (const key of settings.get_section(base)) out.push({ name: key, value: settings.get_string(base, key, ''), section: false });
  for (const path of settings.get_subsections(base)) {
    const name = path.slice(base.length + 1);
    if (name === 'default' || settings.get_bool(path, 'is template', false)) continue;
    for (const key of settings.get_section(path)) if (!known.has(key)) onWarning(`${path}: ${key}: unknown key, ignored (known: ${[...known].join(', ')})`);
    out.push({ name, value: objectKey(settings, base, name, valueKey) ?? '', section: true });
  }
  return out;
}

/** A boolean the way the settings store reads one. */
export function isTrue(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  return v === 'true' || v === '1' || v === 'yes' || v === 'enabled' || v === 'on';
}
