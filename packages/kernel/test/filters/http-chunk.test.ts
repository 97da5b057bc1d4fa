// POE::Component::Client::HTTP's t/04_chunk_filter.t, ported: the records each input gives.
import { describe, expect, it } from 'vitest';
import { Filter, FilterHTTPChunk, HTTPHeaders } from '../../src/index.js';

/** Every record the inputs give, data as strings, a trailer as its header list. */
function records(inputs: string[], filter = new FilterHTTPChunk()): unknown[] {
  const out: unknown[] = [];
  for (const input of inputs) {
    filter.get_one_start([input]);
    for (let next = filter.get_one(); next.length > 0; next = filter.get_one()) {
      for (const record of next) out.push(record instanceof HTTPHeaders ? record.headers() : record.toString());
    }
  }
  return out;
}

const SERVER = 'Apache/1.3.31 (Unix) DAV/1.0.3 mod_gzip/1.3.26.1a PHP/4.3.5 mod_ssl/2.8.19 OpenSSL/0.9.6c';

describe('POE::Filter::HTTPChunk', () => {
  it('all chunks in one go; nothing pending before or after', () => {
    const filter = new Filter.HTTPChunk();
    expect(filter.get_pending()).toBeUndefined();
    expect(records(['9\nchunk_333\nA\nchunk_4444\n0\n'], filter)).toEqual(['chunk_333', 'chunk_4444']);
    expect(filter.get_pending()).toBeUndefined();
  });

  it('a chunk extension is ignored', () => {
    expect(records(['9\nchunk_333\nA;foo=bar\nchunk_4444\n0\n'])).toEqual(['chunk_333', 'chunk_4444']);
  });

  it('garbage before a chunk length is skipped, also split across inputs', () => {
    expect(records(['9\nchunk_333\ngarbage\nA\nchunk_4444\n0\n'])).toEqual(['chunk_333', 'chunk_4444']);
    expect(records(['9\nchunk_333\n', 'garbage', '\nA\nchunk_4444\n0\n'])).toEqual(['chunk_333', 'chunk_4444']);
  });

  it('trailing headers end the body as a headers record; bytes after it stay pending', () => {
    expect(records([`7\nchunk_1\n8\nchunk_22\n0\nServer: ${SERVER}\n\n`])).toEqual(['chunk_1', 'chunk_22', [['Server', SERVER]]]);
    const filter = new FilterHTTPChunk();
    expect(records([`7\nchunk_1\n8\nchunk_22\n0\nServer: ${SERVER}\n\ngarbage`], filter)).toEqual(['chunk_1', 'chunk_22', [['Server', SERVER]]]);
    expect(filter.get_pending()?.map(String)).toEqual(['garbage']);
  });

  it('whitespace after the chunk size; a size line cut before its newline', () => {
    expect(records(['d\nregular_chunk\n25   \nchunk_length_with_trailing_whitespace\n0\n'])).toEqual(['regular_chunk', 'chunk_length_with_trailing_whitespace']);
    expect(records(['9\nchunk_333\nA', '\nchunk_4444\n0\n'])).toEqual(['chunk_333', 'chunk_4444']);
  });

  it('CR LF line ends, and chunk data cut anywhere, give the same records', () => {
    const body = '5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n';
    for (let cut = 1; cut < body.length; cut++) {
      expect(records([body.slice(0, cut), body.slice(cut)])).toEqual(['hello', ' world', [['X-Sum', '1']]]);
    }
  });
});
