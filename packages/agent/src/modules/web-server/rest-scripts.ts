// NSClient++'s REST scripts API: `GET /api/v1/scripts` (the runtimes loaded),
// `GET /api/v1/scripts/<runtime>[?all=true]` (the active scripts, or every file of the runtime's
// folder) and `GET /api/v1/scripts/<runtime>/<script>` (a command's definition, or a file's text).
// Runtimes: `ext` (CheckExternalScripts), `py` (PythonScript) and poets's `ts` (TypeScript).
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
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

const SCRIPTS = '/settings/external scripts/scripts';

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** `name` (relative to `base`) as a path inside `inside`; undefined when it would be outside. */
function within(base: string, name: string, inside: string): string | undefined {
  const file = resolve(base, name.replace(/\\/g, '/'));
  return file.startsWith(resolve(inside) + sep) ? file : undefined;
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
    if (definition !== undefined) return text(res, 200, key === 'ext' ? definition : readFileSync(definition, 'utf8'));
    // A file, looked for below the scripts folder and then the base path, never outside them.
    for (const base of [agent.expand_path('${scripts}'), agent.expand_path('${base-path}')]) {
      const file = within(base, script, base);
      if (file !== undefined && statSync(file, { throwIfNoEntry: false })?.isFile() === true) return text(res, 200, readFileSync(file, 'utf8'));
    }
    sendJson(res, 404, { error: `no script ${script} in ${key}` });
  });

  /** CheckExternalScripts reloaded with the settings as they are now, so a new command runs (its running scripts are stopped). */
  const reloadExt = async (): Promise<void> => {
    const alias = agent.findPlugin('CheckExternalScripts')?.alias ?? 'CheckExternalScripts';
    await agent.unload_module(alias);
    await agent.load_module('CheckExternalScripts', alias);
    agent.settings.save();
  };
  /** The runtime and script of a PUT or DELETE, once the name, the grant and the runtime are fine. */
  const target = (req: IncomingMessage, res: ServerResponse, p: Record<string, string>, verb: 'add' | 'delete'): string | undefined => {
    const key = p['runtime'] ?? '';
    const script = p['rest'] ?? '';
    if (!safeScriptName(script)) return void sendJson(res, 400, { error: 'Invalid script name' });
    if (!web.holds(req, res, `scripts.${verb}.${RUNTIMES[key]?.module ?? key}`)) return undefined;
    if (key !== 'ext' || !loaded(key)) return void sendJson(res, 404, { error: `scripts are ${verb === 'add' ? 'added' : 'deleted'} for a loaded ext runtime only` });
    return script;
  };
  web.route('PUT', '/api/v1/scripts/:runtime/*', 'scripts', async (req, res, p) => {
    const script = target(req, res, p, 'add');
    if (script === undefined) {
      req.resume();
      return;
    }
    const file = within(agent.expand_path('${base-path}'), script, agent.expand_path('${scripts}'));
    if (file === undefined) return sendJson(res, 400, { error: `${script} is not below the scripts folder` });
    const body = await web.readBody(req, res);
    if (body === undefined) return;
    mkdirSync(dirname(file), { recursive: true });
    // Executable: CheckExternalScripts runs the file itself.
    writeFileSync(file, body, { mode: 0o755 });
    const name = basename(file, extname(file));
    agent.settings.set_string(SCRIPTS, name, relative(resolve(agent.expand_path('${scripts}')), file));
    await reloadExt();
    text(res, 200, `Added ${name} as ${script}`);
  });
  web.route('DELETE', '/api/v1/scripts/:runtime/*', 'scripts', async (req, res, p) => {
    const script = target(req, res, p, 'delete');
    if (script === undefined) return;
    const definition = active('ext').get(script);
    if (definition !== undefined) {
      if (!agent.settings.remove(SCRIPTS, script)) return sendJson(res, 409, { error: `${script} is defined in its own section: remove it through the settings API` });
      await reloadExt();
      return text(res, 200, `Script definition has been removed don't forget to delete any artifact for: ${definition}`);
    }
    const file = within(agent.expand_path('${base-path}'), script, agent.expand_path('${scripts}'));
    if (file === undefined || statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return sendJson(res, 404, { error: `Script not found: ${script}` });
    unlinkSync(file);
    text(res, 200, 'Script file was removed');
  });
}
