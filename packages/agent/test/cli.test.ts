import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { CONSOLE_HELP } from '../src/modules/console/commands.js';
import { splitWords } from '../src/cli/words.js';
import { withFiles } from './helpers.js';

const EXAMPLES = resolve(fileURLToPath(new URL('../../../examples/agent', import.meta.url)));
const BIN = resolve(fileURLToPath(new URL('../dist/cli/agent.js', import.meta.url)));

const CHECKS = `import { Registry, status } from '@poets/agent';
export function init(id: number) {
  const reg = Registry.get(id);
  reg.simple_function('check_ok', (args) => [status.OK, 'fine ' + args.join(' '), "'n'=1"]);
  reg.simple_function('check_warn', () => [status.WARNING, 'hmm']);
  reg.simple_function('check_crit', () => [status.CRITICAL, 'bad']);
  reg.simple_cmdline('do_it', (args) => [4, 'did ' + args.join(',')]);
  reg.simple_subscription('sink', () => true);
}
`;

async function run(args: string[], input = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end(input);
  const code = await main(args, { stdin, stdout, stderr, onStop: (stop) => setTimeout(stop, 10) });
  return { code, out, err };
}

function project() {
  const dir = withFiles({ 'checks.ts': CHECKS });
  const ini = join(dir, 'nsclient.ini');
  writeFileSync(ini, `; my agent\n[/modules]\nTypeScript = enabled\n\n[/settings/typescript/scripts]\nchecks = ${join(dir, 'checks.ts')}\n`);
  return { dir, ini };
}

