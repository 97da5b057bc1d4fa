// NSClient++'s modern check options (warn, crit, filter, top-syntax, detail-syntax, ok-syntax,
// empty-syntax, empty-state, show-all, perf-config) applied to a list of items: which items match,
// each one's status, the worst status, the message and the perfdata, in NSClient++'s formats.
import { FilterError } from '../../errors.js';
import type { QueryResult } from '../../requests.js';
import { status, statusName, type StatusCode } from '../../status.js';
import { evaluate, literalValue, parseExpression, thresholdsOf, type Expr, type Keyword, type KeywordTable, type Literal } from './expression.js';
import { formatNumber, formatSize, sizeUnitFor, SIZE_FACTORS } from './units.js';

/** What one check offers to the engine: its keywords, defaults and how its items are named. */
export interface CheckDefinition<I> {
  readonly command: string;
  readonly keywords: KeywordTable<I>;
  /** The name an item goes by in perfdata labels (`total 5m`, `/`, `physical`). */
  itemName(item: I): string;
  readonly defaults: {
    readonly warn?: string;
    readonly crit?: string;
    readonly filter?: string;
    readonly top?: string;
    readonly ok?: string;
    readonly detail: string;
    readonly empty?: string;
    readonly emptyState?: StatusCode;
  };
  /** The check's own options (`time`, `drive`, `process`...) with their defaults; given ones are collected as lists. */
  readonly options?: Readonly<Record<string, string | undefined>>;
  /** Options that are accepted and ignored on Linux (NSClient++ options for Windows' objects). */
  readonly ignoredOptions?: readonly string[];
}

/** The arguments of one call, read and checked. */
export interface ParsedArguments {
  readonly warn: Expr | undefined;
  readonly crit: Expr | undefined;
  readonly filter: Expr | undefined;
  readonly top: string;
  readonly ok: string | undefined;
  readonly detail: string;
  readonly empty: string;
  readonly emptyState: StatusCode;
  readonly perfConfig: readonly PerfRule[];
  /** Check-specific options: every value given (or the default alone). */
  readonly options: ReadonlyMap<string, readonly string[]>;
  readonly summaryWarn: boolean;
  readonly summaryCrit: boolean;
}

interface PerfRule { readonly selector: string; readonly ignored: boolean; readonly unit?: string; readonly prefix?: string; readonly suffix?: string }

/** The summary keywords warn/crit may use instead of an item's (`crit=count = 0`). */
export interface Summary { count: number; total: number; ok_count: number; warn_count: number; crit_count: number; problem_count: number }

const SUMMARY_KEYWORDS: KeywordTable<Summary> = Object.fromEntries(
  (['count', 'total', 'ok_count', 'warn_count', 'crit_count', 'problem_count'] as const).map((k) => [k, { kind: 'number', description: k, value: (s: Summary) => s[k] }]),
);

const COMMON = ['warn', 'warning', 'crit', 'critical', 'filter', 'top-syntax', 'ok-syntax', 'detail-syntax', 'empty-syntax', 'empty-state', 'show-all', 'perf-config', 'debug', 'escape-html'];
const STATES: Record<string, StatusCode> = { ok: status.OK, warning: status.WARNING, warn: status.WARNING, critical: status.CRITICAL, crit: status.CRITICAL, unknown: status.UNKNOWN };

function joinExpressions(parts: readonly string[]): string | undefined {
  const real = parts.filter((p) => p.trim() !== '' && p.trim().toLowerCase() !== 'none');
  return real.length === 0 ? undefined : real.map((p) => `(${p})`).join(' or ');
}

function parseSide<I>(text: string | undefined, keywords: KeywordTable<I>): { expr: Expr | undefined; summary: boolean } {
  if (text === undefined) return { expr: undefined, summary: false };
  // An expression naming only summary keywords is evaluated once over the matched items.
  try {
    const expr = parseExpression(text, keywords);
    return { expr, summary: false };
  } catch (itemError) {
    try {
      return { expr: parseExpression(text, SUMMARY_KEYWORDS), summary: true };
    } catch {
      throw itemError;
    }
  }
}

function parsePerfConfig(text: string): PerfRule[] {
  const rules: PerfRule[] = [];
  const re = /\s*([^()]+?)\s*\(([^()]*)\)\s*/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) throw new FilterError(`perf-config: expected selector(key:value;...) at character ${at + 1} of: ${text}`);
    at = re.lastIndex;
    const rule: { selector: string; ignored: boolean; unit?: string; prefix?: string; suffix?: string } = { selector: m[1]!.toLowerCase(), ignored: false };
    for (const part of m[2]!.split(';').filter((p) => p.trim() !== '')) {
      const [key, value = ''] = part.split(':').map((s) => s.trim());
      if (key === 'ignored') rule.ignored = value === 'true';
      else if (key === 'unit') {
        if (SIZE_FACTORS[value.toUpperCase()] === undefined) throw new FilterError(`perf-config: unknown unit '${value}' (B, K, M, G, T)`);
        rule.unit = value.toUpperCase();
      } else if (key === 'prefix') rule.prefix = value;
      else if (key === 'suffix') rule.suffix = value;
      else throw new FilterError(`perf-config: unknown option '${key}' (ignored, unit, prefix, suffix)`);
    }
    rules.push(rule);
    while (text[at] === ',' || text[at] === ' ') at++;
  }
  return rules;
}

