// The WEBServer module: [/settings/WEB/server] (port, certificate, password, allowed hosts) on
// node:http(s). NSClient++'s REST API v1 (queries, modules, settings, info), /metrics for
// Prometheus, and a route table other modules (the status page) mount handlers on.
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { ModuleError } from '../../errors.js';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@poets/kernel';
import type { AccessControl } from '@poets/server-tcp';
import type { Agent } from '../../agent.js';
import type { ModuleDefinition, Plugin } from '../../plugin.js';
import { statusName } from '../../status.js';
import { allowedHostsControl, parseAllowedHosts } from '../allowed-hosts.js';
import { AgentMetrics } from './metrics.js';
import { createStatusPage } from '../status-page/status-page.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

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
}

export function readWEBServerSettings(plugin: Plugin): WEBServerSettings {
  const s = plugin.settings;
  const p = '/settings/WEB/server';
  const hosts = s.get_string(p, 'allowed hosts', '127.0.0.1,::1').split(',').map((h) => h.trim()).filter((h) => h !== '');
  parseAllowedHosts(hosts.join(','), p); // refuses a bad entry at load, not at the first request
  return {
    port: s.get_int(p, 'port', 8443),
    address: s.get_string(p, 'bind to', '127.0.0.1'),
    certificate: plugin.agent.expand_path(s.get_string(p, 'certificate', '')),
    certificateKey: plugin.agent.expand_path(s.get_string(p, 'certificate key', '')),
    password: s.get_string(p, 'password', s.get_string('/settings/default', 'password', '')),
    allowedHosts: hosts,
    maxBody: s.get_int(p, 'max body', 1 << 20),
    timeout: s.get_int(p, 'timeout', 30),
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

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The HTTP server and its routes; the REST API and /metrics are mounted by the module. */
export class WEBServer {
  private readonly routes: Route[] = [];
  private readonly mounts: ((req: IncomingMessage, res: ServerResponse, path: string) => boolean)[] = [];
  private servers: Server[] = [];
  /** Failed logins per peer address: time of the last one and the count, for the rate limit. */
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(
    readonly config: WEBServerSettings,
    private readonly logger: Logger,
  ) {}

  /** Mounts `handler` on `method path`; `:name` segments become params, a trailing `*` matches the rest. */
  route(method: string, path: string, handler: RouteHandler): void {
    const keys: string[] = [];
    const source = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/\*$/, '(?:/(?<rest>.*))?').replace(/:(\w+)/g, (_m, k: string) => {
      keys.push(k);
      return `(?<${k}>[^/]+)`;
    });
    this.routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), keys, handler });
  }

  /** Mounts a handler that serves what it knows and returns false for the rest (the status page). */
  mount(handler: (req: IncomingMessage, res: ServerResponse, path: string) => boolean): void {
    this.mounts.push(handler);
  }

  private refuse(req: IncomingMessage, res: ServerResponse, code: number, reason: string): void {
    this.logger.log('warning', `${req.method ?? '?'} ${req.url ?? '?'} from ${peerAddress(req)} refused (${code}): ${reason}`);
    if (!res.headersSent) sendJson(res, code, { error: reason });
    else res.end();
  }

  /** NSClient++'s password header, or basic auth with any user and that password. */
  private authenticate(req: IncomingMessage): 'ok' | 'missing' | 'wrong' {
    if (this.config.password === '') return 'ok';
    let given = req.headers['password'];
    const auth = req.headers.authorization;
    if (given === undefined && auth !== undefined && /^basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (typeof given !== 'string') return 'missing';
    return samePassword(given, this.config.password) ? 'ok' : 'wrong';
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const peer = peerAddress(req);
    if (!hostAllowed(peer, this.config.allowedHosts)) return this.refuse(req, res, 403, `${peer} is not in allowed hosts`);
    const failure = this.failures.get(peer);
    const now = Date.now();
    // Rate limit: after 3 wrong passwords a peer waits a second per further failure (capped at 60 s).
    if (failure !== undefined && failure.count >= 3 && now - failure.last < Math.min(60, failure.count - 2) * 1000) {
      return this.refuse(req, res, 429, `too many failed logins from ${peer}`);
    }
    const auth = this.authenticate(req);
    if (auth !== 'ok') {
      if (auth === 'wrong') this.failures.set(peer, { count: (failure?.count ?? 0) + 1, last: now });
      res.setHeader('www-authenticate', 'Basic realm="poets-agent"');
      return this.refuse(req, res, 403, auth === 'missing' ? 'no password given' : 'wrong password');
    }
    if (failure !== undefined) this.failures.delete(peer);
    const url = new URL(req.url ?? '/', 'http://agent');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== method && route.method !== '*') continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = decodeURIComponent(v);
      const failed = (error: unknown): void => this.refuse(req, res, 500, error instanceof Error ? error.message : String(error));
      try {
        const out = route.handler(req, res, params, url);
        if (out !== undefined) out.catch(failed);
      } catch (error) {
        failed(error);
      }
      return;
    }
    if (!pathMatched) for (const mount of this.mounts) if (mount(req, res, `${url.pathname}${url.search}`)) return;
    this.refuse(req, res, pathMatched ? 405 : 404, pathMatched ? `method ${method} not allowed` : `no route for ${url.pathname}`);
  }

  /** Reads a JSON body bounded by `max body` (413 beyond), malformed → 400; undefined when refused. */
  async readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
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
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
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
  web.route('GET', '/api/v1/queries', (_req, res) => {
    sendJson(res, 200, agent.listQueries().map((q) => ({ name: q.name, title: q.name, description: q.description, plugins: [q.plugin], query_url: `/api/v1/queries/${q.name}/`, metadata: {} })));
  });
  web.route('GET', '/api/v1/queries/:name', (_req, res, p) => {
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
  web.route('GET', '/api/v1/queries/:name/commands/execute', (req, res, p, url) => execute(req, res, p, url, false));
  web.route('GET', '/api/v1/queries/:name/commands/execute_nagios', (req, res, p, url) => execute(req, res, p, url, true));
  const moduleJson = (name: string, loaded: boolean, description: string): unknown => ({ name, id: name, title: name, description, loaded, load_url: `/api/v1/modules/${name}/commands/load`, unload_url: `/api/v1/modules/${name}/commands/unload`, module_url: `/api/v1/modules/${name}/`, metadata: {} });
  web.route('GET', '/api/v1/modules', (_req, res, _p, url) => {
    const loaded = new Set(agent.loadedPlugins().map((pl) => pl.module.name.toLowerCase()));
    const all = url.searchParams.get('all') === 'true';
    const list = agent.availableModules().filter((m) => all || loaded.has(m.name.toLowerCase()));
    sendJson(res, 200, list.map((m) => moduleJson(m.name, loaded.has(m.name.toLowerCase()), m.description ?? '')));
  });
  web.route('GET', '/api/v1/modules/:name', (_req, res, p) => {
    const m = agent.availableModules().find((d) => d.name.toLowerCase() === (p['name'] ?? '').toLowerCase());
    if (m === undefined) return sendJson(res, 404, { error: `no module ${p['name'] ?? ''}` });
    sendJson(res, 200, moduleJson(m.name, agent.findPlugin(m.name) !== undefined, m.description ?? ''));
  });
  web.route('GET', '/api/v1/modules/:name/commands/:command', async (_req, res, p) => {
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
  web.route('GET', '/api/v1/settings/*', (_req, res, p) => {
    const path = `/${p['rest'] ?? ''}`.replace(/\/+$/, '') || '/';
    const keys = agent.settings.get_section(path);
    sendJson(res, 200, keys.map((key) => ({ path, key, value: agent.settings.get_string(path, key, '') })));
  });
  web.route('PUT', '/api/v1/settings/*', async (req, res, p) => {
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
  web.route('GET', '/api/v1/info', (_req, res) => sendJson(res, 200, { name: 'poets-agent', version: '0.1.0', version_url: '/api/v1/info/version' }));
  web.route('GET', '/api/v1/info/version', (_req, res) => sendJson(res, 200, { version: '0.1.0' }));
  web.route('GET', '/api/v1', (_req, res) => sendJson(res, 200, { info_url: '/api/v1/info', modules_url: '/api/v1/modules', queries_url: '/api/v1/queries', scripts_url: '/api/v1/scripts', settings_url: '/api/v1/settings' }));
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
    web.route('GET', '/metrics', async (_req, res) => {
      const body = await metrics.scrape();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) }).end(body);
    });
    const page = createStatusPage(plugin.agent, { logger: plugin.logger });
    web.mount((req, res, path) => page.handle(req, res, path));
    const address = await web.listen();
    plugin.logger.log('info', `listening on ${address.address}:${address.port}${config.certificate !== '' ? ' (TLS)' : ''}`);
    const instance: WEBServerInstance = {
      web,
      metrics,
      address,
      async unload() {
        page.close();
        metrics.close();
        await web.close();
      },
    };
    instances.set(plugin, instance);
    return instance;
  },
};
