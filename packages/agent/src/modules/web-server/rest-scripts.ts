// NSClient++'s REST scripts API, read-only: `GET /api/v1/scripts` (the runtimes loaded),
// `GET /api/v1/scripts/<runtime>[?all=true]` (the active scripts, or every file of the runtime's
// folder) and `GET /api/v1/scripts/<runtime>/<script>` (a command's definition, or a file's text).
// Runtimes: `ext` (CheckExternalScripts), `py` (PythonScript) and poets's `ts` (TypeScript).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Agent } from '../../agent.js';
import { scriptHostOf } from '../../script-host.js';
import type { CheckExternalScripts } from '../external-scripts/external-scripts.js';
import { sendJson, type WEBServer } from './web-server.js';

/** Runtime key → module, as NSClient++ names them; `folder` is where its scripts live below `${scripts}` ('' for all of it). */
const RUNTIMES: Record<string, { module: string; folder: string }> = {
  ext: { module: 'CheckExternalScripts', folder: '' },
  py: { module: 'PythonScript', folder: 'python' },
  ts: { module: 'TypeScript', folder: 'typescript' },
};
/** Files listed at most, and folders deep, for `?all=true` (a huge or looping tree is cut there). */
const MAX_FILES = 10_000;
const MAX_DEPTH = 16;

/** NSClient++'s rule for a script name: relative, no `..`, no empty or control characters. */
export function safeScriptName(name: string): boolean {
  if (name === '' || name.length > 1024 || /[\0-\x1f]/.test(name) || /^([/\\]|[a-zA-Z]:)/.test(name)) return false;
  return !name.split(/[/\\]/).some((part) => part === '..');
}

/** Every file below `dir` (skipping folders named like `lib`, as NSClient++ does), relative to `base`. */
function listFiles(dir: string, base: string): string[] {
  const out: string[] = [];
  const walk = (at: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(at).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= MAX_FILES) return;
      const path = join(at, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory() === true) {
        if (depth < MAX_DEPTH) walk(path, depth + 1);
      } else if (stat?.isFile() === true && !relative(dir, at).split(sep).some((p) => p.includes('lib'))) {
        out.push(relative(base, path));
      }
    }
  };
  walk(dir, 0);
  return out;
}

export function mountScriptsApi(web: WEBServer, agent: Agent): void {
  const loaded = (key: string): boolean => {
    const runtime = RUNTIMES[key];
    return runtime !== undefined && agent.findPlugin(runtime.module) !== undefined;
  };
  const root = (key: string): string => resolve(agent.expand_path('${scripts}'), RUNTIMES[key]?.folder ?? '');
  /** The active scripts of a runtime: the commands of CheckExternalScripts, the loaded scripts of a script host. */
  const active = (key: string): Map<string, string> => {
    const module = RUNTIMES[key]?.module ?? '';
    if (key === 'ext') {
      const ext = agent.findPlugin(module)?.instance as CheckExternalScripts | undefined;
      return new Map((ext?.scripts ?? []).map((s) => [s.name, s.command]));
    }
    return new Map((scriptHostOf(agent, module)?.scripts() ?? []).map((s) => [s.alias, s.file]));
  };

  web.route('GET', '/api/v1/scripts', 'scripts.list.runtimes', (_req, res) => {
    sendJson(
      res,
      200,
      Object.entries(RUNTIMES)
        .filter(([key]) => loaded(key))
        .map(([name, r]) => ({ name, module: r.module, title: r.module, runtime_url: `/api/v1/scripts/${name}` })),
    );
  });
  web.route('GET', '/api/v1/scripts/:runtime', 'scripts', (req, res, p, url) => {
    const key = p['runtime'] ?? '';
    if (!web.holds(req, res, `scripts.lists.${RUNTIMES[key]?.module ?? key}`)) return;
    if (!loaded(key)) return sendJson(res, 404, { error: `no runtime ${key} loaded` });
    if (url.searchParams.get('all') !== 'true') return sendJson(res, 200, [...active(key).keys()]);
    sendJson(res, 200, listFiles(root(key), agent.expand_path('${base-path}')));
  });
  web.route('GET', '/api/v1/scripts/:runtime/*', 'scripts', (req, res, p) => {
    const key = p['runtime'] ?? '';
    const script = p['rest'] ?? '';
    if (!safeScriptName(script)) return sendJson(res, 400, { error: 'Invalid script name' });
    if (!web.holds(req, res, `scripts.get.${RUNTIMES[key]?.module ?? key}`)) return;
    if (!loaded(key)) return sendJson(res, 404, { error: `no runtime ${key} loaded` });
    const definition = active(key).get(script);
    const text = (body: string): void => void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
    if (definition !== undefined) return text(key === 'ext' ? definition : readFileSync(definition, 'utf8'));
    // A file, looked for below the scripts folder and then the base path, never outside them.
    for (const base of [agent.expand_path('${scripts}'), agent.expand_path('${base-path}')]) {
      const file = resolve(base, script.replace(/\\/g, '/'));
      if (!file.startsWith(resolve(base) + sep)) continue;
      if (statSync(file, { throwIfNoEntry: false })?.isFile() === true) return text(readFileSync(file, 'utf8'));
    }
    sendJson(res, 404, { error: `no script ${script} in ${key}` });
  });
}
