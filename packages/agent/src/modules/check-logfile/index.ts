// CheckLogFile: the check_logfile query (a file's lines through the filter engine) and real-time
// filters, [/settings/logfile/real-time/checks/<name>], each a FollowTail wheel in the module's
// session whose matching lines are submitted on the filter's target channel.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ARG0, FollowTail, type Kernel } from '@poets/kernel';
import { FilterError } from '../../errors.js';
import { runIn, type ModuleDefinition, type Plugin } from '../../plugin.js';
import { status, type StatusCode } from '../../status.js';
import { evaluate, parseExpression, type KeywordTable } from '../filter/expression.js';
import { renderSyntax, runCheck, keywordText, type CheckDefinition } from '../filter/check.js';

/** One line of a log file, split into columns. */
export interface LogLine { file: string; line: string; columns: string[] }

const MAX_COLUMNS = 32;
const keywords: KeywordTable<LogLine> = Object.fromEntries([
  ['line', { kind: 'string', description: 'the whole line', value: (l: LogLine) => l.line }],
  ['file', { kind: 'string', description: 'the file', value: (l: LogLine) => l.file }],
  ['filename', { kind: 'string', description: 'the file', value: (l: LogLine) => l.file }],
  ...Array.from({ length: MAX_COLUMNS }, (_, i) => [`column${i + 1}`, { kind: 'string', description: `column ${i + 1}`, value: (l: LogLine) => l.columns[i] ?? '' }]),
]);

export const logfileCheck: CheckDefinition<LogLine> = {
  command: 'check_logfile',
  keywords,
  itemName: (l) => l.file,
  defaults: { top: '${status}: ${count}/${total} (${problem_list})', ok: '%(status): All %(count) row(s) are ok.', detail: '${column1}', empty: '%(status): No entries found', emptyState: status.OK },
  options: { file: undefined, files: undefined, 'column-split': '\\t', 'line-split': '\\n' },
};

const unescape = (s: string): string => s.replaceAll('\\t', '\t').replaceAll('\\n', '\n');

function linesOf(file: string, text: string, columnSplit: string): LogLine[] {
  return text.split('\n').filter((l) => l !== '').map((line) => ({ file, line, columns: line.split(columnSplit).slice(0, MAX_COLUMNS) }));
}

