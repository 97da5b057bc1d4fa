// POE's t/10_units/05_filters/03_http.t, ported: requests of each method, fragments, trailing
// whitespace and garbage, the size limits, and put().
import { describe, expect, it } from 'vitest';
import { Filter, FilterHTTPD, HTTPRequest, HTTPResponse } from '../../src/index.js';

const CRLF = '\r\n';
const request = (...lines: string[]) => lines.join(CRLF) + CRLF + CRLF;

describe('POE::Filter::HTTPD', () => {
  it('simple get: one HTTPRequest with method, uri and protocol', () => {
    const records = new FilterHTTPD().get([request('GET /foo.html HTTP/1.1', 'Host: example.com')]);
    expect(records).toHaveLength(1);
    const req = records[0] as HTTPRequest;
    expect(req).toBeInstanceOf(HTTPRequest);
    expect([req.method(), req.uri(), req.protocol(), req.header('host')]).toEqual(['GET', '/foo.html', 'HTTP/1.1', 'example.com']);
  });

  it('HTTP/1.0 get keeps every header; a simple post has its content and Content-Length', () => {
    const filter = new Filter.HTTPD();
    const [get] = filter.get([request('GET / HTTP/1.0', 'User-Agent: poets', 'Accept: */*', 'Connection: close')]) as HTTPRequest[];
    expect(get!.protocol()).toBe('HTTP/1.0');
    expect([get!.header('User-Agent'), get!.header('accept'), get!.header('Connection')]).toEqual(['poets', '*/*', 'close']);
    const body = 'I=like&tasty=pie';
    const [post] = filter.get([
      request('POST /foo HTTP/1.1', 'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`) + body,
    ]) as HTTPRequest[];
    expect(post!.content().toString()).toBe(body);
    expect(post!.content().length).toBe(Number(post!.header('Content-Length')));
    expect(post!.header('Content-Type')).toBe('application/x-www-form-urlencoded');
  });

  it('head, put, options, and a chunked body (which POE cannot take) each make one request', () => {
    const filter = new FilterHTTPD();
    for (const method of ['HEAD', 'OPTIONS']) expect((filter.get([request(`${method} / HTTP/1.1`)])[0] as HTTPRequest).method()).toBe(method);
    const [put] = filter.get([request('PUT /x HTTP/1.1', 'Content-Length: 3') + 'abc']) as HTTPRequest[];
    expect([put!.method(), put!.content().toString()]).toEqual(['PUT', 'abc']);
    const [chunked] = filter.get([request('POST /c HTTP/1.1', 'Transfer-Encoding: chunked') + '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n']) as HTTPRequest[];
    expect(chunked!.content().toString()).toBe('abcde');
  });

  it('fragments: nothing is returned until the request is complete, fed one octet at a time', () => {
    const filter = new FilterHTTPD();
    const text = request('POST /f HTTP/1.1', 'Content-Length: 5') + 'hello';
    let early = false;
    const records: unknown[] = [];
    for (let i = 0; i < text.length; i++) {
      const got = filter.get([text[i]!]);
      if (got.length > 0 && i < text.length - 1) early = true;
      records.push(...got);
    }
    expect(early).toBe(false);
    expect(records).toHaveLength(1);
    expect((records[0] as HTTPRequest).content().toString()).toBe('hello');
  });

  it('pipelined requests in one chunk come out one by one, in order', () => {
    const records = new FilterHTTPD().get([request('GET /a HTTP/1.1') + request('GET /b HTTP/1.1')]) as HTTPRequest[];
    expect(records.map((r) => r.uri())).toEqual(['/a', '/b']);
  });

  it('garbage is a 400 HTTPResponse record to put back, and the filter serves the next request', () => {
    const filter = new FilterHTTPD();
    const [bad] = filter.get(['\x00\x01 this is not HTTP\r\n\r\n']);
    expect(bad).toBeInstanceOf(HTTPResponse);
    expect((bad as HTTPResponse).code()).toBe(400);
    expect((bad as HTTPResponse).is_success()).toBe(false);
    const [good] = filter.get([request('GET /after HTTP/1.1')]);
    expect((good as HTTPRequest).uri()).toBe('/after');
  });

  it('size limits: a Content-Length over MaxContent is a 413 (even a lying one); within it the content comes; a header block over MaxHeaderSize is a 400', () => {
    const filter = new FilterHTTPD();
    const [huge] = filter.get([request('POST / HTTP/1.1', `Content-Length: ${1024 * 1024 * 1024}`, 'Content-Type: text/plain') + 'Nothing much']);
    expect((huge as HTTPResponse).code()).toBe(413);
    expect((huge as HTTPResponse).request?.method()).toBe('POST');
    const small = new FilterHTTPD({ MaxContent: 10 });
    expect((small.get([request('POST / HTTP/1.1', 'Content-Length: 5') + 'honk\n'])[0] as HTTPRequest).content().toString()).toBe('honk\n');
    expect((small.get([request('POST / HTTP/1.1', 'Content-Length: 15') + 'honk honk honk\n'])[0] as HTTPResponse).code()).toBe(413);
    const chunkedOver = small.get([request('POST / HTTP/1.1', 'Transfer-Encoding: chunked') + 'b\r\nhello world\r\n0\r\n\r\n'])[0] as HTTPResponse;
    expect(chunkedOver.code()).toBe(413);
    const headers = new FilterHTTPD({ MaxHeaderSize: 1024 });
    expect((headers.get([request('GET / HTTP/1.1', `X-Big: ${'a'.repeat(2048)}`)])[0] as HTTPResponse).code()).toBe(400);
    expect(() => new FilterHTTPD({ MaxContent: 10, MaxBuffer: 10 })).toThrow(/MaxBuffer is not large enough for MaxContent/);
  });

  it('put: the status line, headers with network newlines, then the content untouched', () => {
    const response = new HTTPResponse(200, 'OK', { 'Content-Type': 'application/octet-stream', 'Content-Length': 5 }, Buffer.from([0x00, 0xe7, 0xff, 0x00, 0x05]));
    const [bytes] = new FilterHTTPD().put([response]) as Buffer[];
    expect(bytes!.subarray(0, bytes!.length - 5).toString('latin1')).toBe('HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\n');
    expect([...bytes!.subarray(bytes!.length - 5)]).toEqual([0x00, 0xe7, 0xff, 0x00, 0x05]);
    // A message other than the standard one gets the standard one in parentheses, as POE writes it.
    expect((new FilterHTTPD().put([new HTTPResponse(404, 'Gone fishing', [], '', 'HTTP/1.1')])[0] as Buffer).toString()).toBe('HTTP/1.1 404 (Not Found) Gone fishing\r\n\r\n');
  });
});
