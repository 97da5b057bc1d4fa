import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { netSnmp, netSnmpMibDir, type NetSnmpModuleStore } from './engine.js';
import { BadOidError, UnknownOidError } from './errors.js';

/** A name the MIB index knows, with the module that defines it. */
export interface MibName {
  name: string;
  module: string;
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
  private readonly modules = new Set<string>();
  private readonly splitCache = new Map<string, [tag: string, iid: string]>();

  constructor(readonly store: NetSnmpModuleStore) {
    this.rebuild();
  }

  /** Re-reads the store (after `store.loadFromFile`). */
  rebuild(): void {
    this.byName.clear();
    this.byOid.clear();
    this.syntaxByOid.clear();
    this.conventions.clear();
    this.modules.clear();
    this.splitCache.clear();
    for (const module of this.store.getModuleNames(true)) this.modules.add(module);
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
   * `'SNMPv2-MIB::sysUpTime.0'`; `'.'` is the root (`''`) and `'1'` stays one arc (see
   * `wireOid` for what goes on the wire). Throws UnknownOidError for a name it does not know or
   * a module that is not loaded, BadOidError for an OID no BER encoder can build.
   */
  resolve(tag: string): string {
    const text = tag.trim();
    if (text === '.' || text === '') return '';
    if (/^\.?\d+(\.\d+)*$/.test(text)) return checkedOid(tag, text.startsWith('.') ? text.slice(1) : text);
    const colons = text.indexOf('::');
    const start = colons >= 0 ? colons + 2 : 0;
    const dot = text.indexOf('.', start);
    const name = dot >= 0 ? text.slice(0, dot) : text;
    const rest = dot >= 0 ? text.slice(dot + 1) : '';
    if (colons >= 0) {
      const module = text.slice(0, colons);
      // as the C tools: a module that is not loaded is an error, never ignored
      if (!this.modules.has(module)) throw new UnknownOidError(tag, `Cannot find module (${module})`);
    }
    const base = this.byName.get(name);
    if (base === undefined) throw new UnknownOidError(tag);
    if (rest === '') return base;
    if (!/^\d+(\.\d+)*$/.test(rest)) throw new UnknownOidError(tag);
    return checkedOid(tag, `${base}.${rest}`);
  }

  /**
   * The long form of a numeric OID's named part, as `snmpget -Of` prints it
   * (`'1.3.6.1.2.1.1.1'` → `'.iso.org.dod.internet.mgmt.mib-2.system.sysDescr'`); arcs without
   * a name stay numbers.
   */
  longName(oid: string): string {
    if (oid === '') return '';
    const arcs = oid.split('.');
    let prefix = '';
    let out = '';
    for (const arc of arcs) {
      prefix = prefix === '' ? arc : `${prefix}.${arc}`;
      out += `.${this.byOid.get(prefix)?.name ?? TOP_ARCS[prefix] ?? arc}`;
    }
    return out;
  }

  /** The enumeration (number → label) of the INTEGER object an OID belongs to, textual conventions followed. */
  enumsOf(oid: string): Record<string, string> | undefined {
    let syntax = this.syntaxAt(oid);
    for (let depth = 0; depth < 8 && syntax !== undefined; depth++) {
      if (syntax !== null && typeof syntax === 'object') {
        const integer = (syntax as Record<string, unknown>).INTEGER;
        if (integer !== null && typeof integer === 'object' && !Array.isArray(integer)) {
          const labels = Object.entries(integer as Record<string, unknown>).filter(([k, v]) => /^-?\d+$/.test(k) && typeof v === 'string');
          if (labels.length > 0) return Object.fromEntries(labels) as Record<string, string>;
        }
        return undefined;
      }
      syntax = typeof syntax === 'string' ? this.conventions.get(syntax) : undefined;
    }
    return undefined;
  }

  /** The textual-convention chain of an object (`['PhysAddress', 'OCTET STRING']`), for display hints. */
  syntaxNames(oid: string): string[] {
    const names: string[] = [];
    let syntax = this.syntaxAt(oid);
    for (let depth = 0; depth < 8 && syntax !== undefined; depth++) {
      const name = typeof syntax === 'string' ? syntax : syntax !== null && typeof syntax === 'object' ? Object.keys(syntax)[0] : undefined;
      if (name === undefined) break;
      names.push(name);
      syntax = this.conventions.get(name);
    }
    return names;
  }

  private syntaxAt(oid: string): unknown {
    let prefix = oid;
    for (;;) {
      const syntax = this.syntaxByOid.get(prefix);
      if (syntax !== undefined) return syntax;
      const cut = prefix.lastIndexOf('.');
      if (cut < 0) return undefined;
      prefix = prefix.slice(0, cut);
    }
  }

  /**
   * A numeric OID back to Perl SNMP's `[tag, iid]`: the longest named prefix and the rest
   * (`'1.3.6.1.2.1.1.3.0'` → `['sysUpTime', '0']`). With no named prefix at all, the tag is the
   * numeric OID without its last sub-identifier (with a leading dot) and the iid that one.
   */
  split(oid: string): [tag: string, iid: string] {
    const known = this.byOid.get(oid);
    if (known !== undefined) return [known.name, ''];
    const cut = oid.lastIndexOf('.');
    if (cut < 0) return [`.${oid}`, ''];
    // a walk splits row after row of the same column: the parent's split is remembered
    const parent = oid.slice(0, cut);
    let above = this.splitCache.get(parent);
    if (above === undefined) {
      above = this.splitUncached(parent);
      if (this.splitCache.size >= 65_536) this.splitCache.clear();
      this.splitCache.set(parent, above);
    }
    const last = oid.slice(cut + 1);
    // no named prefix at all: the tag is the numeric OID but its last arc
    if (above[0].startsWith('.')) return [`.${parent}`, last];
    return [above[0], above[1] === '' ? last : `${above[1]}.${last}`];
  }

  private splitUncached(oid: string): [tag: string, iid: string] {
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

/** The arcs above the SMI's first names, as the C tools print them. */
const TOP_ARCS: Record<string, string> = { '0': 'ccitt', '1': 'iso', '2': 'joint-iso-ccitt' };

const MAX_SUBID = 4294967295;

/**
 * A numeric OID checked as Net-SNMP's BER encoder checks it: the first arc 0, 1 or 2, the second
 * at most 39 under 0 or 1, every sub-identifier at most 2^32-1 (the C tools wrap a larger one
 * without a word; refused here).
 */
export function checkedOid(tag: string, oid: string): string {
  const arcs = oid.split('.');
  for (const arc of arcs) if (arc.length > 10 || Number(arc) > MAX_SUBID) throw new BadOidError(tag, `sub-identifier ${arc} is above ${MAX_SUBID}`);
  const first = Number(arcs[0]);
  if (first > 2) throw new BadOidError(tag, `first sub-identifier ${first} is above 2`);
  if (arcs.length > 1 && first < 2 && Number(arcs[1]) > 39) throw new BadOidError(tag, `second sub-identifier ${arcs[1]} is above 39 under ${first}`);
  return oid;
}

/**
 * What goes on the wire for a resolved OID: a BER OID has at least two arcs, so the root is sent
 * as 0.0 and a one-arc OID `n` as `n.0` (what Net-SNMP's encoder does); walks keep the OID
 * itself as the subtree to stay in.
 */
export function wireOid(oid: string): string {
  if (oid === '') return '0.0';
  return oid.includes('.') ? oid : `${oid}.0`;
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
