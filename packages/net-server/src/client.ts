// The connection process_request gets: a line reader with a timeout (the seed's alarm + <STDIN>
// loop as one `for await`), print, the socket itself for plain writes, and send for UDP.
import type { Duplex } from 'node:stream';
import { LineTooLongError, TimeoutError } from './errors.js';

/** Options of `client.lines()`. */
export interface LinesOptions {
  /** Seconds to wait for each line; the iteration throws TimeoutError when none comes in time. Default: no limit. */
  timeout?: number;
  /** Longest line accepted, in bytes without its end; a longer one throws LineTooLongError. Default 1 MiB. */
  maxLength?: number;
}

/** Who is at the other end and where it came in (Net::Server's get_client_info properties). */
export interface ClientInfo {
  peeraddr: string | undefined;
  peerport: number | undefined;
  peerhost: string | undefined;
  sockaddr: string | undefined;
  sockport: number | undefined;
  /** `TCP`, `SSL`, `UNIX` or `UDP`. */
  NS_proto: string;
}

const DEFAULT_MAX_LINE = 1024 * 1024;

/** Unread text (characters) beyond which the socket is paused until lines() asks for more. */
const READ_AHEAD = 64 * 1024;

/** Printed text beyond this is written at once rather than at the end of the turn. */
const PRINT_BUFFER = 64 * 1024;

/** How long a closed connection waits for the client to close its side. */
const CLOSE_GRACE_MS = 10_000;

