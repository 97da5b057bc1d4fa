// Runs tsc (strict, the fixture's tsconfig) on a type fixture, against the built packages, and reads
// its diagnostics. Shared by every package's type tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));

export interface TscResult {
  status: number | null;
  output: string;
  /** Each error tsc reported: the file (absolute), line and TS code. */
  errors: { file: string; line: number; code: string }[];
}

export function runTsc(tsconfig: string): TscResult {
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { cwd: dirname(tsconfig), encoding: 'utf8', timeout: 120_000 });
  const output = result.stdout + result.stderr;
  const errors = [...output.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+):/gm)].map((m) => ({
    file: resolve(dirname(tsconfig), m[1]!),
    line: Number(m[2]),
    code: m[3]!,
  }));
  return { status: result.status, output, errors };
}

/** The errors a must-fail fixture declares: each line ending in `// error TS2345` must fail with that code. As `line:code`. */
export function declaredErrors(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, index) => [...text.matchAll(/\/\/ error (TS\d+)\s*$/g)].map((m) => `${index + 1}:${m[1]}`));
}

/**
 * Runs tsc on a must-fail fixture and compares with its markers: `missing` marked errors that did
 * not occur, `unmarked` lines that failed without a marker, `elsewhere` errors in other files.
 */
export function markedFailures(tsconfig: string, file: string): { status: number | null; declared: string[]; missing: string[]; unmarked: number[]; elsewhere: string[] } {
  const declared = declaredErrors(file);
  const result = runTsc(tsconfig);
  const found = new Set(result.errors.map((e) => `${e.line}:${e.code}`));
  const failingLines = new Set(result.errors.filter((e) => e.file === file).map((e) => e.line));
  return {
    status: result.status,
    declared,
    missing: declared.filter((entry) => !found.has(entry)),
    unmarked: [...failingLines].filter((line) => !declared.some((entry) => entry.startsWith(`${line}:`))),
    elsewhere: result.errors.filter((e) => e.file !== file).map((e) => `${e.file}:${e.line} ${e.code}`),
  };
}
