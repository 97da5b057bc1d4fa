import { Buffer } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import { HTTPParser } from 'http-parser-js';
import { FilterBase } from './base.js';
import { headerValue } from './http-headers.js';
import type { Chunk } from './filter.js';
import { sizeParam, toBuffers, warnUnknownParams } from './params.js';

/** Header lines as given: name → value, the last one of a name winning in `header()`, all kept in `headers()`. */
type HeaderList = [name: string, value: string][];

/** POE's HTTP::Request as the filter makes it: `method()`, `uri()`, `protocol()`, `header(name)`, `content()`. */
export class HTTPRequest {
  constructor(
    private readonly _method: string,
    private readonly _uri: string,
    private readonly _protocol: string,
    private readonly _headers: HeaderList,
    private readonly _content: Buffer,
  ) {}

  method(): string {
    return this._method;
  }

  uri(): string {
    return this._uri;
  }

  protocol(): string {
    return this._protocol;
  }

  /** A header's value (several of the same name joined by ', ', as HTTP::Headers reads them). */
  header(name: string): string | undefined {
    return headerValue(this._headers, name);
  }

  /** Every header line, in order. */
  headers(): readonly [string, string][] {
    return this._headers;
  }

  content(): Buffer {
    return this._content;
  }
}

/** POE's HTTP::Response for `put()`: status code, message, headers and content. */
export class HTTPResponse {
  private readonly _headers: HeaderList = [];
  private _content: Buffer;
  /** The request this answers, when the filter made the response for one (its errors). */
  request: HTTPRequest | undefined = undefined;

  constructor(
    private readonly _code: number,
    private readonly _message: string = STATUS_CODES[_code] ?? '',
    headers: Readonly<Record<string, string | number>> | readonly [string, string][] = [],
    content: Chunk = Buffer.alloc(0),
    /** The status line's protocol; POE's default is HTTP/1.0. */
    readonly protocol: string = 'HTTP/1.0',
  ) {
    const list = Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [name, value] of list) this._headers.push([name, String(value)]);
    this._content = typeof content === 'string' ? Buffer.from(content) : content;
  }

  code(): number {
    return this._code;
  }

  message(): string {
    return this._message;
  }

  is_success(): boolean {
    return this._code >= 200 && this._code < 300;
  }

  /** Reads a header, or sets it (replacing others of that name). */
  header(name: string, value?: string | number): string | undefined {
    const wanted = name.toLowerCase();
    if (value !== undefined) {
      for (let i = this._headers.length - 1; i >= 0; i--) if (this._headers[i]![0].toLowerCase() === wanted) this._headers.splice(i, 1);
      this._headers.push([name, String(value)]);
      return String(value);
    }
    return headerValue(this._headers, name);
  }

  push_header(name: string, value: string | number): void {
    this._headers.push([name, String(value)]);
  }

  headers(): readonly [string, string][] {
    return this._headers;
  }

  /** Reads the content, or sets it. */
  content(value?: Chunk): Buffer {
    if (value !== undefined) this._content = typeof value === 'string' ? Buffer.from(value) : value;
    return this._content;
  }
}

export interface HTTPDOptions {
  /** The largest request body accepted, in octets (POE's default 1 MiB); larger is a 413 record. */
  MaxContent?: number;
  /** The most the filter buffers (POE's default 512 MiB); must be above MaxContent. */
  MaxBuffer?: number;
  /** New to the port: the largest header block, in octets (the parser's default 80 KiB); larger is a 400 record. */
  MaxHeaderSize?: number;
}

/** One request the parser is building. */
interface Building {
  method: string;
  uri: string;
  protocol: string;
  headers: HeaderList;
  body: Buffer[];
  bodyLength: number;
}

const KNOWN = ['MaxContent', 'MaxBuffer', 'MaxHeaderSize'];

/**
 * POE::Filter::HTTPD: HTTP/1.x requests in (HTTPRequest records), responses out (HTTPResponse
 * records to bytes). Parsing is done by http-parser-js, a maintained HTTP/1 parser with the
 * interface of Node's own (Node's llhttp binding is not public): it takes chunked bodies too,
 * where POE's hand-written parser needs a Content-Length. As in POE, bad input is not thrown:
 * the record is an HTTPResponse to put back — 400 for garbage, an oversized header block or a
 * request line without a version (HTTP/0.9, which POE still takes), 413 for a body over
 * MaxContent — and the filter drops what it had buffered and starts afresh with the next bytes. `put` writes the status line and headers with network newlines,
 * then the content, as POE does (no header is added for you).
 */
export class FilterHTTPD extends FilterBase<HTTPRequest | HTTPResponse, HTTPResponse> {
  private readonly maxContent: number;
  private readonly maxBuffer: number;
  private readonly maxHeaderSize: number;
  private readonly options: HTTPDOptions;
  private parser!: InstanceType<typeof HTTPParser>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly ready: (HTTPRequest | HTTPResponse)[] = [];
  private building: Building | undefined = undefined;
  /** Set when a request was refused: the rest of the current input is dropped with it. */
  private refused: HTTPResponse | undefined = undefined;

  constructor(options: HTTPDOptions = {}) {
    super();
    warnUnknownParams('POE::Filter::HTTPD', options, KNOWN);
    this.options = { ...options };
    this.maxContent = sizeParam('MaxContent', options.MaxContent, 1024 * 1024);
    this.maxBuffer = sizeParam('MaxBuffer', options.MaxBuffer, 512 * 1024 * 1024);
    this.maxHeaderSize = sizeParam('MaxHeaderSize', options.MaxHeaderSize, 80 * 1024);
    if (this.maxBuffer <= this.maxContent) throw new RangeError('MaxBuffer is not large enough for MaxContent');
    this.reset();
  }

