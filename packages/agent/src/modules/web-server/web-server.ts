// The WEBServer module: [/settings/WEB/server] (port, certificate, users and roles, allowed hosts) on
// node:http(s). NSClient++'s REST API v1 (queries, modules, settings, info), /metrics for
// Prometheus, and a route table other modules (the status page) mount handlers on.
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { ModuleError } from '../../errors.js';
import type { Logger } from '@poets/kernel';
import type { AccessControl } from '@poets/server-tcp';
import type { Agent } from '../../agent.js';
import type { ModuleDefinition, Plugin } from '../../plugin.js';
import { statusName } from '../../status.js';
import { allowedHostsControl, parseAllowedHosts } from '../allowed-hosts.js';
import { AgentMetrics } from './metrics.js';
import { createStatusPage } from '../status-page/status-page.js';
import { mountLogsApi } from './rest-logs.js';
import { mountScriptsApi } from './rest-scripts.js';
import { readWebAuthSettings, WebAuth, type AuthOutcome, type WebAuthSettings } from './auth.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
  /** What the user must be granted (NSClient++'s name for the route's privilege). */
  grant: string;
}

/** A handler that serves what it knows (the status page), with the grant a request needs per method. */
interface Mount {
  handler: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  grantFor: (method: string) => string;
}

/** NSClient++'s one answer to every authentication or grant refusal (the log has the reason). */
const NOT_ALLOWED = "You're not allowed";

export interface WEBServerSettings {
  port: number;
  address: string;
  certificate: string;
  certificateKey: string;
  password: string;
  allowedHosts: string[];
  maxBody: number;
  /** Seconds a client has to send its request headers and body. */
  timeout: number;
  /** Users, roles and the rate limit of wrong credentials. */
  auth: WebAuthSettings;
}

