// The live clients of the page: server-sent events, one coalesced message per interval, serialized
// once for every client. A client whose socket cannot take more (write returned false) gets
// nothing until it drains, then — when it missed a delta meanwhile — a full snapshot: memory per
// client stays bounded by the socket's buffer plus one message, and what it missed is in the snapshot.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@poets/kernel';
import type { StatusFeed } from './feed.js';

export interface LiveClientsOptions {
  /** Milliseconds between messages. Default 250. */
  intervalMs?: number;
  /** Connections allowed at once; past it a new one is refused with 503. Default 2000. */
  maxClients?: number;
  /** Milliseconds between keep-alive comments when nothing changes. Default 15000. */
  heartbeatMs?: number;
}

interface Client {
  res: ServerResponse;
  /** Its socket took no more: nothing is written until it drains. */
  behind: boolean;
  /** A delta went by while it was behind: it gets a snapshot when it drains. */
  missed: boolean;
}

export class LiveClients {
  private readonly clients = new Set<Client>();
  private readonly intervalMs: number;
  private readonly maxClients: number;
  private readonly heartbeatMs: number;
  private readonly timer: NodeJS.Timeout;
  private lastSent = Date.now();

  constructor(
    private readonly feed: StatusFeed,
    private readonly logger: Logger,
    options: LiveClientsOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    this.maxClients = options.maxClients ?? 2000;
    this.heartbeatMs = options.heartbeatMs ?? 15000;
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes `req` as a live client: the headers, a snapshot, then the deltas. */
  accept(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= this.maxClients) {
      this.logger.log('warning', `live update refused: ${this.maxClients} clients already connected`, { peer: peerOf(req) });
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' }).end('too many live clients\n');
      return;
    }
    const client: Client = { res, behind: false, missed: false };
    req.socket.setNoDelay(true);
    // A live stream is long by design: the server's request and idle timeouts must not cut it.
    req.socket.setTimeout(0);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    this.clients.add(client);
    this.sendSnapshot(client, `retry: 2000\n`);
    const drop = (): void => {
      this.clients.delete(client);
    };
    res.on('close', drop);
    res.on('error', drop);
  }

  private sendSnapshot(client: Client, prefix = ''): void {
    const ok = client.res.write(`${prefix}event: snapshot\ndata: ${JSON.stringify(this.feed.snapshot())}\n\n`);
    if (!ok) this.fellBehind(client);
  }

  private fellBehind(client: Client): void {
    client.behind = true;
    client.res.once('drain', () => {
      client.behind = false;
      if (client.missed && this.clients.has(client)) {
        client.missed = false;
        this.sendSnapshot(client);
      }
    });
  }

  /** One message for every client: the feed's delta, or a heartbeat comment when it is long quiet. */
  private flush(): void {
    const delta = this.feed.takeDelta();
    const now = Date.now();
    let message: string;
    if (delta !== undefined) message = `event: delta\ndata: ${JSON.stringify(delta)}\n\n`;
    else if (now - this.lastSent >= this.heartbeatMs) message = `: keep-alive\n\n`;
    else return;
    this.lastSent = now;
    for (const client of this.clients) {
      if (client.behind) {
        client.missed = true;
        continue;
      }
      if (!client.res.write(message)) this.fellBehind(client);
    }
  }

  /** Ends every live stream. */
  close(): void {
    clearInterval(this.timer);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
}

export function peerOf(req: IncomingMessage): { address: string; port?: number } {
  return { address: req.socket.remoteAddress ?? '?', port: req.socket.remotePort };
}