  get_one_start(chunks: readonly Chunk[]): void {
    const { buffers, bytes } = toBuffers(chunks);
    for (const buffer of buffers) this.pending.push(buffer);
    this.pendingBytes += bytes;
  }

  get_one(): (HTTPRequest | HTTPResponse)[] {
    if (this.ready.length === 0) this.parsePending();
    const next = this.ready.shift();
    return next === undefined ? [] : [next];
  }

  put(records: readonly HTTPResponse[]): Chunk[] {
    return records.map((response) => {
      const code = response.code();
      const standard = STATUS_CODES[code] ?? 'Unknown Error';
      const message = response.message();
      let status = `${response.protocol} ${code}`;
      if (standard !== message) status += ` (${standard})`;
      if (message.length > 0) status += ` ${message}`;
      const head = [status, ...response.headers().map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
      // Header text as ISO-8859-1, as POE sends it; the content as it is.
      return Buffer.concat([Buffer.from(head, 'latin1'), response.content()]);
    });
  }

  get_pending(): Buffer[] | undefined {
    return this.pendingBytes === 0 ? undefined : [Buffer.concat(this.pending)];
  }

  clone(): FilterHTTPD {
    return new FilterHTTPD(this.options);
  }

  private parsePending(): void {
    while (this.pending.length > 0 && this.ready.length === 0) {
      const chunk = this.pending.shift()!;
      this.pendingBytes -= chunk.length;
      const result = this.parser.execute(chunk);
      if (this.refused !== undefined) {
        this.ready.push(this.refused);
        this.refused = undefined;
        // POE drops the buffer with a refused request.
        this.pending = [];
        this.pendingBytes = 0;
        this.reset();
      } else if (result instanceof Error) {
        this.ready.push(errorResponse(400, `Request parse failure (${result.message}).`));
        this.pending = [];
        this.pendingBytes = 0;
        this.reset();
      } else if (this.bufferedBytes() > this.maxBuffer) {
        this.ready.push(errorResponse(400, `Request of more than ${this.maxBuffer} octets buffered.`));
        this.pending = [];
        this.pendingBytes = 0;
        this.reset();
      }
    }
  }

  private bufferedBytes(): number {
    return this.pendingBytes + (this.building?.bodyLength ?? 0);
  }

  private reset(): void {
    const parser = new HTTPParser(HTTPParser.REQUEST);
    parser.maxHeaderSize = this.maxHeaderSize;
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      const headers: HeaderList = [];
      for (let i = 0; i + 1 < info.headers.length; i += 2) headers.push([info.headers[i]!, info.headers[i + 1]!]);
      const method = HTTPParser.methods[info.method] ?? String(info.method);
      const building: Building = { method, uri: info.url, protocol: `HTTP/${info.versionMajor}.${info.versionMinor}`, headers, body: [], bodyLength: 0 };
      // The parser checks its limit only on a header block cut across chunks: check a whole one too.
      let headerBytes = method.length + info.url.length + 12;
      for (const [name, value] of headers) headerBytes += name.length + value.length + 4;
      if (headerBytes > this.maxHeaderSize) {
        this.refuse(400, `Header block of more than ${this.maxHeaderSize} octets.`, building);
        return 0;
      }
      const lengthHeader = headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1];
      const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
      if (length !== undefined && length > this.maxContent) {
        this.refuse(413, `Content of ${length} octets not accepted.`, building);
        return 0;
      }
      this.building = building;
      return 0;
    };
    parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      const building = this.building;
      if (building === undefined) return;
      building.bodyLength += length;
      if (building.bodyLength > this.maxContent) {
        this.refuse(413, `Content of more than ${this.maxContent} octets not accepted.`, building);
        return;
      }
      building.body.push(Buffer.from(chunk.subarray(offset, offset + length)));
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      const building = this.building;
      this.building = undefined;
      if (building === undefined) return;
      this.ready.push(new HTTPRequest(building.method, building.uri, building.protocol, building.headers, Buffer.concat(building.body)));
    };
    this.parser = parser;
    this.building = undefined;
  }

  /** A request refused mid-parse: its error response replaces it, and parsing of this input stops. */
  private refuse(code: number, details: string, building: Building): void {
    if (this.refused !== undefined) return;
    const response = errorResponse(code, details);
    response.request = new HTTPRequest(building.method, building.uri, building.protocol, building.headers, Buffer.alloc(0));
    this.refused = response;
    this.building = undefined;
    // Stop the parser from going on with this input.
    this.parser[HTTPParser.kOnBody] = () => {};
    this.parser[HTTPParser.kOnMessageComplete] = () => {};
    this.parser[HTTPParser.kOnHeadersComplete] = () => 0;
  }
}

/** POE's _build_error: a small HTML page with the status. */
function errorResponse(code: number, details: string): HTTPResponse {
  const message = STATUS_CODES[code] ?? 'Unknown Error';
  const content = `<html><head><title>Error ${code}: ${message}</title></head><body><h1>Error ${code}: ${message}</h1><p>${escapeHtml(details)}</p></body></html>`;
  return new HTTPResponse(code, message, [['Content-Type', 'text/html'], ['Content-Length', String(Buffer.byteLength(content))]], content);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
