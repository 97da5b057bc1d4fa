import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { netSnmp, netSnmpMibDir, type NetSnmpModuleStore } from './engine.js';

/** A name the MIB index knows, with the module that defines it. */
export interface MibName {
  name: string;
  module: string;
}

export class UnknownOidError extends Error {
  constructor(readonly tag: string) {
    super(`Unknown OID: ${tag}`);
    this.name = 'UnknownOidError';
  }
}

interface Definition {
  OID?: unknown;
  ObjectName?: unknown;
  SYNTAX?: unknown;
  MACRO?: unknown;
}

/**
 * Every name the loaded MIB modules define, both ways. net-snmp's `store.translate()` only
 * resolves whole object names (`SNMPv2-MIB::sysDescr`), never a bare name nor one with an
 * instance (`sysDescr.0`), so the index is built once from the module store's definitions.
 */
export class MibIndex {
  private readonly byName = new Map<string, string>();
  private readonly byOid = new Map<string, MibName>();
  private readonly syntaxByOid = new Map<string, unknown>();
  private readonly conventions = new Map<string, unknown>();

  constructor(readonly store: NetSnmpModuleStore) {
    this.rebuild();
  }

  /** Re-reads the store (after `store.loadFromFile`). */
  rebuild(): void {
    this.byName.clear();
    this.byOid.clear();
    this.syntaxByOid.clear();
    this.conventions.clear();
    const modules = this.store.getModules(true);
    // SNMPv2 modules first, so their names win over the RFC1213 duplicates for reverse lookups.
    const names = Object.keys(modules).sort((a, b) => rank(a) - rank(b));
    for (const module of names) {
      for (const [name, raw] of Object.entries(modules[module] ?? {})) {
        const def = raw as Definition | null;
        if (def === null || typeof def !== 'object') continue;
        if (def.MACRO === 'TEXTUAL-CONVENTION' && def.SYNTAX !== undefined && !this.conventions.has(name)) this.conventions.set(name, def.SYNTAX);
        if (typeof def.OID !== 'string' || !/^\d+(\.\d+)*$/.test(def.OID)) continue;
        const oid = def.OID;
        if (!this.byName.has(name)) this.byName.set(name, oid);
        this.byName.set(`${module}::${name}`, oid);
        if (!this.byOid.has(oid)) this.byOid.set(oid, { name, module });
        if (def.SYNTAX !== undefined && !this.syntaxByOid.has(oid)) this.syntaxByOid.set(oid, def.SYNTAX);
      }
    }
  }

  /** How many OIDs have a name. */
  get size(): number {
    return this.byOid.size;
  }

  /** The numeric OID of a name (`sysDescr`, `SNMPv2-MIB::sysDescr`), or undefined. */
  oidOf(name: string): string | undefined {
    return this.byName.get(name);
  }

  /** The name defined at exactly this numeric OID (no leading dot). */
  nameOf(oid: string): MibName | undefined {
    return this.byOid.get(oid);
  }

  /**
   * A tag as the Perl SNMP module takes it, to a numeric OID without a leading dot:
   * `'.1.3.6.1.2.1.1.3.0'`, `'1.3.6.1.2.1.1.3.0'`, `'sysUpTime.0'`, `'sysUpTime'`,
   * `'SNMPv2-MIB::sysUpTime.0'`, and `'.'` (the root, sent as 0.0). Throws UnknownOidError.
   */
  resolve(tag: string): string {
    const text = tag.trim();
    if (text === '.' || text === '') return '0.0';
    if (/^\.?\d+(\.\d+)*$/.test(text)) {
      const oid = text.startsWith('.') ? text.slice(1) : text;
      return oid.includes('.') ? oid : `${oid}.0`;
    }
    const colons = text.indexOf('::');
    const start = colons >= 0 ? colons + 2 : 0;
    const dot = text.indexOf('.', start);
    const name = dot >= 0 ? text.slice(0, dot) : text;
    const rest = dot >= 0 ? text.slice(dot + 1) : '';
    const base = this.byName.get(name) ?? (colons >= 0 ? this.byName.get(name.slice(start)) : undefined);
    if (base === undefined) throw new UnknownOidError(tag);
    if (rest === '') return base;
    if (!/^\d+(\.\d+)*$/.test(rest)) throw new UnknownOidError(tag);
    return `${base}.${rest}`;
  }

  /**
   * A numeric OID back to Perl SNMP's `[tag, iid]`: the longest named prefix and the rest
   * (`'1.3.6.1.2.1.1.3.0'` → `['sysUpTime', '0']`). With no named prefix at all, the tag is the
   * numeric OID without its last sub-identifier (with a leading dot) and the iid that one.
   */
  split(oid: string): [tag: string, iid: string] {
    let prefix = oid;
    for (;;) {
      const known = this.byOid.get(prefix);
      if (known !== undefined) return [known.name, prefix.length === oid.length ? '' : oid.slice(prefix.length + 1)];
      const cut = prefix.lastIndexOf('.');
      if (cut < 0) break;
      prefix = prefix.slice(0, cut);
    }
    const cut = oid.lastIndexOf('.');
    return cut < 0 ? [`.${oid}`, ''] : [`.${oid.slice(0, cut)}`, oid.slice(cut + 1)];
  }

  /** The base SYNTAX name of the object an OID belongs to (textual conventions followed). */
  syntaxOf(oid: string): string | undefined {
    let prefix = oid;
    for (;;) {
      const syntax = this.syntaxByOid.get(prefix);
      if (syntax !== undefined) return this.baseSyntax(syntax, 0);
      const cut = prefix.lastIndexOf('.');
      if (cut < 0) return undefined;
      prefix = prefix.slice(0, cut);
    }
  }

  private baseSyntax(syntax: unknown, depth: number): string | undefined {
    let name: string | undefined;
    if (typeof syntax === 'string') name = syntax;
    else if (syntax !== null && typeof syntax === 'object') name = Object.keys(syntax)[0];
    if (name === undefined) return undefined;
    const convention = this.conventions.get(name);
    if (convention !== undefined && depth < 8) return this.baseSyntax(convention, depth + 1) ?? name;
    return name;
  }
}

function rank(module: string): number {
  if (module.startsWith('SNMPv2')) return 0;
  if (module.startsWith('RFC')) return 2;
  return 1;
}

let shared: MibIndex | undefined;

/**
 * The process-wide index: net-snmp's base modules plus the IANAifType-MIB and IF-MIB it ships.
 * `loadMib(file)` adds a module to it.
 */
export function mibIndex(): MibIndex {
  if (shared === undefined) {
    const store = netSnmp.createModuleStore();
    const dir = netSnmpMibDir();
    for (const file of ['IANAifType-MIB.mib', 'IF-MIB.mib']) {
      const path = join(dir, file);
      if (existsSync(path)) {
        try {
          store.loadFromFile(path);
        } catch {
          // a MIB net-snmp cannot parse leaves its names unknown, nothing more
        }
      }
    }
    shared = new MibIndex(store);
  }
  return shared;
}

/** Loads a MIB module file into the shared index (its imports must already be loaded). */
export function loadMib(fileName: string): void {
  const index = mibIndex();
  index.store.loadFromFile(fileName);
  index.rebuild();
}
