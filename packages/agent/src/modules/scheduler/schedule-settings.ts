// `[/settings/scheduler/schedules]` read into schedules: the short form (`alias = command args`),
// one section per schedule, and the template `schedules/default` (channel NSCA, interval 5m,
// report all, as NSClient++) that every schedule inherits through `parent`. Pure functions of the
// settings: nothing runs here.
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { SettingsStore } from '../../settings.js';
import type { StatusCode } from '../../status.js';
import { splitCommandLine } from '../external-scripts/command-line.js';
import { isTrue, objectKey, settingsObjects } from '../settings-objects.js';

export const SCHEDULER_ROOT = '/settings/scheduler';
export const SCHEDULES = `${SCHEDULER_ROOT}/schedules`;

/** One schedule as configured. */
export interface Schedule {
  /** The schedule's name: also the command name its results are submitted under, as NSClient++ does. */
  alias: string;
  command: string;
  arguments: string[];
  /** Channel(s) results go to (comma-separated, as the core splits them). */
  channel: string;
  /** Seconds between runs; undefined for a cron schedule. */
  interval: number | undefined;
  /** A cron expression (5 fields, or 6 with seconds first); undefined for an interval. */
  cron: string | undefined;
  /** The statuses that are submitted (others are run and dropped). */
  report: ReadonlySet<StatusCode>;
  /** Each run starts up to this fraction of the interval late (0 = on time): spreads many agents' load. */
  randomness: number;
  /** Run once as soon as the module loads, not one interval later. */
  runOnStartup: boolean;
  target: string;
  source: string;
}

const KEYS = new Set(['alias', 'command', 'interval', 'schedule', 'channel', 'target', 'source', 'report', 'randomness', 'run on startup', 'parent', 'is template']);
const UNITS: Record<string, number> = { '': 1, s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86400, w: 604800, ms: 0.001 };
const REPORT_WORDS: Record<string, StatusCode[]> = { all: [0, 1, 2, 3], ok: [0], warning: [1], warn: [1], critical: [2], crit: [2], unknown: [3] };

/** `30`, `30s`, `5m`, `1h`, `1.5s`, `500ms`: seconds; throws for anything else or for 0. */
export function parseInterval(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`interval: ${text} is not a duration (e.g. 30s, 5m, 1h)`);
  const seconds = Number(m[1]) * unit;
  if (seconds <= 0) throw new Error(`interval: ${text}: a schedule needs an interval above 0`);
  return seconds;
}

/** `all`, or a comma list of `ok`, `warning`, `critical`, `unknown`. */
export function parseReport(text: string): Set<StatusCode> {
  const out = new Set<StatusCode>();
  for (const word of text.split(/[\s,|]+/).filter((w) => w !== '')) {
    const codes = REPORT_WORDS[word.toLowerCase()];
    if (codes === undefined) throw new Error(`report: ${word} is not one of all, ok, warning, critical, unknown`);
    for (const c of codes) out.add(c);
  }
  if (out.size === 0) throw new Error('report: empty (use all, or e.g. warning,critical)');
  return out;
}

/** `10%` or `0.1`: a fraction of the interval in [0, 1]. */
export function parseRandomness(text: string): number {
  const t = text.trim();
  if (t === '') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(t);
  const value = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw new Error(`randomness: ${text} is not a share of the interval (e.g. 10%)`);
  return value;
}

/** The cron timezone from `[/settings/scheduler] timezone`: local (undefined), UTC, or an IANA name. */
export function cronTimezone(text: string): string | undefined {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'local') return undefined;
  if (['utc', 'gmt'].includes(t.toLowerCase())) return 'UTC';
  return t;
}

/** A cron expression parsed from `from`; throws with cron-parser's reason. */
export function parseCron(expression: string, from: Date, tz?: string): CronExpression {
  return CronExpressionParser.parse(expression, { currentDate: from, ...(tz !== undefined ? { tz } : {}) });
}

/**
 * Every schedule the settings define. One that cannot run (no command, a bad interval, cron or
 * report, both interval and schedule in its own section) is reported through `onError` and left
 * out; the others are kept.
 */
export function readSchedules(settings: SettingsStore, onError: (message: string) => void, onWarning: (message: string) => void = onError): Schedule[] {
  const out: Schedule[] = [];
  const get = (name: string, key: string, fallback: string) => objectKey(settings, SCHEDULES, name, key) ?? fallback;
  for (const o of settingsObjects(settings, SCHEDULES, 'command', KEYS, onWarning)) {
    const where = `${SCHEDULES}/${o.name}`;
    try {
      const [command = '', ...args] = splitCommandLine(o.value);
      if (command === '') throw new Error('no command');
      const own = (key: string) => (o.section ? settings.get(where, key) : undefined);
      const cronText = own('schedule') ?? (own('interval') === undefined ? objectKey(settings, SCHEDULES, o.name, 'schedule') : undefined);
      if (own('schedule') !== undefined && own('interval') !== undefined) throw new Error('both interval and schedule are set; use one');
      const cron = cronText !== undefined && cronText.trim() !== '' ? cronText.trim() : undefined;
      if (cron !== undefined) parseCron(cron, new Date(), cronTimezone(settings.get_string(SCHEDULER_ROOT, 'timezone', 'local')));
      const schedule: Schedule = {
        alias: o.section ? (own('alias')?.trim() || o.name) : o.name,
        command,
        arguments: args,
        channel: get(o.name, 'channel', 'NSCA').trim(),
        interval: cron === undefined ? parseInterval(get(o.name, 'interval', '5m')) : undefined,
        cron,
        report: parseReport(get(o.name, 'report', 'all')),
        randomness: parseRandomness(get(o.name, 'randomness', '')),
        runOnStartup: isTrue(get(o.name, 'run on startup', 'false')),
        target: get(o.name, 'target', '').trim(),
        source: get(o.name, 'source', '').trim(),
      };
      out.push(schedule);
    } catch (error) {
      onError(`${where}: ${error instanceof Error ? error.message : String(error)}; schedule not added`);
    }
  }
  return out;
}
