// Nagios perfdata text <-> Perf items, with NSClient++'s behaviour (nscapi's perfdata parser and
// builder): labels quoted on output, numbers printed without exponent and cut (not rounded) to
// five decimals, thresholds kept as Nagios ranges when written as ranges, `U` kept as text.
import type { FloatPerf, Perf } from './types.js';

const NUMBER_CHARS = '0123456789,.-';

function isNumberChar(c: string): boolean {
  return NUMBER_CHARS.includes(c);
}

function firstIndex(s: string, from: number, match: (c: string) => boolean): number {
  for (let i = from; i < s.length; i++) if (match(s[i]!)) return i;
  return -1;
}

const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)$/;

/** The leading number of a field (`1,5ms` is 1.5); 0 when there is none or it does not read as one. */
export function perfNumber(text: string): number {
  const end = firstIndex(text, 0, (c) => !isNumberChar(c));
  const s = (end === -1 ? text : text.slice(0, end)).replaceAll(',', '.');
  return NUMERIC.test(s) ? Number(s) : 0;
}

/** A threshold written in Nagios range syntax rather than as a single number. */
export function isThresholdRange(text: string): boolean {
  return text.length > 0 && (text[0] === '@' || text[0] === '~' || text.includes(':'));
}

/**
 * Parses perfdata text (`'load 1'=0.5;1;2;0 mem=12%` ...). A label without a number gets 0; the
 * value `U` (or `U%`) stays the text `U`; fields after the value that are empty are absent.
 */
export function parsePerfData(text: string): Perf[] {
  const out: Perf[] = [];
  let rest = text;
  for (;;) {
    const start = firstIndex(rest, 0, (c) => c !== ' ');
    if (start === -1) return out;
    rest = rest.slice(start);
    let p = 0;
    if (rest[0] === "'") p = rest.indexOf("'", 1) + 1; // an unterminated quote searches from 0
    p = rest.indexOf(' ', p);
    let chunk: string;
    if (p === -1) {
      chunk = rest;
      rest = '';
    } else {
      chunk = rest.slice(0, p);
      rest = rest.slice(p);
    }
    const items = chunk.split(';');
    const head = items[0]!;
    const eq = head.indexOf('=');
    let alias = eq === -1 ? head : head.slice(0, eq);
    let value = eq === -1 ? '' : head.slice(eq + 1);
    if (alias.length > 0 && alias[0] === "'" && alias[alias.length - 1] === "'") alias = alias.slice(1, Math.max(1, alias.length - 1));
    if (alias.length === 0) continue;

    const numberStart = firstIndex(value, 0, isNumberChar);
    if (numberStart === -1) {
      if (value === 'U' || value === 'u' || value === 'U%' || value === 'u%') out.push({ alias, value: 'U' });
      else out.push({ alias, value: 0 });
      continue;
    }
    value = value.slice(numberStart);
    const perf: FloatPerf = { alias, value: 0 };
    const numberEnd = firstIndex(value, 0, (c) => !isNumberChar(c));
    if (numberEnd === -1) {
      perf.value = perfNumber(value);
    } else {
      perf.value = perfNumber(value.slice(0, numberEnd));
      perf.unit = value.slice(numberEnd);
    }
    const warning = items[1];
    if (warning !== undefined && warning !== '') {
      perf.warning = perfNumber(warning);
      if (isThresholdRange(warning)) perf.warningRange = warning;
    }
    const critical = items[2];
    if (critical !== undefined && critical !== '') {
      perf.critical = perfNumber(critical);
      if (isThresholdRange(critical)) perf.criticalRange = critical;
    }
    if (items[3] !== undefined && items[3] !== '') perf.minimum = perfNumber(items[3]);
    if (items[4] !== undefined && items[4] !== '') perf.maximum = perfNumber(items[4]);
    out.push(perf);
  }
}

/**
 * A number as NSClient++ prints perfdata: fixed notation, never an exponent, at most five
 * decimals (cut, not rounded, from 20 digits below 10 and from 6 digits above), no trailing zeros.
 */
export function formatPerfNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const digits = x < 10 ? 20 : 6;
  let s: string;
  if (Math.abs(x) >= 1e21) s = `${BigInt(x).toString()}.${'0'.repeat(digits)}`; // toFixed turns exponential here
  else s = (Object.is(x, -0) ? '-' : '') + x.toFixed(digits);
  const dot = s.indexOf('.');
  if (s.length - dot > 6) s = s.slice(0, dot + 6);
  let last = s.length - 1;
  while (s[last] === '0') last--;
  return last > dot ? s.slice(0, last + 1) : s.slice(0, last);
}

function renderFloat(p: FloatPerf): string {
  let s = formatPerfNumber(p.value) + (p.unit ?? '');
  const hasWarning = p.warning !== undefined || !!p.warningRange;
  const hasCritical = p.critical !== undefined || !!p.criticalRange;
  const hasMinimum = p.minimum !== undefined;
  const hasMaximum = p.maximum !== undefined;
  if (!hasWarning && !hasCritical && !hasMinimum && !hasMaximum) return s;
  s += `;${p.warningRange || (p.warning !== undefined ? formatPerfNumber(p.warning) : '')}`;
  if (!hasCritical && !hasMinimum && !hasMaximum) return s;
  s += `;${p.criticalRange || (p.critical !== undefined ? formatPerfNumber(p.critical) : '')}`;
  if (!hasMinimum && !hasMaximum) return s;
  s += `;${hasMinimum ? formatPerfNumber(p.minimum!) : ''}`;
  if (!hasMaximum) return s;
  return `${s};${formatPerfNumber(p.maximum!)}`;
}

/**
 * Renders perf items as NSClient++ does (`'load'=12%;80;90;0;100`, space-separated). With
 * `maxLength` (bytes, 0 = no limit) an item that would make the text longer is left out.
 */
export function renderPerfData(perf: readonly Perf[], maxLength = 0): string {
  let out = '';
  let outBytes = 0;
  for (let i = 0; i < perf.length; i++) {
    const p = perf[i]!;
    let item = `${i === 0 ? '' : ' '}'${p.alias}'=`;
    if (typeof p.value === 'number') item += renderFloat(p as FloatPerf);
    else if (typeof p.value === 'string') item += p.value;
    if (maxLength === 0) {
      out += item;
    } else {
      const bytes = Buffer.byteLength(item, 'utf8');
      if (outBytes + bytes <= maxLength) {
        out += item;
        outBytes += bytes;
      }
    }
  }
  return out;
}