/** Reads `key=value` arguments as NSClient++ does; an unknown option or a bad expression is a FilterError. */
export function parseArguments<I>(def: CheckDefinition<I>, args: readonly string[]): ParsedArguments {
  const given = new Map<string, string[]>();
  const own = Object.keys(def.options ?? {});
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = (eq < 0 ? arg : arg.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? 'true' : arg.slice(eq + 1);
    if (!COMMON.includes(key) && !own.includes(key) && !(def.ignoredOptions ?? []).includes(key)) {
      throw new FilterError(`${def.command}: unknown option '${key}' (valid: ${[...COMMON, ...own].join(', ')})`);
    }
    const canonical = key === 'warning' ? 'warn' : key === 'critical' ? 'crit' : key;
    given.set(canonical, [...(given.get(canonical) ?? []), value]);
  }
  const one = (key: string): string | undefined => given.get(key)?.at(-1);
  const warnText = given.has('warn') ? joinExpressions(given.get('warn')!) : def.defaults.warn;
  const critText = given.has('crit') ? joinExpressions(given.get('crit')!) : def.defaults.crit;
  const filterText = given.has('filter') ? joinExpressions(given.get('filter')!) : def.defaults.filter;
  const warn = parseSide(warnText, def.keywords);
  const crit = parseSide(critText, def.keywords);
  const filter = filterText === undefined ? undefined : parseExpression(filterText, def.keywords);
  const emptyStateText = one('empty-state');
  let emptyState = def.defaults.emptyState ?? status.UNKNOWN;
  if (emptyStateText !== undefined) {
    const s = STATES[emptyStateText.trim().toLowerCase()];
    if (s === undefined) throw new FilterError(`empty-state: '${emptyStateText}' is not ok, warning, critical or unknown`);
    emptyState = s;
  }
  const showAllText = one('show-all');
  const showAll = showAllText !== undefined && showAllText !== 'false';
  let top = one('top-syntax') ?? def.defaults.top ?? '${status}: ${problem_list}';
  if (showAll) top = top.replaceAll('${problem_list}', '${list}').replaceAll('%(problem_list)', '%(list)');
  const options = new Map<string, string[]>();
  for (const [key, dflt] of Object.entries(def.options ?? {})) {
    const values = given.get(key) ?? (dflt === undefined ? [] : [dflt]);
    options.set(key, values);
  }
  return {
    warn: warn.expr,
    crit: crit.expr,
    filter,
    summaryWarn: warn.summary,
    summaryCrit: crit.summary,
    top,
    ok: one('ok-syntax') ?? (showAll ? undefined : def.defaults.ok),
    detail: one('detail-syntax') ?? def.defaults.detail,
    empty: one('empty-syntax') ?? def.defaults.empty ?? '%(status): No items found',
    emptyState,
    perfConfig: parsePerfConfig(one('perf-config') ?? ''),
    options,
  };
}

/** `${key}` and `%(key)` replaced by `lookup(key)`; unknown keys are left as written. */
export function renderSyntax(syntax: string, lookup: (key: string) => string | undefined): string {
  return syntax.replace(/\$\{([A-Za-z0-9_.]+)\}|%\(([A-Za-z0-9_.]+)\)/g, (whole, a: string | undefined, b: string | undefined) => lookup((a ?? b)!.toLowerCase()) ?? whole);
}

/** A keyword's value as detail text: sizes in the largest fitting unit, numbers with up to 3 decimals. */
export function keywordText<I>(kw: Keyword<I>, item: I): string {
  if (kw.text !== undefined) return kw.text(item);
  const v = kw.value(item);
  if (typeof v === 'string') return v;
  if (kw.kind === 'size') return formatSize(v);
  return formatNumber(v);
}

function worst(a: StatusCode, b: StatusCode): StatusCode {
  return Math.max(a, b) as StatusCode;
}

