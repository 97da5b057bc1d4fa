// NSClient++'s filter and threshold expressions (`load > 80`, `used > 90%`, `state not in ('started')`):
// a tokenizer and a recursive-descent parser into a small tree, and its evaluation against one item.
// Pure functions of the text and of the keyword table; what the grammar does not cover is refused
// with a FilterError that names the token and where it is.
import { FilterError } from '../../errors.js';

/** How a keyword's literal units read: sizes (B K M G T, powers of 1024), times (s m h d w), or plain numbers. */
export type KeywordKind = 'number' | 'size' | 'time' | 'string';

/** One keyword a check offers to expressions, with how to read it from an item. */
export interface Keyword<I> {
  readonly kind: KeywordKind;
  readonly description: string;
  /** The value in base units (bytes, seconds, percent, count...) or a string. */
  value(item: I): number | string;
  /** What `N%` on this keyword is a percentage of (the total size); absent: the value already is a percentage. */
  percentOf?(item: I): number;
  /** The perfdata label's suffix after the item's name (default ` <keyword>`; `''` for the check's main value). */
  readonly perfSuffix?: string;
  /** The detail text, when not the value as a number/size (`1d 2:03` for an uptime). */
  text?(item: I): string;
  /** The perfdata unit of a number or time keyword (`%`, `s`). */
  readonly perfUnit?: string;
}

export type KeywordTable<I> = Readonly<Record<string, Keyword<I>>>;

export type Expr =
  | { readonly type: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly type: 'not'; readonly operand: Expr }
  | { readonly type: 'cmp'; readonly op: CmpOp; readonly keyword: string; readonly literal: Literal }
  | { readonly type: 'in'; readonly negated: boolean; readonly keyword: string; readonly list: readonly Literal[] };

export type CmpOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'like' | 'not like' | 'regexp' | 'not regexp';

/** A constant: a number with its unit as written (`80`, `90%`, `10G`, `2d`) or a quoted string. */
export type Literal = { readonly kind: 'number'; readonly value: number; readonly unit: string } | { readonly kind: 'string'; readonly value: string };

type Token = { t: 'num'; v: number; unit: string; at: number } | { t: 'str'; v: string; at: number } | { t: 'word'; v: string; at: number } | { t: 'op'; v: string; at: number } | { t: 'end'; at: number };

