// The live status page: `GET /` and its assets, `GET /events` (server-sent events), `POST /query`
// (run a query by hand). Route handlers only: the WEBServer module mounts them behind its own
// authentication and allowed hosts; a bare node:http server can too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { componentLogger, type Logger } from '@poets/kernel';
import type { Agent } from '../../agent.js';
import { statusName } from '../../status.js';
import { loadAssets, traversalReason, type Asset } from './assets.js';
import { StatusFeed, type FeedOptions } from './feed.js';
import { LiveClients, peerOf, type LiveClientsOptions } from './live-clients.js';

export interface StatusPageOptions extends FeedOptions, LiveClientsOptions {
  /** Where refusals are logged. Default the agent's logger, component `StatusPage`. */
  logger?: Logger;
  /** Largest `POST /query` body, in bytes. Default 16384. */
  maxQueryBody?: number;
}

/** One route the page serves, for the server that mounts it. */
export interface StatusPageRoute {
  method: 'GET' | 'POST';
  path: string;
  description: string;
}

export interface StatusPage {
  /** The routes, relative to where the page is mounted. */
  readonly routes: readonly StatusPageRoute[];
  /**
   * Serves `req` when its path (relative to the mount point, query string allowed) is the page's;
   * returns false, having written nothing, when it is not.
   */
  handle(req: IncomingMessage, res: ServerResponse, path?: string): boolean;
  /** Live clients connected now. */
  readonly liveClients: number;
  /** Ends the live streams and stops watching the agent. */
  close(): void;
}

const SECURITY_HEADERS = {
  // Everything comes from the agent: no CDN, no inline script, nothing framed elsewhere.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function createStatusPage(agent: Agent, options: StatusPageOptions = {}): StatusPage {
  const logger = componentLogger(options.logger ?? agent.logger, 'StatusPage');
  const assets = loadAssets();
  const feed = new StatusFeed(agent, options);
  const live = new LiveClients(feed, logger, options);
  const maxBody = options.maxQueryBody ?? 16384;

  const refuse = (req: IncomingMessage, res: ServerResponse, code: number, reason: string): void => {
    logger.log('warning', `${req.method ?? '?'} ${req.url ?? '?'} refused (${code}): ${reason}`, { peer: peerOf(req) });
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS }).end(`${JSON.stringify({ error: reason })}\n`);
  };

  const serveAsset = (req: IncomingMessage, res: ServerResponse, asset: Asset): void => {
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, { etag: asset.etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, etag: asset.etag, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };

  const runQuery = (req: IncomingMessage, res: ServerResponse): void => {
    const type = req.headers['content-type'] ?? '';
    // JSON only: a cross-site form cannot send it without a preflight the page never answers.
    if (!/^application\/json\b/i.test(type)) return refuse(req, res, 415, `content-type ${type || '(none)'} is not application/json`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      refuse(req, res, 413, `body of ${declared} bytes is over ${maxBody}`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        if (!over) refuse(req, res, 413, `body over ${maxBody} bytes`);
        over = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      let command: unknown;
      let args: unknown;
      try {
        ({ command, arguments: args = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { command?: unknown; arguments?: unknown });
      } catch (error) {
        return refuse(req, res, 400, `malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (typeof command !== 'string' || command.trim() === '') return refuse(req, res, 400, 'command must be a non-empty string');
      if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return refuse(req, res, 400, 'arguments must be an array of strings');
      logger.log('info', `query ${command} run from the page`, { peer: peerOf(req) });
      // The core's guard answers UNKNOWN when the query outlives [/settings/default] timeout.
      void Promise.resolve(agent.runQuery({ command: command.trim(), arguments: args as string[] })).then((result) => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS });
        res.end(`${JSON.stringify({ command: result.command, result: result.result, state: statusName(result.result), message: result.message, perf: result.perf })}\n`);
      });
    });
  };

  const routes: StatusPageRoute[] = [
    { method: 'GET', path: '/', description: 'the status page' },
    ...[...assets.keys()].filter((p) => p !== '/').map((path) => ({ method: 'GET' as const, path, description: 'an asset of the page' })),
    { method: 'GET', path: '/events', description: 'live updates (server-sent events)' },
    { method: 'POST', path: '/query', description: 'run a query: {"command", "arguments"} in, the result as JSON out' },
  ];

  return {
    routes,
    get liveClients() {
      return live.size;
    },
    handle(req, res, path = req.url ?? '/') {
      const raw = path.split('?', 1)[0] ?? '/';
      const reason = traversalReason(raw);
      if (reason !== undefined) {
        refuse(req, res, 400, reason);
        return true;
      }
      const method = req.method ?? 'GET';
      if (raw === '/events') {
        if (method !== 'GET') refuse(req, res, 405, `${method} on /events`);
        else live.accept(req, res);
        return true;
      }
      if (raw === '/query') {
        if (method !== 'POST') refuse(req, res, 405, `${method} on /query`);
        else runQuery(req, res);
        return true;
      }
      const asset = assets.get(raw === '/index.html' ? '/' : raw);
      if (asset === undefined) return false;
      if (method !== 'GET' && method !== 'HEAD') refuse(req, res, 405, `${method} on an asset`);
      else serveAsset(req, res, asset);
      return true;
    },
    close() {
      live.close();
      feed.close();
    },
  };
}