/** The check_logfile query's items: every line of every file= (a missing file is refused by name). */
export function logfileItems(options: ReadonlyMap<string, readonly string[]>): LogLine[] {
  const files = [...(options.get('file') ?? []), ...(options.get('files') ?? []).flatMap((f) => f.split(','))].map((f) => f.trim()).filter(Boolean);
  if (files.length === 0) throw new FilterError('check_logfile: no file given (file=PATH)');
  const split = unescape(options.get('column-split')?.at(-1) ?? '\t');
  return files.flatMap((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (error) {
      throw new FilterError(`check_logfile: cannot read ${f}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    return linesOf(f, text, split);
  });
}

const SEVERITIES: Record<string, StatusCode> = { ok: 0, warning: 1, critical: 2, unknown: 3 };
const REALTIME_KEYS = ['file', 'files', 'filter', 'target', 'destination', 'detail syntax', 'maximum age', 'severity', 'command', 'alias', 'column split', 'empty message', 'ok syntax', 'top syntax', 'log', 'debug', 'silent period'];

/** `5m`, `30s`, `false`: seconds, or undefined for none. */
function parseAge(text: string): number | undefined {
  if (['false', 'none', '0', ''].includes(text.trim().toLowerCase())) return undefined;
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) throw new FilterError(`maximum age: '${text}' is not a time such as 30s, 5m or false`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
}

interface RealTimeFilter { name: string; file: string; filter: ReturnType<typeof parseExpression> | undefined; target: string; detail: string; command: string; severity: StatusCode; maxAge: number | undefined; emptyMessage: string; split: string }

function readFilter(plugin: Plugin, root: string, name: string): RealTimeFilter {
  const path = `${root}/${name}`;
  const get = (key: string, dflt: string): string => plugin.settings.get_string(path, key, dflt);
  for (const key of plugin.settings.get_section(path)) {
    if (!REALTIME_KEYS.includes(key)) throw new FilterError(`${path}: unknown key '${key}' (known: ${REALTIME_KEYS.join(', ')})`);
  }
  const file = get('file', get('files', ''));
  if (file === '') throw new FilterError(`${path}: no file`);
  const filterText = get('filter', '');
  const sev = get('severity', 'warning').toLowerCase();
  if (SEVERITIES[sev] === undefined) throw new FilterError(`${path}: severity '${sev}' is not ok, warning, critical or unknown`);
  const detail = get('detail syntax', '${line}');
  return {
    name,
    file,
    filter: filterText === '' ? undefined : parseExpression(filterText, keywords),
    target: get('target', get('destination', 'NSCA')),
    detail,
    command: get('command', get('alias', name)),
    severity: SEVERITIES[sev]!,
    maxAge: parseAge(get('maximum age', '5m')),
    emptyMessage: get('empty message', 'eventlog found no records'),
    split: unescape(get('column split', '\\t')),
  };
}

/** One FollowTail per real-time filter; matches submitted on its target, resets and deletions logged with the reason. */
function startRealTime(plugin: Plugin): () => void {
  const root = '/settings/logfile/real-time/checks';
  const enabled = plugin.settings.get_bool('/settings/logfile/real-time', 'enabled', true);
  const kernel: Kernel = plugin.kernel;
  const wheels: FollowTail[] = [];
  if (!enabled) return () => undefined;
  const names = plugin.agent.settings.get_subsections(root).map((p) => p.slice(root.length + 1));
  for (const name of names) {
    let f: RealTimeFilter;
    try {
      f = readFilter(plugin, root, name);
    } catch (error) {
      plugin.logger.log('error', `real-time filter ${name} refused: ${(error as Error).message}`);
      continue;
    }
    let inode = existsSync(f.file) ? statSync(f.file).ino : undefined;
    let missingLogged = false;
    const ev = (kind: string): string => `${kind}_${name}`;
    const submit = (result: StatusCode, message: string): void => {
      void plugin.agent.submit(f.target, [{ command: f.command, result, message, perf: '', source: '' }]).then((r) => {
        if (!r.success) plugin.logger.log('warning', `real-time filter ${name}: submission to ${f.target} failed: ${r.message}`);
      });
    };
    runIn(kernel, plugin.session, () => {
      kernel.state(ev('line'), (_: unknown[]) => {
        const text = String(_[ARG0]);
        const line: LogLine = { file: f.file, line: text, columns: text.split(f.split).slice(0, MAX_COLUMNS) };
        if (f.filter !== undefined && !evaluate(f.filter, keywords, line)) return;
        const message = renderSyntax(f.detail, (key) => (keywords[key] === undefined ? undefined : keywordText(keywords[key]!, line)));
        submit(f.severity, message);
        // delay() replaces the pending one: the OK comes `maximum age` after the last match.
        if (f.maxAge !== undefined) kernel.delay(ev('age'), f.maxAge);
      });
      kernel.state(ev('age'), () => {
        submit(status.OK, f.emptyMessage);
      });
      kernel.state(ev('reset'), () => {
        let now: number | undefined;
        try { now = statSync(f.file).ino; } catch { now = undefined; }
        const reason = now !== inode ? (inode === undefined ? 'appeared' : 'rotated or replaced (new inode)') : 'truncated';
        plugin.logger.log('warning', `real-time filter ${name}: ${f.file} ${reason}; reading it from its beginning`);
        inode = now;
        missingLogged = false;
      });
      kernel.state(ev('idle'), () => {
        const there = existsSync(f.file);
        if (!there && !missingLogged) {
          missingLogged = true;
          plugin.logger.log('warning', `real-time filter ${name}: ${f.file} deleted or missing; waiting for it to come back`);
        }
      });
      kernel.state(ev('error'), (_: unknown[]) => plugin.logger.log('error', `real-time filter ${name}: ${String(_[ARG0])} ${f.file}: ${String(_[ARG0 + 2])}`));
      wheels.push(new FollowTail({ Filename: f.file, PollInterval: 0.2, SeekBack: 0, InputEvent: ev('line'), ResetEvent: ev('reset'), IdleEvent: ev('idle'), ErrorEvent: ev('error') }));
    });
    plugin.logger.log('info', `real-time filter ${name}: following ${f.file}, matches to ${f.target}`);
  }
  return () => runIn(kernel, plugin.session, () => {
    for (const w of wheels.splice(0)) w.destroy();
    kernel.alarm_remove_all();
  });
}

/** CheckLogFile: check_logfile and real-time log filters. */
export const checkLogFileModule: ModuleDefinition = {
  name: 'CheckLogFile',
  description: 'Log file checks and real-time log filters (FollowTail)',
  load(plugin) {
    const refused = (reason: string): void => plugin.logger.log('warning', `check_logfile refused: ${reason}`);
    plugin.agent.registerQuery(plugin, 'check_logfile', (q) => runCheck(logfileCheck, q.arguments, logfileItems, refused), 'lines of log files');
    return { unload: startRealTime(plugin) };
  },
};
