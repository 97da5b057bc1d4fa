// NSClient++'s settings store on ini files: typed reads and writes kept in memory until save(),
// [/includes] (the including file's value wins), ${...} path expansion, and the key documentation
// that `settings --generate` writes out.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SettingsParseError, SettingsSaveError } from './errors.js';
import { ensureSection, normalizePath, parseIni, removeEntry, serializeIni, setEntry, type IniDocument } from './ini.js';

/** A documented settings section (`register_path`). */
export interface PathDescription {
  path: string;
  title: string;
  description: string;
}

/** A documented settings key (`register_key`). */
export interface KeyDescription {
  path: string;
  key: string;
  type: string;
  title: string;
  description: string;
  default_value: string;
}

interface Layer {
  file: string;
  doc: IniDocument;
}

const TRUE = new Set(['true', '1', 'yes', 'enabled', 'enable', 'on']);
const FALSE = new Set(['false', '0', 'no', 'disabled', 'disable', 'off']);

/** The store behind `Settings`: one main file (where writes go) and the files it includes. */
export class SettingsStore {
  private readonly paths = new Map<string, PathDescription>();
  private readonly keys = new Map<string, KeyDescription>();
  private includes: Layer[] = [];
  private dirty = false;

  private constructor(
    /** The main file, or undefined for a store that lives in memory only. */
    readonly file: string | undefined,
    private doc: IniDocument,
  ) {}

  /** Reads `file` and its includes. A missing main file is an empty store (save() creates it); one that does not parse throws SettingsParseError. */
  static load(file: string): SettingsStore {
    const path = resolve(file);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const store = new SettingsStore(path, parseIni(text, path));
    store.loadIncludes();
    return store;
  }

  /** A store over `text`, not backed by a file unless `file` is given. */
  static fromText(text: string, file?: string): SettingsStore {
    const store = new SettingsStore(file === undefined ? undefined : resolve(file), parseIni(text, file ?? '<settings>'));
    store.loadIncludes();
    return store;
  }

  /** The files `[/includes]` pulled in, in the order they are consulted. */
  get includedFiles(): string[] {
    return this.includes.map((l) => l.file);
  }

  /** True when there are changes save() has not written. */
  get modified(): boolean {
    return this.dirty;
  }

  /** The raw string of `key` in `path`: the main file first, then the includes in order. */
  get(path: string, key: string): string | undefined {
    const p = normalizePath(path);
    for (const layer of [this.doc, ...this.includes.map((l) => l.doc)]) {
      for (let i = layer.lines.length - 1; i >= 0; i--) {
        const line = layer.lines[i]!;
        if (line.kind === 'entry' && line.path === p && line.key === key) return line.value;
      }
    }
    return undefined;
  }

  get_string(path: string, key: string, default_value = ''): string {
    return this.get(path, key) ?? default_value;
  }

  set_string(path: string, key: string, value: string): void {
    const p = normalizePath(path);
    const comments = this.documentationLines(p, key);
    setEntry(this.doc, p, key, String(value), comments);
    this.dirty = true;
  }

  /** `true`, `1`, `yes`, `enabled`, `on` are true; their opposites false; anything else the default. */
  get_bool(path: string, key: string, default_value = false): boolean {
    const value = this.get(path, key)?.trim().toLowerCase();
    if (value === undefined) return default_value;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    return default_value;
  }

  set_bool(path: string, key: string, value: boolean): void {
    this.set_string(path, key, value ? 'true' : 'false');
  }

  /** An integer, or the default when the key is missing or not an integer. */
  get_int(path: string, key: string, default_value = 0): number {
    const value = this.get(path, key)?.trim();
    return value !== undefined && /^[-+]?\d+$/.test(value) ? Number.parseInt(value, 10) : default_value;
  }

  set_int(path: string, key: string, value: number): void {
    this.set_string(path, key, String(Math.trunc(value)));
  }

  /** Removes `key` from the main file; false when it was not there. */
  remove(path: string, key: string): boolean {
    const removed = removeEntry(this.doc, normalizePath(path), key);
    if (removed) this.dirty = true;
    return removed;
  }

  /** The keys of `path`, in file order (the main file's first, then those only the includes have). */
  get_section(path: string): string[] {
    const p = normalizePath(path);
    const keys = new Set<string>();
    for (const layer of [this.doc, ...this.includes.map((l) => l.doc)]) {
      for (const line of layer.lines) if (line.kind === 'entry' && line.path === p) keys.add(line.key);
    }
    return [...keys];
  }

  /** The sections directly below `path` (`/settings` gives `/settings/NRPE`, ...), by their full paths. */
  get_subsections(path: string): string[] {
    const p = normalizePath(path);
    const prefix = p === '/' ? '/' : `${p}/`;
    const found = new Set<string>();
    for (const layer of [this.doc, ...this.includes.map((l) => l.doc)]) {
      for (const line of layer.lines) {
        if (line.kind === 'section' || line.kind === 'entry') {
          if (!line.path.startsWith(prefix)) continue;
          const next = line.path.slice(prefix.length).split('/')[0]!;
          if (next !== '') found.add(prefix + next);
        }
      }
    }
    return [...found];
  }

  /** Every section path in the store, in file order. */
  sections(): string[] {
    const found = new Set<string>();
    for (const layer of [this.doc, ...this.includes.map((l) => l.doc)]) {
      for (const line of layer.lines) if (line.kind === 'section') found.add(line.path);
    }
    return [...found];
  }

