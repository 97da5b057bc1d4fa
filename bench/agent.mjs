// @poets/agent: simple_query of a script-registered check and simple_submit to a channel with one
// subscriber, each beside a bare function call in the same run; the raw (protobuf) query beside
// the simple one; start-up of an agent with 50 scripts (beside Node importing 50 equivalent ES
// modules) and the memory each loaded script holds. Needs node --expose-gc for the memory figure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kernel, silentLogger } from '@poets/kernel';
import { Agent, Core, SettingsStore } from '@poets/agent';
import { compare, fmt, median, report, RUNS, seconds } from './lib.mjs';

const N = 1_000_000;
const SCRIPTS = 50;
let sink = 0;

const CHECK = `import { Registry, status } from '@poets/agent';
export function init(plugin_id: number, _plugin_alias: string, script_alias: string) {
  const reg = Registry.get(plugin_id);
  reg.simple_function('check_' + script_alias, (_args: string[]) => [status.OK, 'ok', "'n'=1"], 'bench');
  reg.simple_subscription('bench_' + script_alias, () => true);
}
`;
/** The same check as a bare function, for the baseline. */
const bareCheck = (_args) => [0, 'ok', "'n'=1"];
const bareSubscriber = (_channel, _source, _command, _code, _message, _perf) => true;

const dirs = [];

function scriptsDir(count) {
  const dir = mkdtempSync(join(tmpdir(), 'poets-agent-bench-'));
  dirs.push(dir);
  const lines = [];
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `s${i}.ts`), CHECK);
    writeFileSync(join(dir, `s${i}.mjs`), `export function init(id, p, s) { globalThis.__benchChecks = (globalThis.__benchChecks ?? 0) + 1; return [id, p, s, () => [0, 'ok', "'n'=1"]]; }\n`);
    lines.push(`s${i} = s${i}.ts`);
  }
  writeFileSync(join(dir, 'nsclient.ini'), `[/modules]\nTypeScript = enabled\n\n[/settings/typescript/scripts]\n${lines.join('\n')}\n`);
  return dir;
}

async function startedAgent(dir) {
  const agent = new Agent({ kernel: new Kernel({ logger: silentLogger }), logger: silentLogger, settings: SettingsStore.load(join(dir, 'nsclient.ini')), metricsInterval: 0 });
  await agent.start();
  return agent;
}

function heapUsed() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

export async function run() {
  try {
    return await measure();
  } finally {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

async function measure() {
  const one = scriptsDir(1);
  const agent = await startedAgent(one);
  const core = new Core({ agent, registrant: agent.findPlugin('typescript'), logger: silentLogger });

  const query = await compare(
    N,
    async () => {
      for (let i = 0; i < N; i++) sink += (await core.simple_query('check_s0', []))[0];
    },
    () => {
      for (let i = 0; i < N; i++) sink += bareCheck([])[0];
    },
  );
  const queryRatio = report('simple_query (1M, script check)', 'q/s', query, undefined, 'bare function call');
  console.log(`${''.padEnd(34)} simple_query ${query.ours >= 1e6 ? 'ok' : 'BELOW'} (target ≥ 1M/s)`);

  const awaited = await compare(
    N,
    async () => {
      for (let i = 0; i < N; i++) sink += (await core.simple_query('check_s0', []))[0];
    },
    async () => {
      for (let i = 0; i < N; i++) sink += (await Promise.resolve(bareCheck([])))[0];
    },
  );
  report('simple_query (1M, script check)', 'q/s', awaited, undefined, 'awaited bare function call');

  const submit = await compare(
    N,
    async () => {
      for (let i = 0; i < N; i++) sink += (await core.simple_submit('bench_s0', 'check_x', 0, 'ok', '')).length;
    },
    async () => {
      for (let i = 0; i < N; i++) sink += (await Promise.resolve(bareSubscriber('bench_s0', '', 'check_x', 0, 'ok', ''))) ? 1 : 0;
    },
  );
  report('simple_submit (1M, 1 subscriber)', 'sub/s', submit, undefined, 'awaited bare function call');
  console.log(`${''.padEnd(34)} simple_submit ${submit.ours >= 1e6 ? 'ok' : 'BELOW'} (target ≥ 1M/s)`);

  await rawQuery(core);
  await agent.stop();

  // Start-up: time to ready with 50 scripts. The first start in the process loads TypeScript and
  // transpiles every script (cold); later starts reuse the transpiled output of unchanged files.
  const many = scriptsDir(SCRIPTS);
  const first = await seconds(async () => (await startedAgent(many)).stop());
  let importRun = 0;
  const startup = [];
  const imports = [];
  for (let i = 0; i < RUNS; i++) {
    startup.push(await seconds(async () => (await startedAgent(many)).stop()));
    const run = importRun++;
    imports.push(
      await seconds(async () => {
        for (let s = 0; s < SCRIPTS; s++) (await import(`${pathToFileURL(join(many, `s${s}.mjs`)).href}?run=${run}`)).init(s, 'typescript', `s${s}`);
      }),
    );
  }
  const ms = (x) => `${(x * 1000).toFixed(1)} ms`;
  console.log(
    `${'start-up, 50 scripts (warm)'.padEnd(34)} ${ms(median(startup)).padStart(8)}      ${'node import() of 50 .mjs'.padEnd(28)} ${ms(median(imports)).padStart(8)}      ratio ${((median(imports) / median(startup)) * 100).toFixed(1)}%; cold first start (loads TypeScript, transpiles 50) ${ms(first)}`,
  );

  if (typeof globalThis.gc !== 'function') {
    console.log('memory per loaded script: run with node --expose-gc');
    return queryRatio;
  }
  const perScript = [];
  for (let i = 0; i < RUNS; i++) {
    const empty = scriptsDir(0);
    const base = await startedAgent(empty);
    const before = heapUsed();
    const loaded = await startedAgent(many);
    const bytes = (heapUsed() - before) / SCRIPTS;
    perScript.push(bytes);
    await loaded.stop();
    await base.stop();
  }
  console.log(`${'memory per loaded script (50)'.padEnd(34)} ${(median(perScript) / 1024).toFixed(1).padStart(8)} KiB    (agent and TypeScript already loaded; heap after gc)`);
  return queryRatio;
}

async function rawQuery(core) {
  if (typeof core.query !== 'function') {
    console.log(`${'raw query (protobuf)'.padEnd(34)} not built (no raw calls in this build)`);
    return;
  }
  const { queryRequestToWire, queryResponseFromWire } = await import('@poets/agent');
  const request = queryRequestToWire({ payload: [{ command: 'check_s0', arguments: [] }] });
  const M = N / 4;
  const rates = await compare(
    M,
    async () => {
      for (let i = 0; i < M; i++) {
        const [, response] = await core.query('check_s0', queryRequestToWire({ payload: [{ command: 'check_s0', arguments: [] }] }));
        sink += queryResponseFromWire(response).payload.length;
      }
    },
    async () => {
      for (let i = 0; i < M; i++) sink += (await core.simple_query('check_s0', []))[0];
    },
  );
  sink += request.length;
  report('raw query (250k, encode+decode)', 'q/s', rates, undefined, 'simple_query, same check');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