export function readWEBServerSettings(plugin: Plugin): WEBServerSettings {
  const s = plugin.settings;
  const p = '/settings/WEB/server';
  const hosts = s.get_string(p, 'allowed hosts', '127.0.0.1,::1').split(',').map((h) => h.trim()).filter((h) => h !== '');
  parseAllowedHosts(hosts.join(','), p); // refuses a bad entry at load, not at the first request
  const password = s.get_string(p, 'password', s.get_string('/settings/default', 'password', ''));
  return {
    port: s.get_int(p, 'port', 8443),
    address: s.get_string(p, 'bind to', '127.0.0.1'),
    certificate: plugin.agent.expand_path(s.get_string(p, 'certificate', '')),
    certificateKey: plugin.agent.expand_path(s.get_string(p, 'certificate key', '')),
    password,
    allowedHosts: hosts,
    maxBody: s.get_int(p, 'max body', 1 << 20),
    timeout: s.get_int(p, 'timeout', 30),
    auth: readWebAuthSettings(plugin.agent.settings, password, (m) => plugin.logger.log('warning', m)),
  };
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** Sends `value` as JSON with `code`. */
export function sendJson(res: ServerResponse, code: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(code, { ...JSON_TYPE, 'content-length': Buffer.byteLength(body) }).end(body);
}

function peerAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** Address allowed by the allowed-hosts entries: server-tcp's one matcher (IPv4 and IPv6, CIDR), as NRPEServer uses. */
export function hostAllowed(address: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  let access = accessFor.get(allowed);
  if (access === undefined) {
    access = allowedHostsControl(parseAllowedHosts(allowed.join(','), '/settings/WEB/server')) ?? null;
    accessFor.set(allowed, access);
  }
  return access === null || access.check(address, undefined).allowed;
}

/** One matcher per allowed-hosts list, built on its first request. */
const accessFor = new WeakMap<readonly string[], AccessControl | null>();

/** The HTTP server and its routes; the REST API and /metrics are mounted by the module. */
export class WEBServer {
  private readonly routes: Route[] = [];
  private readonly mounts: Mount[] = [];
  private servers: Server[] = [];
  private readonly identities = new WeakMap<IncomingMessage, { user?: string; token?: string }>();
  readonly auth: WebAuth;

  constructor(
    readonly config: WEBServerSettings,
    private readonly logger: Logger,
  ) {
    this.auth = new WebAuth(config.auth, (m) => logger.log('warning', m));
  }

  /** Mounts `handler` on `method path` for users holding `grant`; `:name` segments become params, a trailing `*` matches the rest. */
  route(method: string, path: string, grant: string, handler: RouteHandler): void {
    const keys: string[] = [];
    const source = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/\*$/, '(?:/(?<rest>.*))?').replace(/:(\w+)/g, (_m, k: string) => {
      keys.push(k);
      return `(?<${k}>[^/]+)`;
    });
    this.routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), keys, handler, grant });
  }

  /** Mounts a handler that serves what it knows and returns false for the rest (the status page); `grantFor(method)` is what a request needs. */
  mount(handler: Mount['handler'], grantFor: Mount['grantFor']): void {
    this.mounts.push({ handler, grantFor });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, code: number, reason: string, answer = reason): void {
    this.logger.log('warning', `${req.method ?? '?'} ${req.url ?? '?'} from ${peerAddress(req)} refused (${code}): ${reason}`);
    if (!res.headersSent) sendJson(res, code, { error: answer });
    else res.end();
  }

  /** Whether the user of `req` holds `grant` too (a grant named after a route's parameter); else refuses it 403. */
  holds(req: IncomingMessage, res: ServerResponse, grant: string): boolean {
    const { user } = this.identity(req);
    if (this.auth.can(user, grant)) return true;
    this.refuse(req, res, 403, `${user === undefined ? 'anonymous' : `user ${user}`} lacks grant ${grant}`, NOT_ALLOWED);
    return false;
  }

  /** Who made `req` (after its grant was checked): the user, and the token it came with. */
  identity(req: IncomingMessage): { user?: string; token?: string } {
    return this.identities.get(req) ?? {};
  }

  /** The allowed-hosts answer of each connection, decided on its first request (keep-alive asks once). */
  private readonly admitted = new WeakMap<Socket, boolean>();

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const peer = peerAddress(req);
    let allowed = this.admitted.get(req.socket);
    if (allowed === undefined) this.admitted.set(req.socket, (allowed = hostAllowed(peer, this.config.allowedHosts)));
    if (!allowed) return this.refuse(req, res, 403, `${peer} is not in allowed hosts`, NOT_ALLOWED);
    const url = new URL(req.url ?? '/', 'http://agent');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== method && route.method !== '*') continue;
      const params: Record<string, string> = {};
      try {
        for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = decodeURIComponent(v);
      } catch {
        return this.refuse(req, res, 400, `malformed percent-encoding in ${url.pathname}`);
      }
      return this.authorized(req, res, peer, [route.grant], () => {
        const failed = (error: unknown): void => this.refuse(req, res, 500, error instanceof Error ? error.message : String(error));
        try {
          const out = route.handler(req, res, params, url);
          if (out !== undefined) out.catch(failed);
        } catch (error) {
          failed(error);
        }
      });
    }
    if (pathMatched) return this.refuse(req, res, 405, `method ${method} not allowed`);
    if (this.mounts.length === 0) return this.refuse(req, res, 404, `no route for ${url.pathname}`);
    // A mount serves what it knows, so it is asked only once the request may see what it serves.
    const grants = [...new Set(this.mounts.map((mount) => mount.grantFor(method)))];
    this.authorized(req, res, peer, grants, () => {
      for (const mount of this.mounts) if (mount.handler(req, res, `${url.pathname}${url.search}`)) return;
      this.refuse(req, res, 404, `no route for ${url.pathname}`);
    });
  }

  /** Runs `next` when `req` is someone holding every one of `grants`; else refuses it 403 with the reason logged. */
  private authorized(req: IncomingMessage, res: ServerResponse, peer: string, grants: readonly string[], next: () => void): void {
    const decide = (outcome: AuthOutcome): void => {
      if (!outcome.ok) return this.refuse(req, res, 403, outcome.reason, NOT_ALLOWED);
      const lacking = grants.find((grant) => !this.auth.can(outcome.user, grant));
      if (lacking !== undefined) {
        const who = outcome.user === undefined ? 'anonymous' : `user ${outcome.user} (role ${this.auth.roleOf(outcome.user) || 'none'})`;
        return this.refuse(req, res, 403, `${who} lacks grant ${lacking}`, NOT_ALLOWED);
      }
      this.identities.set(req, outcome);
      next();
    };
    const outcome = this.auth.identify(req, peer);
    if (outcome instanceof Promise) void outcome.then(decide);
    else decide(outcome);
  }

  /** Reads a body bounded by `max body` (413 beyond, read no further); undefined when refused. */
  async readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    const max = this.config.maxBody;
    if (Number(req.headers['content-length'] ?? 0) > max) {
      this.refuse(req, res, 413, `body over ${max} bytes`);
      req.resume();
      return undefined;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        this.refuse(req, res, 413, `body over ${max} bytes`);
        req.resume();
        return undefined;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** Reads a JSON body bounded by `max body` (413 beyond), malformed → 400; undefined when refused. */
  async readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const body = await this.readBody(req, res);
    if (body === undefined) return undefined;
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (error) {
      this.refuse(req, res, 400, `malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Listens on every address of `bind to` (comma-separated), all on the same port; the first one's address. */
  async listen(): Promise<AddressInfo> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    const tls = this.config.certificate !== '';
    let port = this.config.port;
    let first: AddressInfo | undefined;
    for (const address of this.config.address.split(',').map((a) => a.trim()).filter((a) => a !== '')) {
      // Timeouts are checked every half second (Node's default is 30 s, far past `timeout`).
      const common = { connectionsCheckingInterval: 500, keepAliveTimeout: 5000 };
      const server = tls
        ? createHttpsServer({ ...common, cert: readFileSync(this.config.certificate), key: readFileSync(this.config.certificateKey || this.config.certificate) }, handler)
        : createHttpServer(common, handler);
      // A slow client gets `timeout` seconds for its headers and its whole request.
      server.headersTimeout = this.config.timeout * 1000;
      server.requestTimeout = this.config.timeout * 1000;
      server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
        // A client that does not speak TLS to the TLS port: node:tls has nothing to answer it with.
        if (error.code?.startsWith('ERR_SSL') === true) {
          this.logger.log('warning', `client ${socket.remoteAddress ?? '?'} refused: TLS handshake failed: ${error.message}`);
          return void socket.destroy();
        }
        const code = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
        this.logger.log('warning', `client ${socket.remoteAddress ?? '?'} refused (${code}): ${error.message}`);
        if (socket.writable) socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        else socket.destroy();
      });
      this.servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, address, () => resolve());
      });
      const bound = server.address() as AddressInfo;
      port = bound.port;
      first ??= bound;
    }
    if (first === undefined) throw new ModuleError('WEBServer: bind to names no address');
    return first;
  }

  async close(): Promise<void> {
    for (const server of this.servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

/** NSClient++'s REST v1 query result: result as a status name, lines of message and perf keyed by label. */
export function restQueryResult(command: string, code: number, message: string, perf: string): unknown {
  const perfs: Record<string, Record<string, number | string>> = {};
  for (const m of perf.matchAll(/('[^']*'|[^\s=]+)=(\S*)/g)) {
    const label = (m[1] ?? '').replace(/^'|'$/g, '');
    const [value = '', warning, critical, minimum, maximum] = (m[2] ?? '').split(';');
    const vm = /^(-?[\d.]+)(.*)$/.exec(value);
    const entry: Record<string, number | string> = { value: vm ? Number(vm[1]) : value, unit: vm?.[2] ?? '' };
    for (const [k, v] of [['warning', warning], ['critical', critical], ['minimum', minimum], ['maximum', maximum]] as const) if (v !== undefined && v !== '' && !Number.isNaN(Number(v))) entry[k] = Number(v);
    perfs[label] = entry;
  }
  return { command, result: statusName(code), lines: [{ message, perf: perfs }] };
}

function mountRestApi(web: WEBServer, agent: Agent): void {
  web.route('GET', '/api/v1/queries', 'queries.list', (_req, res) => {
    sendJson(res, 200, agent.listQueries().map((q) => ({ name: q.name, title: q.name, description: q.description, plugins: [q.plugin], query_url: `/api/v1/queries/${q.name}/`, metadata: {} })));
  });
  web.route('GET', '/api/v1/queries/:name', 'queries.get', (_req, res, p) => {
    const q = agent.listQueries().find((e) => e.name === p['name']);
    if (q === undefined) return sendJson(res, 404, { error: `no query ${p['name'] ?? ''}` });
    sendJson(res, 200, { name: q.name, title: q.name, description: q.description, plugins: [q.plugin], execute_url: `/api/v1/queries/${q.name}/commands/execute`, metadata: {} });
  });
  const execute = async (_req: IncomingMessage, res: ServerResponse, p: Record<string, string>, url: URL, nagios: boolean): Promise<void> => {
    const args: string[] = [];
    for (const [k, v] of url.searchParams) args.push(v === '' ? k : `${k}=${v}`);
    const name = p['name'] ?? '';
    const [code, message, perf] = await agent.simple_query(name, args);
    if (nagios) return sendJson(res, 200, { command: name, result: code, lines: [{ message, perf }] });
    sendJson(res, 200, restQueryResult(name, code, message, perf));
  };
  web.route('GET', '/api/v1/queries/:name/commands/execute', 'queries.execute', (req, res, p, url) => execute(req, res, p, url, false));
  web.route('GET', '/api/v1/queries/:name/commands/execute_nagios', 'queries.execute', (req, res, p, url) => execute(req, res, p, url, true));
  const moduleJson = (name: string, loaded: boolean, description: string): unknown => ({ name, id: name, title: name, description, loaded, load_url: `/api/v1/modules/${name}/commands/load`, unload_url: `/api/v1/modules/${name}/commands/unload`, module_url: `/api/v1/modules/${name}/`, metadata: {} });
  web.route('GET', '/api/v1/modules', 'modules.list', (_req, res, _p, url) => {
    const loaded = new Set(agent.loadedPlugins().map((pl) => pl.module.name.toLowerCase()));
    const all = url.searchParams.get('all') === 'true';
    const list = agent.availableModules().filter((m) => all || loaded.has(m.name.toLowerCase()));
    sendJson(res, 200, list.map((m) => moduleJson(m.name, loaded.has(m.name.toLowerCase()), m.description ?? '')));
  });
  web.route('GET', '/api/v1/modules/:name', 'modules.get', (_req, res, p) => {
    const m = agent.availableModules().find((d) => d.name.toLowerCase() === (p['name'] ?? '').toLowerCase());
    if (m === undefined) return sendJson(res, 404, { error: `no module ${p['name'] ?? ''}` });
    sendJson(res, 200, moduleJson(m.name, agent.findPlugin(m.name) !== undefined, m.description ?? ''));
  });
  web.route('GET', '/api/v1/modules/:name/commands/:command', 'modules', async (_req, res, p) => {
    const name = p['name'] ?? '';
    if (p['command'] === 'load') {
      try {
        await agent.load_module(name);
        sendJson(res, 200, { result: 'ok', message: `Success load ${name}` });
      } catch (error) {
        sendJson(res, 500, { result: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    } else if (p['command'] === 'unload') {
      const ok = await agent.unload_module(name);
      sendJson(res, ok ? 200 : 404, { result: ok ? 'ok' : 'error', message: ok ? `Success unload ${name}` : `${name} is not loaded` });
    } else sendJson(res, 404, { error: `no command ${p['command'] ?? ''}` });
  });
  web.route('GET', '/api/v1/settings/*', 'settings.get', (_req, res, p) => {
    const path = `/${p['rest'] ?? ''}`.replace(/\/+$/, '') || '/';
    const keys = agent.settings.get_section(path);
    sendJson(res, 200, keys.map((key) => ({ path, key, value: agent.settings.get_string(path, key, '') })));
  });
  web.route('PUT', '/api/v1/settings/*', 'settings.put', async (req, res, p) => {
    const path = `/${p['rest'] ?? ''}`.replace(/\/+$/, '');
    const body = await web.readJson(req, res);
    if (body === undefined) return;
    const entries = Array.isArray(body) ? body : [body];
    for (const e of entries) {
      if (typeof e !== 'object' || e === null || typeof (e as { key?: unknown }).key !== 'string') return sendJson(res, 400, { error: 'each entry needs a string key and value' });
    }
    for (const e of entries as { path?: string; key: string; value: unknown }[]) agent.settings.set_string(e.path ?? path, e.key, String(e.value ?? ''));
    sendJson(res, 200, { result: 'ok', message: `${entries.length} key(s) set` });
  });
  web.route('GET', '/api/v1/login', 'login.get', (req, res) => {
    // A password login gets a new token; a token login is answered its own.
    const { user = '', token } = web.identity(req);
    sendJson(res, 200, { user, key: token ?? (user === '' ? '' : web.auth.tokens.issue(user)) });
  });
  web.route('DELETE', '/api/v1/login', 'login.get', (req, res) => {
    const { token } = web.identity(req);
    if (token !== undefined) web.auth.tokens.revoke(token);
    sendJson(res, 200, { status: 'ok' });
  });
  web.route('GET', '/api/v1/info', 'info.get', (_req, res) => sendJson(res, 200, { name: 'poets-agent', version: '0.1.0', version_url: '/api/v1/info/version' }));
  web.route('GET', '/api/v1/info/version', 'info.get.version', (_req, res) => sendJson(res, 200, { version: '0.1.0' }));
  web.route('GET', '/api/v1', 'public', (_req, res) => sendJson(res, 200, { info_url: '/api/v1/info', modules_url: '/api/v1/modules', queries_url: '/api/v1/queries', scripts_url: '/api/v1/scripts', settings_url: '/api/v1/settings', logs_url: '/api/v1/logs' }));
}

/** The loaded module's instance, for tests and the page: its server and metrics. */
export interface WEBServerInstance {
  web: WEBServer;
  metrics: AgentMetrics;
  address: AddressInfo;
  unload(): Promise<void>;
}

const instances = new WeakMap<Plugin, WEBServerInstance>();

export function webServerOf(plugin: Plugin | undefined): WEBServerInstance | undefined {
  return plugin === undefined ? undefined : instances.get(plugin);
}

export const webServerModule: ModuleDefinition = {
  name: 'WEBServer',
  description: 'A web server: NSClient++ REST API v1 and Prometheus metrics',
  async load(plugin: Plugin) {
    const config = readWEBServerSettings(plugin);
    const web = new WEBServer(config, plugin.logger);
    const metrics = new AgentMetrics(plugin.agent);
    mountRestApi(web, plugin.agent);
    const stopLogs = mountLogsApi(web, plugin.agent.recentLog);
    mountScriptsApi(web, plugin.agent);
    web.route('GET', '/metrics', 'metrics.get', async (_req, res) => {
      const body = await metrics.scrape();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) }).end(body);
    });
    const page = createStatusPage(plugin.agent, { logger: plugin.logger });
    // The page shows what `info.get` may see; running a query from it needs `queries.execute`.
    web.mount((req, res, path) => page.handle(req, res, path), (method) => (method === 'POST' ? 'queries.execute' : 'info.get'));
    const address = await web.listen();
    plugin.logger.log('info', `listening on ${address.address}:${address.port}${config.certificate !== '' ? ' (TLS)' : ''}`);
    const instance: WEBServerInstance = {
      web,
      metrics,
      address,
      async unload() {
        page.close();
        stopLogs();
        metrics.close();
        await web.close();
      },
    };
    instances.set(plugin, instance);
    return instance;
  },
};