describe('poets-agent', () => {
  it('client --query prints status, message and perfdata, and exits with the Nagios status', async () => {
    const { ini } = project();
    expect(await run(['--settings', ini, 'client', '--query', 'check_ok', '-a', 'a=1', '--argument', 'b=2'])).toMatchObject({
      code: 0,
      out: "OK: fine a=1 b=2\nPerformance data: 'n'=1\n",
    });
    expect((await run(['--settings', ini, 'client', '--query', 'check_warn'])).code).toBe(1);
    expect((await run(['--settings', ini, 'client', '--query', 'check_crit'])).code).toBe(2);
    const unknown = await run(['--settings', ini, 'client', '--query', 'check_none']);
    expect(unknown).toMatchObject({ code: 3, out: 'UNKNOWN: Unknown command(s): check_none\n' });
    expect(unknown.err).toMatch(/Unknown command\(s\): check_none/);
  });

  it('client --exec and --submit', async () => {
    const { ini } = project();
    expect(await run(['--settings', ini, 'client', '--exec', 'do_it', '-a', 'x'])).toMatchObject({ code: 4, out: 'did x\n' });
    expect(await run(['--settings', ini, 'client', '--submit', '--channel', 'sink', '--command', 'c', '--result', '2', '--message', 'm'])).toMatchObject({
      code: 0,
      out: 'Submitted c to sink\n',
    });
    const nobody = await run(['--settings', ini, 'client', '--submit', '--channel', 'NSCA', '--command', 'c']);
    expect(nobody.code).toBe(1);
    expect(nobody.out).toMatch(/No handler for channel: NSCA/);
  });

  it('test mode runs typed queries until exit', async () => {
    const { ini } = project();
    const r = await run(['--settings', ini, 'test'], 'check_ok "two words"\n\ncheck_crit\ncommands\nexit\ncheck_ok never\n');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/core: loaded TypeScript as typescript/); // test mode logs at debug
    expect(r.out).toBe(
      `${CONSOLE_HELP}\nOK: fine two words\nPerformance data: 'n'=1\nCRITICAL: bad\ncheck_ok: \ncheck_warn: \ncheck_crit: \n`,
    );
  });

  it('service runs until stopped and unloads its scripts', async () => {
    const { ini, dir } = project();
    writeFileSync(join(dir, 'checks.ts'), CHECKS + "export function shutdown() { require('node:fs').writeFileSync(" + JSON.stringify(join(dir, 'stopped')) + ", 'yes'); }\n");
    const r = await run(['--settings', ini, 'service', '--run']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/service started with 1 module/);
    expect(readFileSync(join(dir, 'stopped'), 'utf8')).toBe('yes');
  });

  it('settings --path --key --set/--show, --list, --validate, keeping the comment', async () => {
    const { ini } = project();
    expect((await run(['--settings', ini, 'settings', '--path', '/settings/NRPE/server', '--key', 'port', '--set', '5666'])).code).toBe(0);
    expect(await run(['--settings', ini, 'settings', '--path', '/settings/NRPE/server', '--key', 'port', '--show'])).toMatchObject({ code: 0, out: '5666\n' });
    expect((await run(['--settings', ini, 'settings', '--path', '/settings/NRPE/server', '--key', 'nothing', '--show'])).code).toBe(1);
    expect((await run(['--settings', ini, 'settings', '--list'])).out).toMatch(/^\/modules.TypeScript=enabled\n.*\n\/settings\/NRPE\/server.port=5666\n$/);
    expect(readFileSync(ini, 'utf8')).toMatch(/^; my agent\n\[\/modules\]/);
    expect(await run(['--settings', ini, 'settings', '--validate'])).toMatchObject({ code: 0, out: `${ini}: OK\n` });
  });

  it('settings on a file that does not parse: line and reason, nothing overwritten', async () => {
    const dir = withFiles({ 'bad.ini': '[/modules]\nTypeScript = enabled\nbroken line\n' });
    const file = join(dir, 'bad.ini');
    const r = await run(['--settings', file, 'settings', '--path', '/x', '--key', 'y', '--set', 'z']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.ini:3: expected 'key = value'/);
    expect(readFileSync(file, 'utf8')).toBe('[/modules]\nTypeScript = enabled\nbroken line\n');
    expect((await run(['--settings', file, 'settings', '--validate'])).code).toBe(1);
    expect((await run(['--settings', file, 'client', '--query', 'x'])).code).toBe(3);
  });

  it('settings --set on a read-only file fails and leaves it whole', async () => {
    const { ini } = project();
    const before = readFileSync(ini, 'utf8');
    chmodSync(ini, 0o444);
    const r = await run(['--settings', ini, 'settings', '--path', '/a', '--key', 'b', '--set', 'c']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Failed to save settings .*read-only/);
    expect(readFileSync(ini, 'utf8')).toBe(before);
  });

  it('settings --generate writes the documented keys with their defaults, including a script\'s register_key', async () => {
    const script = "import { Settings } from '@poets/agent';\nexport function init(id: number) { const s = Settings.get(id); s.register_path('/settings/mine', 'MINE', 'My script'); s.register_key('/settings/mine', 'greeting', 'string', 'GREETING', 'What to say', 'hello'); }\n";
    const dir = withFiles({ 'doc.ts': script, 'nsclient.ini': '[/modules]\nTypeScript = enabled\n[/settings/typescript/scripts]\ndoc = doc.ts\n' });
    const ini = join(dir, 'nsclient.ini');
    expect((await run(['--settings', ini, 'settings', '--generate', '--add-defaults'])).code).toBe(0);
    const text = readFileSync(ini, 'utf8');
    expect(text).toMatch(/; MINE - My script\n\[\/settings\/mine\]\n; GREETING - What to say\ngreeting = hello\n/);
    expect(text).toMatch(/\[\/settings\/default\]\n; TIMEOUT - .*\ntimeout = 30\n/);
    expect(text).toMatch(/^\[\/modules\]\nTypeScript = enabled\n\[\/settings\/typescript\/scripts\]\ndoc = doc.ts\n/);
  });

  it('script add writes the module and script keys (as the seed shows) and saves; --no-config writes nothing', async () => {
    const dir = withFiles({ 'my_script.ts': "export function init() {}\n" });
    const ini = join(dir, 'nsclient.ini');
    const added = await run(['--settings', ini, 'script', 'add', '--script', 'my_script.ts']);
    expect(added).toMatchObject({ code: 0, out: 'Added my_script as my_script.ts\n' });
    expect(readFileSync(ini, 'utf8')).toBe('[/modules]\nTypeScript = enabled\n\n[/settings/typescript/scripts]\nmy_script = my_script.ts\n');
    const other = join(dir, 'other.ini');
    expect((await run(['--settings', other, 'script', 'add', '--script', 'my_script.ts', '--alias', 'x', '--no-config'])).code).toBe(0);
    expect(existsSync(other)).toBe(false);
    expect(await run(['--settings', ini, 'script', 'list'])).toMatchObject({ code: 0, out: 'my_script = my_script.ts\n' });
    expect(await run(['--settings', ini, 'script', 'delete', '--script', 'my_script.ts'])).toMatchObject({ code: 0, out: 'Deleted my_script\n' });
    expect(await run(['--settings', ini, 'script', 'list'])).toMatchObject({ code: 0, out: '' });
    expect((await run(['--settings', ini, 'script', 'delete', '--alias', 'my_script'])).code).toBe(1);
  });

  it('script add refuses a missing script and one with a syntax error, writing nothing', async () => {
    const dir = withFiles({ 'broken.ts': 'export function init( {\n' });
    const ini = join(dir, 'nsclient.ini');
    const missing = await run(['--settings', ini, 'script', 'add', '--script', 'nope.ts']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/Script not found: nope.ts/);
    const broken = await run(['--settings', ini, 'script', 'add', '--script', 'broken.ts']);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/Syntax error in .*broken\.ts:2:1/);
    expect(existsSync(ini)).toBe(false);
  });

  it('script execute runs __main__ with the arguments (the seed: install --root /tmp)', async () => {
    const dir = withFiles({});
    const r = await run(['--settings', join(dir, 'nsclient.ini'), 'script', 'execute', '--script', join(EXAMPLES, 'main_args.ts'), 'install', '--root', '/tmp']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/My arguments are: \['install', '--root', '\/tmp'\]/);
  });

  it('unknown verbs and options are refused with the usage', async () => {
    expect((await run(['frobnicate'])).code).toBe(1);
    expect((await run(['--bogus', 'x', 'service'])).err).toMatch(/unknown option --bogus/);
    expect((await run(['script', 'nope'])).err).toMatch(/unknown script command: nope/);
    expect((await run(['client'])).err).toMatch(/client needs --query/);
  });

  it('splits typed lines like a shell', () => {
    expect(splitWords(`check_x "a b" 'c d' e\\ f  g`)).toEqual(['check_x', 'a b', 'c d', 'e f', 'g']);
    expect(splitWords('a ""')).toEqual(['a', '']);
  });

  it.skipIf(!existsSync(BIN))('the built poets-agent command exits with the query\'s status', async () => {
    const { ini } = project();
    const exit = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = execFile(process.execPath, [BIN, '--settings', ini, 'client', '--query', 'check_crit'], (_e, stdout) => done({ code: child.exitCode, stdout }));
    });
    expect(exit).toEqual({ code: 2, stdout: 'CRITICAL: bad\n' });
  });
});