function perfEntries<I>(def: CheckDefinition<I>, parsed: ParsedArguments, item: I): string[] {
  const warnT = parsed.warn !== undefined && !parsed.summaryWarn ? thresholdsOf(parsed.warn) : new Map<string, Literal>();
  const critT = parsed.crit !== undefined && !parsed.summaryCrit ? thresholdsOf(parsed.crit) : new Map<string, Literal>();
  const names = [...new Set([...warnT.keys(), ...critT.keys()])];
  const out: string[] = [];
  const ruleFor = (selector: string): PerfRule | undefined => parsed.perfConfig.find((r) => r.selector === selector) ?? parsed.perfConfig.find((r) => r.selector === '*');
  for (const name of names) {
    const kw = def.keywords[name]!;
    if (kw.kind === 'string') continue;
    const value = kw.value(item);
    if (typeof value !== 'number') continue;
    const rule = ruleFor(name);
    const base = def.itemName(item) + (kw.perfSuffix ?? ` ${name}`);
    const label = (rule?.prefix ?? '') + base + (rule?.suffix ?? '');
    const thr = (lit: Literal | undefined): number | undefined => {
      if (lit === undefined) return undefined;
      const v = literalValue(kw, lit, item);
      return typeof v === 'number' ? v : undefined;
    };
    const w = thr(warnT.get(name));
    const c = thr(critT.get(name));
    const total = kw.percentOf?.(item);
    if (rule?.ignored !== true) {
      if (kw.kind === 'size') {
        const unit = rule?.unit ?? sizeUnitFor(total ?? value);
        const f = SIZE_FACTORS[unit]!;
        const scaled = (n: number | undefined): string => (n === undefined ? '' : formatNumber(n / f));
        const unitText = unit === 'B' ? 'B' : `${unit}B`;
        out.push(`'${label}'=${scaled(value)}${unitText};${scaled(w)};${scaled(c)};0;${scaled(total)}`);
      } else {
        const fmt = (n: number | undefined): string => (n === undefined ? '' : formatNumber(n));
        out.push(`'${label}'=${fmt(value)}${kw.perfUnit ?? ''};${fmt(w)};${fmt(c)}`);
      }
    }
    if (total !== undefined && total > 0 && ruleFor(`${name} %`)?.ignored !== true && rule?.ignored !== true) {
      const pct = (n: number | undefined): string => (n === undefined ? '' : formatNumber(Math.round((n / total) * 100)));
      out.push(`'${label} %'=${pct(value)}%;${pct(w)};${pct(c)};0;100`);
    }
  }
  return out;
}

/** Applies the parsed arguments to the items: NSClient++'s status, message and perfdata. */
export function evaluateCheck<I>(def: CheckDefinition<I>, parsed: ParsedArguments, items: readonly I[]): QueryResult {
  const matched = parsed.filter === undefined ? [...items] : items.filter((item) => evaluate(parsed.filter!, def.keywords, item));
  const rows = matched.map((item) => {
    let code: StatusCode = status.OK;
    if (parsed.crit !== undefined && !parsed.summaryCrit && evaluate(parsed.crit, def.keywords, item)) code = status.CRITICAL;
    else if (parsed.warn !== undefined && !parsed.summaryWarn && evaluate(parsed.warn, def.keywords, item)) code = status.WARNING;
    const detail = renderSyntax(parsed.detail, (key) => {
      if (key === 'status') return statusName(code);
      const kw = def.keywords[key];
      return kw === undefined ? undefined : keywordText(kw, item);
    });
    return { item, code, detail };
  });
  const summary: Summary = {
    count: rows.length,
    total: items.length,
    ok_count: rows.filter((r) => r.code === status.OK).length,
    warn_count: rows.filter((r) => r.code === status.WARNING).length,
    crit_count: rows.filter((r) => r.code === status.CRITICAL).length,
    problem_count: rows.filter((r) => r.code !== status.OK).length,
  };
  let overall: StatusCode = rows.reduce<StatusCode>((acc, r) => worst(acc, r.code), status.OK);
  if (parsed.summaryCrit && evaluate(parsed.crit!, SUMMARY_KEYWORDS, summary)) overall = worst(overall, status.CRITICAL);
  else if (parsed.summaryWarn && evaluate(parsed.warn!, SUMMARY_KEYWORDS, summary)) overall = worst(overall, status.WARNING);
  const perf = rows.flatMap((r) => perfEntries(def, parsed, r.item)).join(' ');
  const list = (codes: readonly StatusCode[]): string => rows.filter((r) => codes.includes(r.code)).map((r) => r.detail).join(', ');
  const lookup = (key: string): string | undefined => {
    switch (key) {
      case 'status': return statusName(overall);
      case 'list': case 'detail_list': return list([0, 1, 2, 3]);
      case 'problem_list': return list([1, 2, 3]);
      case 'ok_list': return list([0]);
      case 'warn_list': return list([1]);
      case 'crit_list': return list([2]);
      default: return key in summary ? String(summary[key as keyof Summary]) : undefined;
    }
  };
  if (rows.length === 0 && !parsed.summaryCrit && !parsed.summaryWarn) {
    overall = parsed.emptyState;
    return { command: def.command, result: overall, message: renderSyntax(parsed.empty, lookup), perf };
  }
  const syntax = overall === status.OK && parsed.ok !== undefined ? parsed.ok : parsed.top;
  return { command: def.command, result: overall, message: renderSyntax(syntax, lookup), perf };
}

/** parseArguments then evaluateCheck over what `collect` returns for the options; a FilterError answers UNKNOWN with its reason. */
export async function runCheck<I>(
  def: CheckDefinition<I>,
  args: readonly string[],
  collect: (options: ReadonlyMap<string, readonly string[]>) => readonly I[] | Promise<readonly I[]>,
  onRefused?: (reason: string) => void,
): Promise<QueryResult> {
  try {
    const parsed = parseArguments(def, args);
    return evaluateCheck(def, parsed, await collect(parsed.options));
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    onRefused?.(error.message);
    return { command: def.command, result: status.UNKNOWN, message: error.message, perf: '' };
  }
}
