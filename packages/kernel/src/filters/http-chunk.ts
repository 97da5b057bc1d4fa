import { Buffer } from 'node:buffer';
import { FilterBase } from './base.js';
import type { Chunk } from './filter.js';
import { HTTPHeaders } from './http-headers.js';
import { toBuffers } from './params.js';

const SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;[^\r\n]*)?\r?$/;
const TRAILER_LINE = /^([-\w]+):\s*(.*?)\r?$/;

/**
 * POE::Filter::HTTPChunk (from POE::Component::Client::HTTP): decodes a chunked HTTP body. Each
 * chunk's data is a Buffer record; the end of the body (the zero-size chunk and its trailer) is an
 * HTTPHeaders record. Hand-written, where Filter::HTTPD uses a parser, because its point is POE's
 * leniency, which a strict parser refuses: lines that are not a chunk size are skipped, bare LF
 * ends lines, extensions and spaces after the size are ignored, and bytes after a body stay
 * pending for whoever reads on. Input only, as POE's (put is not implemented there either:
 * it passes records through).
 */
export class FilterHTTPChunk extends FilterBase<Buffer | HTTPHeaders, Chunk> {
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'size' | 'data' | 'trailer' = 'size';
  private remaining = 0;
  private trailer: HTTPHeaders | undefined = undefined;

  get_one_start(chunks: readonly Chunk[]): void {
    const { buffers } = toBuffers(chunks);
    if (buffers.length > 0) this.buffer = Buffer.concat([this.buffer, ...buffers]);
  }

  get_one(): (Buffer | HTTPHeaders)[] {
    for (;;) {
      if (this.state === 'data') {
        if (this.buffer.length < this.remaining) return [];
        const data = Buffer.from(this.buffer.subarray(0, this.remaining));
        let rest = this.buffer.subarray(this.remaining);
        // The line end after the data, if it is there already.
        if (rest[0] === 0x0d && rest[1] === 0x0a) rest = rest.subarray(2);
        else if (rest[0] === 0x0a) rest = rest.subarray(1);
        this.buffer = rest;
        this.state = 'size';
        return [data];
      }
      const end = this.buffer.indexOf(0x0a);
      if (end < 0) return [];
      const line = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 1);
      if (this.state === 'size') {
        const size = SIZE_LINE.exec(line);
        if (size === null) continue; // not a size line: skipped, as POE skips it
        this.remaining = parseInt(size[1]!, 16);
        if (this.remaining === 0) {
          this.state = 'trailer';
          this.trailer = new HTTPHeaders();
        } else {
          this.state = 'data';
        }
        continue;
      }
      // The trailer: header lines until an empty one ends the body.
      const header = TRAILER_LINE.exec(line);
      if (header !== null) {
        this.trailer!.push_header(header[1]!, header[2]!);
        continue;
      }
      if (line === '' || line === '\r') {
        const trailer = this.trailer!;
        this.trailer = undefined;
        this.state = 'size';
        return [trailer];
      }
    }
  }

  put(records: readonly Chunk[]): Chunk[] {
    return [...records];
  }

  get_pending(): Buffer[] | undefined {
    return this.buffer.length === 0 ? undefined : [Buffer.from(this.buffer)];
  }

  clone(): FilterHTTPChunk {
    return new FilterHTTPChunk();
  }
}
