// NSClient++'s REST logs API on the agent's log ring: `GET /api/v1/logs[?page&per_page&level]`,
// `GET /api/v1/logs/since?since=<index>`, `GET|DELETE /api/v1/logs/status`, `POST /api/v1/logs`,
// `DELETE /api/v1/logs`. Entries are `{file, line, level, date, message}` as NSClient++'s; the
// ring is shared with the status page, so "delete" hides the lines up to now instead of dropping them.
import type { ServerResponse } from 'node:http';
import type { LogLevel } from '@poets/kernel';
import type { LogLine, LogRing } from '../status-page/log-ring.js';
import { sendJson, type WEBServer } from './web-server.js';

/** Our levels under NSClient++'s names (it has critical and no notice). */
const LEVEL_NAME: Record<LogLevel, string> = { error: 'error', warning: 'warning', notice: 'info', info: 'info', debug: 'debug' };
const LEVEL_OF: Record<string, LogLevel> = { critical: 'error', error: 'error', warning: 'warning', info: 'info', debug: 'debug', trace: 'debug' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** NSClient++'s date of a log line (boost's simple string, local time): `2017-Nov-08 22:06:46`. */
export function logDate(time: number): string {
  const d = new Date(time);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${MONTHS[d.getMonth()]}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function entry(line: LogLine): unknown {
  return { file: line.component, line: 0, level: LEVEL_NAME[line.level], date: logDate(line.time), message: line.message };
}

function positive(text: string | null, fallback: number): number {
  const n = Number(text ?? '');
  return text !== null && Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** Mounts the routes; returns what stops counting errors. A line POSTed is logged to the ring, its `file` as the component. */
export function mountLogsApi(web: WEBServer, ring: LogRing): () => void {
  /** Lines at or below this index were deleted through the API. */
  let hiddenTo = 0;
  let errors = 0;
  let lastError = '';
  const stop = ring.onLine((line) => {
    if (line.level !== 'error') return;
    errors++;
    lastError = line.message;
  });
  const visible = (): LogLine[] => ring.recent().filter((l) => l.index > hiddenTo);

  /** One page of `lines` with NSClient++'s paging headers; per_page outside 2-500 is a 400 as there. */
  const page = (res: ServerResponse, url: URL, lines: LogLine[], tail: string): void => {
    const number = Math.max(1, positive(url.searchParams.get('page'), 1));
    const perPage = positive(url.searchParams.get('per_page'), 10);
    if (perPage < 2 || perPage > 500) return sendJson(res, 400, { error: `per_page ${perPage} is outside 2-500` });
    const count = lines.length;
    const base = `${url.pathname}?page=`;
    const rest = `&per_page=${perPage}${tail}`;
    const next = number * perPage < count ? `<${base}${number + 1}${rest}>; rel="next", ` : '';
    res.setHeader('link', `${next}<${base}${Math.floor(count / perPage) + 1}${rest}>; rel="last"`);
    res.setHeader('x-pagination-count', String(count));
    res.setHeader('x-pagination-page', String(number));
    res.setHeader('x-pagination-limit', String(perPage));
    const shown = lines.slice((number - 1) * perPage, number * perPage);
    if (url.pathname.endsWith('/since')) res.setHeader('x-log-index', String(shown.at(-1)?.index ?? positive(url.searchParams.get('since'), 0)));
    sendJson(res, 200, shown.map(entry));
  };

  web.route('GET', '/api/v1/logs', 'logs.list', (_req, res, _p, url) => {
    const levels = (url.searchParams.get('level') ?? '').split(',').filter((l) => l !== '');
    const lines = levels.length === 0 ? visible() : visible().filter((l) => levels.includes(LEVEL_NAME[l.level]));
    page(res, url, lines, levels.length === 0 ? '' : `&level=${levels.join(',')}`);
  });
  web.route('GET', '/api/v1/logs/since', 'logs.list', (_req, res, _p, url) => {
    const since = positive(url.searchParams.get('since'), 0);
    page(res, url, visible().filter((l) => l.index > since), `&since=${since}`);
  });
  web.route('GET', '/api/v1/logs/status', 'logs.list', (_req, res) => sendJson(res, 200, { errors, last_error: lastError }));
  web.route('DELETE', '/api/v1/logs/status', 'logs.list', (_req, res) => {
    errors = 0;
    lastError = '';
    sendJson(res, 200, { errors, last_error: lastError });
  });
  web.route('DELETE', '/api/v1/logs', 'logs.delete', (_req, res) => {
    hiddenTo = ring.recent().at(-1)?.index ?? hiddenTo;
    errors = 0;
    lastError = '';
    sendJson(res, 200, { count: 0 });
  });
  web.route('POST', '/api/v1/logs', 'logs.put', async (req, res) => {
    const body = await web.readJson(req, res);
    if (body === undefined) return;
    const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const text = (key: string, fallback: string): string => (typeof o[key] === 'string' ? (o[key] as string) : fallback);
    const level = LEVEL_OF[text('level', 'error').toLowerCase()];
    if (level === undefined) return sendJson(res, 400, { error: `unknown level ${text('level', '')}` });
    ring.log(level, text('message', 'no message'), { component: text('file', 'REST') });
    sendJson(res, 200, '');
  });
  return stop;
}
