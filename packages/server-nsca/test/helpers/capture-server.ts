import { Buffer } from 'node:buffer';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeConnection, encodeInitPacket, type DecodeResult, type NscaPacket } from '../../src/index.js';

/**
 * A fake NSCA server on 127.0.0.1 for client tests: it sends an init packet (a fixed IV and
 * timestamp, or a misbehaving one) and records every byte each connection sends, to be decoded
 * with the package's own `decodeConnection`.
 */

/** A fixed IV, all 256 byte values well spread. */
export const CAPTURE_IV: Buffer = Buffer.from(Array.from({ length: 128 }, (_, i) => (i * 37 + 11) & 0xff));
export const CAPTURE_TIMESTAMP = 1_700_000_000;

export type CaptureMode =
  /** Send the init packet and read until the client closes (default). */
  | 'normal'
  /** Send nothing: the client times out. */
  | 'silent'
  /** Send `initBytes` bytes of the init packet, then close. */
  | 'short'
  /** Send the init packet and close at once (the client's writes then fail). */
  | 'close'
  /** Send the init packet and half-close (FIN), reading on. */
  | 'half'
  /** Send the init packet, then reset the connection after `resetAfterMs`. */
  | 'reset';

export interface CaptureOptions {
  mode?: CaptureMode;
  /** How many bytes of the init packet 'short' sends (default 10). */
  initBytes?: number;
  resetAfterMs?: number;
  iv?: Buffer;
  timestamp?: number;
}

export interface CapturedConnection {
  /** Bytes received so far (all of them once `closed` has resolved). */
  bytes: Buffer;
  readonly closed: Promise<void>;
}

export interface CaptureServer {
  readonly port: number;
  readonly connections: CapturedConnection[];
  /** Connection `index` once it is accepted (waits at most `ms`). */
  connection(index: number, ms?: number): Promise<CapturedConnection>;
  /** Waits (at most `ms`) until `count` connections were accepted and closed; returns them all. */
  waitFor(count: number, ms?: number): Promise<CapturedConnection[]>;
  /** Decodes connection `index` with `method`/`password` and this server's IV. */
  decode(index: number, method: number, password: string | Uint8Array): DecodeResult[];
  /** The packets of connection `index` (throws if any result is a refusal). */
  packets(index: number, method: number, password: string | Uint8Array): NscaPacket[];
  close(): Promise<void>;
}

export async function startCaptureServer(options: CaptureOptions = {}): Promise<CaptureServer> {
  const mode = options.mode ?? 'normal';
  const iv = options.iv ?? CAPTURE_IV;
  const init = encodeInitPacket(iv, options.timestamp ?? CAPTURE_TIMESTAMP);
  const connections: CapturedConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    let done!: () => void;
    const connection: CapturedConnection = { bytes: Buffer.alloc(0), closed: new Promise<void>((resolve) => (done = resolve)) };
    connections.push(connection);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      connection.bytes = Buffer.concat(chunks);
    });
    socket.on('close', () => {
      sockets.delete(socket);
      done();
    });
    switch (mode) {
      case 'normal':
        socket.write(init);
        break;
      case 'silent':
        break;
      case 'short':
        socket.end(init.subarray(0, options.initBytes ?? 10));
        break;
      case 'close':
        socket.end(init);
        socket.destroy();
        break;
      case 'half':
        socket.end(init);
        break;
      case 'reset':
        socket.write(init);
        setTimeout(() => socket.resetAndDestroy(), options.resetAfterMs ?? 100);
        break;
    }
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const bytesOf = (index: number): Buffer => {
    const connection = connections[index];
    if (connection === undefined) throw new Error(`no connection #${index} (${connections.length} accepted)`);
    return connection.bytes;
  };

  return {
    port,
    connections,
    async connection(index, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (connections.length <= index) {
        if (Date.now() > deadline) throw new Error(`capture server: no connection #${index} within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return connections[index]!;
    },
    async waitFor(count, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (connections.length < count) {
        if (Date.now() > deadline) throw new Error(`capture server: ${connections.length} of ${count} connections within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const left = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`capture server: connections still open after ${ms} ms`)), left);
      });
      try {
        await Promise.race([Promise.all(connections.slice(0, count).map((c) => c.closed)), timeout]);
      } finally {
        clearTimeout(timer);
      }
      return connections.slice(0, count);
    },
    decode(index, method, password) {
      return decodeConnection(bytesOf(index), { method, password, iv });
    },
    packets(index, method, password) {
      return decodeConnection(bytesOf(index), { method, password, iv }).map((result) => {
        if (!result.ok) throw new Error(`connection #${index}: packet at ${result.offset} refused: ${result.message}`);
        return result.packet;
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
