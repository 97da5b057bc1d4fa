// NSClient++'s ini format as a document that keeps every line: comments, blank lines, order and
// keys nobody registered survive a load/save round trip. A parser that is a pure function of text.
import { SettingsParseError } from './errors.js';

/** One line of a settings file, as read. */
export type IniLine =
  | { kind: 'blank' | 'comment'; raw: string }
  | { kind: 'section'; raw: string; path: string }
  | { kind: 'entry'; raw: string; path: string; key: string; value: string };

/** A parsed settings file: its lines in order, and the end-of-line it used. */
export interface IniDocument {
  lines: IniLine[];
  eol: '\n' | '\r\n';
}

/**
 * Parses `text` (the contents of `file`, named in errors). Sections are `[/path]` (dots, slashes and
 * spaces allowed); entries are `key = value` with spaces allowed in the key; `;` and `#` start a
 * comment line. Anything else is a SettingsParseError with its line number and the reason.
 */
export function parseIni(text: string, file = '<settings>'): IniDocument {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rows = text.split(/\r?\n/);
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  if (rows.length > 0) rows[0] = rows[0]!.replace(/^\uFEFF/, '');
  const lines: IniLine[] = [];
  let path: string | undefined;
  rows.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return void lines.push({ kind: 'blank', raw });
    if (trimmed.startsWith(';') || trimmed.startsWith('#')) return void lines.push({ kind: 'comment', raw });
    if (trimmed.startsWith('[')) {
      if (!trimmed.endsWith(']')) throw new SettingsParseError(file, line, `section header without a closing ']': ${trimmed}`);
      const name = trimmed.slice(1, -1).trim();
      if (name === '') throw new SettingsParseError(file, line, 'empty section name');
      path = normalizePath(name);
      return void lines.push({ kind: 'section', raw, path });
    }
    const eq = raw.indexOf('=');
    if (eq < 0) throw new SettingsParseError(file, line, `expected 'key = value', a [section] or a comment, got: ${trimmed}`);
    const key = raw.slice(0, eq).trim();
    if (key === '') throw new SettingsParseError(file, line, `entry without a key: ${trimmed}`);
    if (path === undefined) throw new SettingsParseError(file, line, `key '${key}' before any [section]`);
    lines.push({ kind: 'entry', raw, path, key, value: unquote(raw.slice(eq + 1).trim()) });
  });
  return { lines, eol };
}

/** The document's text again: unchanged lines byte for byte, changed ones as `key = value`. */
export function serializeIni(doc: IniDocument): string {
  return doc.lines.length === 0 ? '' : doc.lines.map((l) => l.raw).join(doc.eol) + doc.eol;
}

/** `/settings/NRPE/server` for `settings/NRPE/server/` (one leading slash, none trailing). */
export function normalizePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** Sets `key` in section `path`: in place when it exists, else after the section's last entry (a new section at the end). */
export function setEntry(doc: IniDocument, path: string, key: string, value: string, comments: readonly string[] = []): void {
  const raw = `${key} = ${quoteIfNeeded(value)}`;
  // The last occurrence is the one reads see (a repeated key: the last wins), so that is the one replaced.
  const existing = doc.lines.findLastIndex((l) => l.kind === 'entry' && l.path === path && l.key === key);
  if (existing >= 0) {
    doc.lines[existing] = { kind: 'entry', raw, path, key, value };
    return;
  }
  const commentLines: IniLine[] = comments.map((c) => ({ kind: 'comment', raw: `; ${c}` }));
  const entry: IniLine = { kind: 'entry', raw, path, key, value };
  const at = sectionEnd(doc, path);
  if (at === undefined) {
    if (doc.lines.length > 0 && doc.lines[doc.lines.length - 1]!.kind !== 'blank') doc.lines.push({ kind: 'blank', raw: '' });
    doc.lines.push({ kind: 'section', raw: `[${path}]`, path }, ...commentLines, entry);
  } else {
    doc.lines.splice(at, 0, ...commentLines, entry);
  }
}

/** Adds an empty `[path]` section at the end when the document has none, with comment lines above it. */
export function ensureSection(doc: IniDocument, path: string, comments: readonly string[] = []): void {
  if (doc.lines.some((l) => l.kind === 'section' && l.path === path)) return;
  if (doc.lines.length > 0 && doc.lines[doc.lines.length - 1]!.kind !== 'blank') doc.lines.push({ kind: 'blank', raw: '' });
  doc.lines.push(...comments.map((c): IniLine => ({ kind: 'comment', raw: `; ${c}` })), { kind: 'section', raw: `[${path}]`, path });
}

/** Removes `key` from section `path`; false when it was not there. */
export function removeEntry(doc: IniDocument, path: string, key: string): boolean {
  const index = doc.lines.findIndex((l) => l.kind === 'entry' && l.path === path && l.key === key);
  if (index < 0) return false;
  doc.lines.splice(index, 1);
  return true;
}

/** Index just after the last entry of the last block of `path` (before trailing blanks and comments), or undefined. */
function sectionEnd(doc: IniDocument, path: string): number | undefined {
  let header: number | undefined;
  for (let i = doc.lines.length - 1; i >= 0; i--) {
    const l = doc.lines[i]!;
    if (l.kind === 'section' && l.path === path) {
      header = i;
      break;
    }
  }
  if (header === undefined) return undefined;
  let end = header + 1;
  for (let i = header + 1; i < doc.lines.length; i++) {
    const l = doc.lines[i]!;
    if (l.kind === 'section') break;
    if (l.kind === 'entry') end = i + 1;
  }
  return end;
}

function unquote(value: string): string {
  if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') return value.slice(1, -1);
  return value;
}

/** Values with leading or trailing spaces are written quoted, or a reload would lose the spaces. */
function quoteIfNeeded(value: string): string {
  return value !== value.trim() || (value.startsWith('"') && value.endsWith('"') && value.length >= 2) ? `"${value}"` : value;
}