  register_path(path: string, title: string, description: string): void {
    const p = normalizePath(path);
    this.paths.set(p, { path: p, title, description });
  }

  register_key(path: string, key: string, type: string, title: string, description: string, default_value: string): void {
    const p = normalizePath(path);
    this.keys.set(`${p}\u0000${key}`, { path: p, key, type, title, description, default_value: String(default_value) });
  }

  /** Takes over `other`'s documented paths and keys (when the file is read again). */
  adoptDocumentation(other: SettingsStore): void {
    for (const p of other.registeredPaths()) if (!this.paths.has(p.path)) this.paths.set(p.path, p);
    for (const k of other.registeredKeys()) this.keys.set(`${k.path}\u0000${k.key}`, k);
  }

  /** The registered documentation of `key` in `path`. */
  describeKey(path: string, key: string): KeyDescription | undefined {
    return this.keys.get(`${normalizePath(path)}\u0000${key}`);
  }

  registeredPaths(): PathDescription[] {
    return [...this.paths.values()];
  }

  registeredKeys(): KeyDescription[] {
    return [...this.keys.values()];
  }

  /**
   * `settings --generate --add-defaults`: every registered section and every registered key
   * missing from the main file is added, documented by a comment line, with its default
   * (`addDefaults: false`: the sections only). Keys that are set keep their values; unknown keys
   * and comments stay. Call save() to write it.
   */
  generate(options: { addDefaults?: boolean } = {}): void {
    for (const { path, title, description } of this.paths.values()) ensureSection(this.doc, path, [`${title} - ${description}`]);
    if (options.addDefaults === false) {
      this.dirty = true;
      return;
    }
    for (const k of this.keys.values()) {
      if (this.get(k.path, k.key) === undefined) setEntry(this.doc, k.path, k.key, k.default_value, this.documentationLines(k.path, k.key));
    }
    this.dirty = true;
  }

  /**
   * Expands `${name}` placeholders: from `[/paths]` first, then the built-in locations
   * (`base-path` is the settings file's folder; `scripts`, `modules`, `log-path`... below it).
   * Unknown names are left as they are; expansion is repeated so values may use other names.
   */
  expand_path(expression: string): string {
    let out = expression;
    for (let depth = 0; depth < 10 && out.includes('${'); depth++) {
      const next = out.replace(/\$\{([^}]+)\}/g, (whole, name: string) => this.pathVariable(name) ?? whole);
      if (next === out) break;
      out = next;
    }
    return out;
  }

  /**
   * Writes the main file: to a temporary file beside it, flushed, then renamed over it, so a crash
   * mid-save leaves the old file whole. A read-only file is refused (SettingsSaveError) and left as it is.
   */
  save(): void {
    if (this.file === undefined) {
      this.dirty = false;
      return;
    }
    const file = this.file;
    const temp = `${file}.${process.pid}.tmp`;
    try {
      if (existsSync(file) && (statSync(file).mode & 0o222) === 0) throw new Error('the file is read-only');
      const fd = openSync(temp, 'w', existsSync(file) ? statSync(file).mode & 0o777 : 0o644);
      try {
        writeSync(fd, serializeIni(this.doc));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
    } catch (error) {
      try {
        if (existsSync(temp) && statSync(temp).isFile()) rmSync(temp);
      } catch {
        // the temporary file is best-effort cleanup; the main file is untouched either way
      }
      throw new SettingsSaveError(file, error);
    }
    this.dirty = false;
  }

  /** The text save() would write. */
  toString(): string {
    return serializeIni(this.doc);
  }

  private documentationLines(path: string, key: string): string[] {
    const d = this.keys.get(`${path}\u0000${key}`);
    return d === undefined ? [] : [`${d.title} - ${d.description}`];
  }

  private pathVariable(name: string): string | undefined {
    const configured = this.get('/paths', name);
    if (configured !== undefined) return configured;
    const base = this.file === undefined ? process.cwd() : dirname(this.file);
    switch (name) {
      case 'base-path':
      case 'exe-path':
      case 'shared-path':
        return base;
      case 'scripts':
        return '${base-path}/scripts';
      case 'modules':
      case 'module-path':
        return '${base-path}/modules';
      case 'log-path':
        return '${base-path}/log';
      case 'certificate-path':
        return '${shared-path}/security';
      case 'temp':
        return tmpdir();
      default:
        return undefined;
    }
  }

  private loadIncludes(): void {
    const seen = new Set<string>(this.file === undefined ? [] : [this.file]);
    const layers: Layer[] = [];
    const visit = (doc: IniDocument, from: string | undefined): void => {
      for (const line of doc.lines) {
        if (line.kind !== 'entry' || line.path !== '/includes') continue;
        const target = this.expand_path(line.value);
        const file = isAbsolute(target) ? target : resolve(from === undefined ? process.cwd() : dirname(from), target);
        if (seen.has(file)) continue;
        seen.add(file);
        if (!existsSync(file)) throw new SettingsParseError(from ?? '<settings>', 0, `included file not found: ${file}`);
        const included = parseIni(readFileSync(file, 'utf8'), file);
        layers.push({ file, doc: included });
        visit(included, file);
      }
    };
    visit(this.doc, this.file);
    this.includes = layers;
  }
}
