// Loads a TypeScript or JavaScript script as a fresh module instance: TypeScript's own
// transpileModule turns it into CommonJS, node:vm compiles it under its file name, and its
// `import ... from '@poets/agent'` receives the API bound to that script. Each load is a new
// instance, so one file loaded under several aliases keeps separate state, as in NSClient++.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import type TypeScript from 'typescript';
import { ScriptError } from './errors.js';

/** The functions a script may export, each optional. */
export interface ScriptExports {
  init?: (plugin_id: number, plugin_alias: string, script_alias: string) => unknown;
  shutdown?: () => unknown;
  __main__?: (args: string[]) => unknown;
  [name: string]: unknown;
}

/** The file extensions the host loads. */
export const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

// TypeScript is loaded on first use: it is large (seconds on a busy machine), and an agent with no
// scripts, or a `settings` command, never needs it.
let typescript: typeof TypeScript | undefined;
let compilerOptions: TypeScript.CompilerOptions | undefined;

function compiler(): { ts: typeof TypeScript; options: TypeScript.CompilerOptions } {
  if (typescript === undefined) {
    typescript = createRequire(import.meta.url)('typescript') as typeof TypeScript;
    compilerOptions = {
      module: typescript.ModuleKind.CommonJS,
      target: typescript.ScriptTarget.ES2022,
      esModuleInterop: true,
      verbatimModuleSyntax: false,
    };
  }
  return { ts: typescript, options: compilerOptions! };
}

/** Transpiles `source` to CommonJS; a syntax error is a ScriptError naming file, line and column. */
export function transpileScript(file: string, source: string): string {
  // .mts/.mjs (and .cts/.cjs) would pin the output's module format; a plain extension lets CommonJS win.
  const fileName = file.replace(/\.[mc]?([tj])s$/, '.$1s');
  const { ts, options } = compiler();
  const out = ts.transpileModule(source, { compilerOptions: options, fileName, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const d = errors[0]!;
    const where = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const position = where === undefined ? '' : `:${where.line + 1}:${where.character + 1}`;
    throw new ScriptError(file, `Syntax error in ${file}${position}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }
  return out.outputText;
}

const cache = new Map<string, { mtimeMs: number; size: number; code: string }>();

/** The file's CommonJS, transpiled again only when its modification time or size changed (reloads, one file under several aliases). */
function transpiled(file: string): string {
  const { mtimeMs, size } = statSync(file);
  const hit = cache.get(file);
  if (hit !== undefined && hit.mtimeMs === mtimeMs && hit.size === size) return hit.code;
  const code = transpileScript(file, readFileSync(file, 'utf8'));
  cache.set(file, { mtimeMs, size, code });
  return code;
}

/**
 * Loads `file` as a new module instance whose `@poets/agent` is `api`. Relative imports of other
 * TypeScript files load the same way (one instance per script load); anything else is Node's require.
 */
export function loadScript(file: string, api: object): ScriptExports {
  return instantiate(resolve(file), api, new Map()) as ScriptExports;
}

function instantiate(file: string, api: object, instances: Map<string, { exports: unknown }>): unknown {
  const cached = instances.get(file);
  if (cached !== undefined) return cached.exports;
  if (!existsSync(file) || !statSync(file).isFile()) throw new ScriptError(file, `Script not found: ${file}`);
  const code = transpiled(file);
  let fn: (...args: unknown[]) => unknown;
  try {
    fn = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file }) as typeof fn;
  } catch (error) {
    throw new ScriptError(file, `Syntax error in ${file}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const module = { exports: {} as unknown };
  instances.set(file, module);
  const nodeRequire = createRequire(file);
  const requireFromScript = (id: string): unknown => {
    if (id === '@poets/agent') return api;
    const local = id.startsWith('.') ? localTypeScript(dirname(file), id) : undefined;
    return local === undefined ? nodeRequire(id) : instantiate(local, api, instances);
  };
  try {
    fn(module.exports, requireFromScript, module, file, dirname(file));
  } catch (error) {
    instances.delete(file);
    throw new ScriptError(file, `Failed to load ${file}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  return module.exports;
}

/** A relative import that names a TypeScript file (`./util`, `./util.js` for `util.ts`), else undefined. */
function localTypeScript(dir: string, id: string): string | undefined {
  const base = resolve(dir, id);
  const ext = extname(base);
  const candidates = ext === '' ? [`${base}.ts`, `${base}.mts`, `${base}.cts`] : ext === '.js' ? [base.slice(0, -3) + '.ts'] : ['.ts', '.mts', '.cts'].includes(ext) ? [base] : [];
  return candidates.find((c) => existsSync(c));
}
