// WEBServer's users, roles and grants, token login, /api/v1/logs and /api/v1/scripts as an
// NSClient++ REST client sees them (curl and fetch on 127.0.0.1), and the server over TLS with a
// certificate openssl makes in the test's folder.
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SettingsStore, status, type Agent, type ModuleDefinition } from '@poets/agent';
import { describeWithPrograms, freePort, until } from '../../../test/support/index.js';
import { makeAgent, tempDir, type RecordingLogger } from './helpers.js';

const run = promisify(execFile);

const checks: ModuleDefinition = {
  name: 'AuthChecks',
  load(plugin) {
    plugin.agent.registerQuery(plugin, 'check_ok', (r) => ({ command: r.command, result: status.OK, message: 'fine', perf: '' }));
  },
};

async function curl(args: string[]): Promise<{ code: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args]);
  const at = stdout.lastIndexOf('\n');
  return { code: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

function hashOf(password: string): string {
  const salt = randomBytes(16);
  return `pbkdf2-sha256$1000$${salt.toString('hex')}$${pbkdf2Sync(password, salt, 1000, 32, 'sha256').toString('hex')}`;
}

describeWithPrograms(['/usr/bin/curl'], 'WEBServer users, roles, tokens, logs and scripts', () => {
  let agent: Agent;
  let logger: RecordingLogger;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    const port = await freePort();
    dir = tempDir();
    mkdirSync(join(dir, 'scripts', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'scripts', 'check_ok.sh'), '#!/bin/sh\necho OK: fine\n');
    chmodSync(join(dir, 'scripts', 'check_ok.sh'), 0o755);
    writeFileSync(join(dir, 'scripts', 'lib', 'helper.sh'), 'true\n');
    const settings = SettingsStore.fromText(
      [
        '[/modules]',
        'AuthChecks = enabled',
        'CheckExternalScripts = enabled',
        'WEBServer = enabled',
        '[/paths]',
        `base-path = ${dir}`,
        `scripts = ${dir}/scripts`,
        '[/settings/external scripts/scripts]',
        'check_script = scripts/check_ok.sh',
        '[/settings/WEB/server]',
        `port = ${port}`,
        'password = adm1n',
        '[/settings/WEB/server/roles]',
        'reader = queries.list,login.get,logs.list',
        '[/settings/WEB/server/users]',
        'shorty = sh0rt',
        '[/settings/WEB/server/users/default]',
        'role = client',
        '[/settings/WEB/server/users/reader]',
        'password = r3ad',
        'role = reader',
        '[/settings/WEB/server/users/viewer]',
        'password = v1ew',
        'role = client',
        '[/settings/WEB/server/users/hashed]',
        `password = ${hashOf('h4sh')}`,
        'role = full',
        '[/settings/WEB/server/users/ghost]',
        'password = gh0st',
        'role = nosuchrole',
        '',
      ].join('\n'),
    );
    ({ agent, logger } = makeAgent({ settings, modules: [checks] }));
    await agent.start();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await agent.stop();
  });

  it('gives each user what its role grants: others are refused 403 with the reason logged', async () => {
    expect(logger.text()).toContain('/settings/WEB/server/users/ghost: role nosuchrole is not defined');
    expect((await curl(['-u', 'reader:r3ad', `${base}/api/v1/queries`])).code).toBe(200);
    const denied = await curl(['-u', 'reader:r3ad', `${base}/api/v1/queries/check_ok/commands/execute`]);
    expect(denied.code).toBe(403);
    expect(JSON.parse(denied.body)).toEqual({ error: "You're not allowed" });
    expect(logger.text()).toContain('user reader (role reader) lacks grant queries.execute');
    // client: NSClient++'s read-only role
    expect(JSON.parse((await curl(['-u', 'viewer:v1ew', `${base}/api/v1/queries/check_ok/commands/execute`])).body)).toMatchObject({ result: 'OK' });
    expect((await curl(['-u', 'viewer:v1ew', `${base}/api/v1/modules`])).code).toBe(200);
    expect((await curl(['-u', 'viewer:v1ew', `${base}/api/v1/settings/settings/WEB/server`])).code).toBe(403);
    expect((await curl(['-u', 'viewer:v1ew', `${base}/metrics`])).code).toBe(403);
    expect((await curl(['-u', 'ghost:gh0st', `${base}/api/v1/info`])).code).toBe(403);
    // a short-form user takes its role from the users/default template
    expect((await curl(['-u', 'shorty:sh0rt', `${base}/api/v1/queries/check_ok/commands/execute`])).code).toBe(200);
    expect((await curl(['-u', 'shorty:sh0rt', `${base}/api/v1/settings/x`])).code).toBe(403);
    // the `password` header is the admin user (role full); so is basic auth as admin
    expect((await curl(['-H', 'password: adm1n', `${base}/api/v1/settings/settings/WEB/server`])).code).toBe(200);
    expect((await curl(['-u', 'admin:adm1n', `${base}/metrics`])).code).toBe(200);
    // the status page: info.get to see it
    expect((await curl(['-u', 'viewer:v1ew', `${base}/`])).code).toBe(200);
    expect((await curl(['-u', 'reader:r3ad', `${base}/`])).code).toBe(403);
    expect(logger.text()).toContain('user reader (role reader) lacks grant info.get');
    // a trailing slash, as NSClient++'s query_url has, is the same route
    expect((await curl(['-u', 'admin:adm1n', `${base}/api/v1/queries/check_ok/`])).code).toBe(200);
  });

  it('refuses a wrong password, an unknown user and an unknown scheme alike, each logged', async () => {
    expect((await curl(['-u', 'reader:wrong', `${base}/api/v1/queries`])).code).toBe(403);
    expect((await curl(['-u', 'nobody:r3ad', `${base}/api/v1/queries`])).code).toBe(403);
    expect(logger.text().match(/wrong user or password/g)?.length).toBeGreaterThanOrEqual(2);
    expect((await curl(['-H', 'Authorization: Digest x', `${base}/api/v1/queries`])).code).toBe(403);
    expect(logger.text()).toContain('unknown authentication scheme Digest');
    // basic auth with any other user name and the admin password is no longer the admin
    expect((await curl(['-u', 'someone:adm1n', `${base}/api/v1/queries`])).code).toBe(403);
  });

  it('checks an NSClient++ pbkdf2-sha256 password (then remembers it)', async () => {
    expect((await curl(['-u', 'hashed:h4sh', `${base}/api/v1/info`])).code).toBe(200);
    expect((await curl(['-u', 'hashed:h4sh', `${base}/api/v1/info`])).code).toBe(200);
    expect((await curl(['-u', 'hashed:wrong', `${base}/api/v1/info`])).code).toBe(403);
  });

  it('logs in at /api/v1/login: the key is then accepted as a Bearer, TOKEN or X-Auth-Token header with the same grants, and DELETE ends it', async () => {
    const login = await curl(['-u', 'viewer:v1ew', `${base}/api/v1/login`]);
    expect(login.code).toBe(200);
    const { user, key } = JSON.parse(login.body) as { user: string; key: string };
    expect(user).toBe('viewer');
    expect(key).toMatch(/^[0-9A-Za-z]{32}$/);
    for (const h of [`Authorization: Bearer ${key}`, `TOKEN: ${key}`, `X-Auth-Token: ${key}`]) {
      expect((await curl(['-H', h, `${base}/api/v1/queries/check_ok/commands/execute`])).code).toBe(200);
    }
    expect((await curl(['-H', `TOKEN: ${key}`, `${base}/api/v1/settings/x`])).code).toBe(403);
    // logged in with the token, the answer is the same token
    expect(JSON.parse((await curl(['-H', `TOKEN: ${key}`, `${base}/api/v1/login`])).body)).toEqual({ user: 'viewer', key });
    // in the query string only for the user agents allowed to (Icinga's check_nscp_api)
    expect((await curl([`${base}/api/v1/queries?TOKEN=${key}`])).code).toBe(403);
    expect(logger.text()).toContain('token in the query string refused');
    expect((await curl(['-A', 'Icinga/check_nscp_api/2.14', `${base}/api/v1/queries?TOKEN=${key}`])).code).toBe(200);
    const out = await curl(['-X', 'DELETE', '-H', `TOKEN: ${key}`, `${base}/api/v1/login`]);
    expect(JSON.parse(out.body)).toEqual({ status: 'ok' });
    expect((await curl(['-H', `Authorization: Bearer ${key}`, `${base}/api/v1/queries`])).code).toBe(403);
    expect(logger.text()).toContain('invalid or expired bearer token');
  });

  it("serves the log ring as NSClient++'s /api/v1/logs: entries, paging headers, levels, since, status, add and delete", async () => {
    const admin = { authorization: `Basic ${Buffer.from('admin:adm1n').toString('base64')}` };
    const post = await fetch(`${base}/api/v1/logs`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ level: 'error', message: 'from the REST test', file: 'rest.test' }) });
    expect(post.status).toBe(200);
    const all = await fetch(`${base}/api/v1/logs?per_page=500`, { headers: admin });
    const entries = (await all.json()) as { file: string; line: number; level: string; date: string; message: string }[];
    const mine = entries.find((e) => e.message === 'from the REST test');
    expect(mine).toMatchObject({ file: 'rest.test', line: 0, level: 'error' });
    expect(mine?.date).toMatch(/^\d{4}-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d$/);
    expect(Number(all.headers.get('x-pagination-count'))).toBe(entries.length);
    expect(all.headers.get('x-pagination-limit')).toBe('500');
    const paged = await fetch(`${base}/api/v1/logs?page=1&per_page=2`, { headers: admin });
    expect(((await paged.json()) as unknown[]).length).toBe(2);
    expect(paged.headers.get('link')).toContain('page=2&per_page=2>; rel="next"');
    expect((await fetch(`${base}/api/v1/logs?per_page=1`, { headers: admin })).status).toBe(400);
    const errors = (await (await fetch(`${base}/api/v1/logs?level=error&per_page=500`, { headers: admin })).json()) as { level: string }[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.level === 'error')).toBe(true);
    expect(await (await fetch(`${base}/api/v1/logs/status`, { headers: admin })).json()).toMatchObject({ last_error: 'from the REST test' });

    const since = await fetch(`${base}/api/v1/logs/since?since=0&per_page=500`, { headers: admin });
    await since.body?.cancel();
    const index = Number(since.headers.get('x-log-index'));
    expect(index).toBeGreaterThan(0);
    await fetch(`${base}/api/v1/logs`, { method: 'POST', headers: admin, body: JSON.stringify({ level: 'info', message: 'after the index' }) });
    const newer = (await (await fetch(`${base}/api/v1/logs/since?since=${index}`, { headers: admin })).json()) as { message: string; file: string }[];
    expect(newer.map((e) => e.message)).toContain('after the index');
    expect(newer.find((e) => e.message === 'after the index')?.file).toBe('REST');
    expect(newer.map((e) => e.message)).not.toContain('from the REST test');

    expect(await (await fetch(`${base}/api/v1/logs`, { method: 'DELETE', headers: admin })).json()).toEqual({ count: 0 });
    const left = (await (await fetch(`${base}/api/v1/logs?per_page=500`, { headers: admin })).json()) as { message: string }[];
    expect(left.map((e) => e.message)).not.toContain('after the index');
    // logs.list is not logs.put
    expect((await curl(['-u', 'reader:r3ad', `${base}/api/v1/logs`])).code).toBe(200);
    expect((await curl(['-u', 'reader:r3ad', '-X', 'POST', '--data', '{"message":"x"}', `${base}/api/v1/logs`])).code).toBe(403);
  });

  it('lists script runtimes and scripts, and shows a definition or a script file, never one outside the folders', async () => {
    const runtimes = JSON.parse((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts`])).body) as unknown;
    expect(runtimes).toEqual([{ name: 'ext', module: 'CheckExternalScripts', title: 'CheckExternalScripts', runtime_url: '/api/v1/scripts/ext' }]);
    expect(JSON.parse((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/ext`])).body)).toEqual(['check_script']);
    expect(JSON.parse((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/ext?all=true`])).body)).toEqual(['scripts/check_ok.sh']);
    expect((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/ext/check_script`])).body).toBe('scripts/check_ok.sh');
    expect((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/ext/scripts/check_ok.sh`])).body).toBe('#!/bin/sh\necho OK: fine\n');
    expect((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/ext/..%2F..%2Fetc%2Fpasswd`])).code).toBe(400);
    expect((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/py`])).code).toBe(404);
    // a malformed escape is a 400, and the server goes on
    expect((await curl(['-u', 'admin:adm1n', `${base}/api/v1/scripts/ext/%E0%A4%A`])).code).toBe(400);
    expect(logger.text()).toContain('malformed percent-encoding');
    expect((await curl(['-u', 'viewer:v1ew', `${base}/api/v1/scripts`])).code).toBe(403);
  });

  it('adds a script with PUT (a file and a command that runs) and deletes its definition and its file with DELETE', async () => {
    const admin = ['-u', 'admin:adm1n'];
    const put = await curl([...admin, '-X', 'PUT', '--data-binary', '#!/bin/sh\necho "OK: new one"\n', `${base}/api/v1/scripts/ext/scripts/check_new.sh`]);
    expect(put).toEqual({ code: 200, body: 'Added check_new as scripts/check_new.sh' });
    expect(existsSync(join(dir, 'scripts', 'check_new.sh'))).toBe(true);
    expect(JSON.parse((await curl([...admin, `${base}/api/v1/scripts/ext`])).body)).toContain('check_new');
    expect(JSON.parse((await curl([...admin, `${base}/api/v1/queries/check_new/commands/execute`])).body)).toMatchObject({ result: 'OK', lines: [{ message: 'OK: new one' }] });
    const undefine = await curl([...admin, '-X', 'DELETE', `${base}/api/v1/scripts/ext/check_new`]);
    expect(undefine).toEqual({ code: 200, body: "Script definition has been removed don't forget to delete any artifact for: check_new.sh" });
    expect(JSON.parse((await curl([...admin, `${base}/api/v1/scripts/ext`])).body)).not.toContain('check_new');
    expect(agent.settings.get('/settings/external scripts/scripts', 'check_new')).toBeUndefined();
    expect((await curl([...admin, '-X', 'DELETE', `${base}/api/v1/scripts/ext/scripts/check_new.sh`])).body).toBe('Script file was removed');
    expect(existsSync(join(dir, 'scripts', 'check_new.sh'))).toBe(false);
    // never outside the scripts folder; and only with the grant
    expect((await curl([...admin, '-X', 'PUT', '--data', 'x', `${base}/api/v1/scripts/ext/..%2Fevil.sh`])).code).toBe(400);
    expect((await curl([...admin, '-X', 'PUT', '--data', 'x', `${base}/api/v1/scripts/ext/elsewhere/evil.sh`])).code).toBe(400);
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    expect((await curl([...admin, '-X', 'DELETE', `${base}/api/v1/scripts/ext/scripts/nothing.sh`])).code).toBe(404);
    expect((await curl(['-u', 'viewer:v1ew', '-X', 'PUT', '--data', 'x', `${base}/api/v1/scripts/ext/scripts/v.sh`])).code).toBe(403);
    expect(logger.text()).toContain('user viewer (role client) lacks grant scripts');
  });
});

describeWithPrograms(['/usr/bin/curl', '/usr/bin/openssl'], 'WEBServer over TLS', () => {
  let agent: Agent;
  let logger: RecordingLogger;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    port = await freePort();
    dir = tempDir();
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    const settings = SettingsStore.fromText(
      `[/modules]\nAuthChecks = enabled\nWEBServer = enabled\n[/settings/WEB/server]\nport = ${port}\npassword = t1s\ncertificate = ${join(dir, 'cert.pem')}\ncertificate key = ${join(dir, 'key.pem')}\nallow anonymous access = true\n[/settings/WEB/server/roles]\nanonymous = public,info.get\n`,
    );
    ({ agent, logger } = makeAgent({ settings, modules: [checks] }));
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
  });

  it('answers curl --cacert over https on 127.0.0.1; anonymous gets only the anonymous role', async () => {
    const url = `https://127.0.0.1:${port}`;
    const ok = await curl(['--cacert', join(dir, 'cert.pem'), '-u', 'admin:t1s', `${url}/api/v1/queries/check_ok/commands/execute`]);
    expect(ok.code).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ command: 'check_ok', result: 'OK' });
    expect((await curl(['--cacert', join(dir, 'cert.pem'), `${url}/api/v1/info`])).code).toBe(200);
    expect((await curl(['--cacert', join(dir, 'cert.pem'), `${url}/api/v1/queries`])).code).toBe(403);
    expect(logger.text()).toContain('anonymous lacks grant queries.list');
  });

  it('drops a plain-HTTP client on the TLS port with the reason logged, and serves others meanwhile', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /api/v1/info HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    await until(() => socket.destroyed || socket.readableEnded, 8000, 'the plain client to be dropped');
    expect(text).not.toContain('200 OK');
    expect(logger.text()).toContain('TLS handshake failed');
    const plain = await run('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${port}/api/v1/info`]).then(
      () => 'answered',
      (e: { code?: number }) => `curl exit ${e.code ?? '?'}`,
    );
    expect(plain).toMatch(/^curl exit \d+$/);
    expect((await curl(['--cacert', join(dir, 'cert.pem'), '-u', 'admin:t1s', `https://127.0.0.1:${port}/api/v1/info`])).code).toBe(200);
  }, 15000);
});