const OPS = ['<=', '>=', '!=', '<>', '==', '=', '<', '>', '(', ')', ',', '&&', '||', '!'];
const WORD_OPS: Record<string, CmpOp> = { eq: '=', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=', like: 'like', regexp: 'regexp' };
const SYMBOL_OPS: Record<string, CmpOp> = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const MAX_LENGTH = 4096;

function tokenize(text: string): Token[] {
  if (text.length > MAX_LENGTH) throw new FilterError(`expression longer than ${MAX_LENGTH} characters`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new FilterError(`unterminated string starting at character ${i + 1} of: ${text}`);
      tokens.push({ t: 'str', v: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const num = /^-?(\d+(\.\d*)?|\.\d+)([A-Za-z%]*)/.exec(text.slice(i));
    if (num !== null && (c !== '-' || tokens.length === 0 || tokens[tokens.length - 1]!.t === 'op')) {
      tokens.push({ t: 'num', v: Number(num[1]!.startsWith('.') ? `0${num[1]}` : num[1]) * (c === '-' ? -1 : 1), unit: num[3]!, at: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word !== null) {
      tokens.push({ t: 'word', v: word[0], at: i });
      i += word[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op === undefined) throw new FilterError(`unexpected character '${c}' at ${i + 1} of: ${text}`);
    tokens.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  tokens.push({ t: 'end', at: text.length });
  return tokens;
}

/** Parses one expression against the keywords a check offers; throws FilterError naming what is refused. */
export function parseExpression<I>(text: string, keywords: KeywordTable<I>): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const isWord = (w: string, at = pos): boolean => { const t = tokens[at]!; return t.t === 'word' && t.v.toLowerCase() === w; };
  const isOp = (o: string): boolean => { const t = peek(); return t.t === 'op' && t.v === o; };
  const where = (t: Token): string => `at character ${t.at + 1} of: ${text}`;
  const describe = (t: Token): string => (t.t === 'end' ? 'end of expression' : `'${'v' in t ? String(t.v) : ''}'`);
  let depth = 0;

  const orExpr = (): Expr => {
    let left = andExpr();
    while (isWord('or') || isOp('||') || isOp(',')) { pos++; left = { type: 'or', left, right: andExpr() }; }
    return left;
  };
  const andExpr = (): Expr => {
    let left = notExpr();
    while (isWord('and') || isOp('&&')) { pos++; left = { type: 'and', left, right: notExpr() }; }
    return left;
  };
  const notExpr = (): Expr => {
    if (isWord('not') || isOp('!')) { pos++; return { type: 'not', operand: notExpr() }; }
    if (isOp('(')) {
      if (++depth > 32) throw new FilterError(`expression nested deeper than 32 parentheses: ${text}`);
      pos++;
      const inner = orExpr();
      if (!isOp(')')) throw new FilterError(`expected ')' but found ${describe(peek())} ${where(peek())}`);
      pos++;
      depth--;
      return inner;
    }
    return comparison();
  };
  const literal = (): Literal => {
    const t = peek();
    if (t.t === 'num') { pos++; return { kind: 'number', value: t.v, unit: t.unit }; }
    if (t.t === 'str') { pos++; return { kind: 'string', value: t.v }; }
    throw new FilterError(`expected a number or a quoted string but found ${describe(t)} ${where(t)}`);
  };
  const comparison = (): Expr => {
    const t = peek();
    if (t.t !== 'word') throw new FilterError(`expected a keyword but found ${describe(t)} ${where(t)}`);
    pos++;
    if (isOp('(')) throw new FilterError(`functions are not supported (${t.v}(...)) ${where(t)}`);
    const keyword = t.v.toLowerCase();
    const known = keywords[keyword];
    if (known === undefined) throw new FilterError(`unknown keyword '${t.v}' ${where(t)} (known: ${Object.keys(keywords).join(', ')})`);
    let negated = false;
    if (isWord('not')) { negated = true; pos++; }
    if (isWord('in')) {
      pos++;
      if (!isOp('(')) throw new FilterError(`expected '(' after in ${where(peek())}`);
      pos++;
      const list: Literal[] = [literal()];
      while (isOp(',')) { pos++; list.push(literal()); }
      if (!isOp(')')) throw new FilterError(`expected ')' closing the in list but found ${describe(peek())} ${where(peek())}`);
      pos++;
      return { type: 'in', negated, keyword, list: list.map((l) => checkLiteral(keyword, known, l)) };
    }
    const opTok = peek();
    let op: CmpOp | undefined;
    if (opTok.t === 'op') op = SYMBOL_OPS[opTok.v];
    else if (opTok.t === 'word') op = WORD_OPS[opTok.v.toLowerCase()];
    if (op === undefined) throw new FilterError(`expected an operator after '${t.v}' but found ${describe(opTok)} ${where(opTok)}`);
    if (negated && op !== 'like' && op !== 'regexp') throw new FilterError(`'not' before ${op} is not supported ${where(opTok)}`);
    pos++;
    if (negated) op = op === 'like' ? 'not like' : 'not regexp';
    const lit = checkLiteral(keyword, known, literal());
    if ((op === 'regexp' || op === 'not regexp') && lit.kind === 'string') {
      try { new RegExp(lit.value); } catch (error) { throw new FilterError(`bad regular expression '${lit.value}': ${(error as Error).message}`); }
    }
    return { type: 'cmp', op, keyword, literal: lit };
  };

  const tree = orExpr();
  if (peek().t !== 'end') throw new FilterError(`unexpected ${describe(peek())} ${where(peek())}`);
  return tree;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

function checkLiteral<I>(name: string, keyword: Keyword<I>, lit: Literal): Literal {
  if (lit.kind === 'string') {
    return lit;
  }
  if (keyword.kind === 'string') return { kind: 'string', value: String(lit.value) + lit.unit };
  const unit = lit.unit.toLowerCase();
  if (unit === '%') return lit;
  const table = keyword.kind === 'size' ? SIZE_UNITS : keyword.kind === 'time' ? TIME_UNITS : { '': 1 };
  if (table[unit] === undefined) {
    throw new FilterError(`unit '${lit.unit}' is not valid for ${name} (${keyword.kind}: ${Object.keys(table).filter(Boolean).join(', ') || 'no unit'}', %'})`);
  }
  return lit;
}

/** A number literal in the keyword's base units for `item` (`90%` of the total, `10G` in bytes, `2d` in seconds). */
export function literalValue<I>(keyword: Keyword<I>, lit: Literal, item: I): number | string {
  if (lit.kind === 'string') return lit.value;
  const unit = lit.unit.toLowerCase();
  if (unit === '%') return keyword.percentOf === undefined ? lit.value : (lit.value * keyword.percentOf(item)) / 100;
  const table = keyword.kind === 'size' ? SIZE_UNITS : keyword.kind === 'time' ? TIME_UNITS : { '': 1 };
  return lit.value * (table[unit] ?? 1);
}

function likeMatch(value: string, pattern: string): boolean {
  // NSClient++'s `like` is a case-insensitive substring match.
  return value.toLowerCase().includes(pattern.toLowerCase());
}

function compare(op: CmpOp, a: number | string, b: number | string): boolean {
  if (op === 'like' || op === 'not like') return likeMatch(String(a), String(b)) === (op === 'like');
  if (op === 'regexp' || op === 'not regexp') return new RegExp(String(b)).test(String(a)) === (op === 'regexp');
  if (typeof a === 'string' || typeof b === 'string') {
    const x = String(a);
    const y = String(b);
    switch (op) {
      case '=': return x === y;
      case '!=': return x !== y;
      case '<': return x < y;
      case '>': return x > y;
      case '<=': return x <= y;
      case '>=': return x >= y;
    }
  }
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    case '>=': return a >= b;
  }
}

/** Evaluates a parsed expression against one item. */
export function evaluate<I>(expr: Expr, keywords: KeywordTable<I>, item: I): boolean {
  switch (expr.type) {
    case 'and': return evaluate(expr.left, keywords, item) && evaluate(expr.right, keywords, item);
    case 'or': return evaluate(expr.left, keywords, item) || evaluate(expr.right, keywords, item);
    case 'not': return !evaluate(expr.operand, keywords, item);
    case 'in': {
      const kw = keywords[expr.keyword]!;
      const v = kw.value(item);
      const found = expr.list.some((l) => compare('=', v, literalValue(kw, l, item)));
      return found !== expr.negated;
    }
    case 'cmp': {
      const kw = keywords[expr.keyword]!;
      return compare(expr.op, kw.value(item), literalValue(kw, expr.literal, item));
    }
  }
}

/** The keywords an expression names. */
export function keywordsOf(expr: Expr, into: Set<string> = new Set()): Set<string> {
  if (expr.type === 'and' || expr.type === 'or') {
    keywordsOf(expr.left, into);
    keywordsOf(expr.right, into);
  } else if (expr.type === 'not') keywordsOf(expr.operand, into);
  else if (expr.type === 'cmp' || expr.type === 'in') into.add(expr.keyword);
  return into;
}

/** The first `keyword OP number` of an expression for each keyword: what perfdata shows as the threshold. */
export function thresholdsOf(expr: Expr, into: Map<string, Literal> = new Map()): Map<string, Literal> {
  if (expr.type === 'and' || expr.type === 'or') {
    thresholdsOf(expr.left, into);
    thresholdsOf(expr.right, into);
  } else if (expr.type === 'not') thresholdsOf(expr.operand, into);
  else if (expr.type === 'cmp' && expr.literal.kind === 'number' && !into.has(expr.keyword)) into.set(expr.keyword, expr.literal);
  return into;
}