/** A stream connection (tcp, ssl, unix). */
export class Client implements ClientInfo {
  peeraddr: string | undefined;
  peerport: number | undefined;
  peerhost: string | undefined = undefined;
  sockaddr: string | undefined;
  sockport: number | undefined;
  readonly NS_proto: string;
  /** The accepted socket (a TLSSocket for ssl). */
  private readonly stream: Duplex;
  /** What print wrote this turn, sent as one write at its end (Perl's buffered STDOUT). */
  private printed: string | undefined;
  private buffered = '';
  private ended = false;
  private closing = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(socket: Duplex, info: Omit<ClientInfo, 'peerhost'>) {
    this.stream = socket;
    this.peeraddr = info.peeraddr;
    this.peerport = info.peerport;
    this.sockaddr = info.sockaddr;
    this.sockport = info.sockport;
    this.NS_proto = info.NS_proto;
    socket.setEncoding('utf8');
    socket.pause();
    socket.on('data', (chunk: string) => {
      if (this.closing) return; // after close(): what the client still sends is read and dropped
      this.buffered += chunk;
      // Read on while little is waiting unread (no pause and resume per chunk); past READ_AHEAD,
      // wait until lines() asks for more.
      if (this.buffered.length - this.start > READ_AHEAD) socket.pause();
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (error: Error) => {
      this.failure ??= error;
      this.ended = true;
      this.notify();
    });
  }

  /**
   * Each line the client sends, without its `\n` or `\r\n`; a last line without an end is given
   * when the client closes. With `timeout`, the wait for each line is bounded (the seed's alarm).
   */
  lines(options: LinesOptions = {}): AsyncIterableIterator<string> {
    const maxLength = options.maxLength ?? DEFAULT_MAX_LINE;
    const timeoutMs = options.timeout !== undefined && options.timeout > 0 ? options.timeout * 1000 : undefined;
    // A plain iterator rather than an async generator: a buffered line is handed over with one
    // resolved promise, which is most of the per-line cost of a keep-alive client.
    const next = (): Promise<IteratorResult<string, undefined>> => {
      try {
        const line = this.takeLine(maxLength);
        if (line !== undefined) return Promise.resolve({ value: line, done: false });
        if (this.ended) {
          if (this.failure !== undefined && !isReset(this.failure)) throw this.failure;
          if (this.buffered !== '') {
            const last = this.buffered;
            this.buffered = '';
            return Promise.resolve({ value: last, done: false });
          }
          return Promise.resolve({ value: undefined, done: true });
        }
      } catch (error) {
        return Promise.reject(error);
      }
      return this.nextChunk(timeoutMs).then(next);
    };
    return {
      next,
      return: () => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** The next whole line buffered (without its end), or undefined; what was read is dropped once per chunk. */
  private takeLine(maxLength: number): string | undefined {
    const newline = this.buffered.indexOf('\n', this.start);
    if (newline < 0) {
      if (this.start > 0) {
        this.buffered = this.buffered.slice(this.start);
        this.start = 0;
      }
      if (this.buffered.length * 3 > maxLength && Buffer.byteLength(this.buffered) > maxLength + 1) throw new LineTooLongError(`line longer than ${maxLength} bytes`);
      return undefined;
    }
    const line = this.buffered.slice(this.start, newline);
    this.start = newline + 1;
    if (line.length * 3 > maxLength && Buffer.byteLength(line) > maxLength + 1) throw new LineTooLongError(`line of ${Buffer.byteLength(line)} bytes is longer than ${maxLength}`);
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  /** Where the unread part of `buffered` starts. */
  private start = 0;

  /**
   * The accepted socket (a TLSSocket for ssl): write to it, pipe to it, end it. Reading it sends
   * what print has buffered first, so plain writes and prints keep their order.
   */
  get socket(): Duplex {
    this.flush();
    return this.stream;
  }

  /**
   * Writes its arguments, joined as Perl's print joins them (with nothing between). The prints of
   * one turn of the event loop go out together as one write at its end, as Perl's buffered STDOUT
   * does; false once the socket's buffer is full (wait for `drain` on client.socket).
   */
  print(...args: unknown[]): boolean {
    const stream = this.stream;
    if (stream.destroyed || stream.writableEnded) return false;
    const text = args.length === 1 ? String(args[0]) : args.map(String).join('');
    if (this.printed === undefined) {
      this.printed = text;
      process.nextTick(() => this.flush());
    } else this.printed += text;
    if (this.printed.length >= PRINT_BUFFER) this.flush();
    return stream.writableLength + (this.printed?.length ?? 0) < stream.writableHighWaterMark;
  }

  /** Sends what print has buffered. */
  private flush(): void {
    const text = this.printed;
    if (text === undefined) return;
    this.printed = undefined;
    if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.write(text);
  }

  /**
   * Ends the connection once what was written is sent. What the client still sends is read and
   * dropped, so a client that floods cannot hold the connection open; one that never closes its
   * side is cut after CLOSE_GRACE_MS.
   */
  close(): void {
    const stream = this.stream;
    if (this.closing || stream.destroyed) return;
    this.flush();
    this.closing = true;
    this.buffered = '';
    this.start = 0;
    stream.resume();
    stream.end();
    if (this.ended) return; // the client has closed its side already: end() completes the close
    const cut = setTimeout(() => stream.destroy(), CLOSE_GRACE_MS).unref();
    stream.once('close', () => clearTimeout(cut));
  }

  private nextChunk(timeoutMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      this.wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.wake = undefined;
          this.stream.pause();
          reject(new TimeoutError(`Timed Out! (no line within ${timeoutMs / 1000} s)`));
        }, timeoutMs);
      }
      this.stream.resume();
    });
  }

  private notify(): void {
    this.wake?.();
  }
}

function isReset(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** One UDP datagram's sender: `send` replies to it from the socket the datagram came in on. */
export class UdpClient implements ClientInfo {
  readonly peeraddr: string;
  readonly peerport: number;
  peerhost: string | undefined = undefined;
  readonly sockaddr: string | undefined;
  readonly sockport: number | undefined;
  readonly NS_proto = 'UDP';
  /** The datagram (also `this.server.udp_data`). */
  readonly udp_data: Buffer;
  private readonly reply: (data: Buffer | string) => Promise<void>;

  constructor(data: Buffer, info: Omit<ClientInfo, 'peerhost' | 'NS_proto'>, reply: (data: Buffer | string) => Promise<void>) {
    this.udp_data = data;
    this.peeraddr = info.peeraddr!;
    this.peerport = info.peerport!;
    this.sockaddr = info.sockaddr;
    this.sockport = info.sockport;
    this.reply = reply;
  }

  /** Sends a datagram back to the peer. */
  send(data: Buffer | string): Promise<void> {
    return this.reply(data);
  }

  /** A UDP client has no stream to close. */
  close(): void {}
}

export type AnyClient = Client | UdpClient;
