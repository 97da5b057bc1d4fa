// The simple forms the script API's simple_* calls map to, shaped as NSClient++'s helpers shape
// them, and the mappings NSClient++ applies to codes.
import { describe, expect, it } from 'vitest';
import {
  decodeEventMessage,
  eventFromWire,
  eventToWire,
  simpleEvent,
  decodeExecuteRequestMessage,
  decodeSubmitRequestMessage,
  execRequestToWire,
  execResponseFromWire,
  execResponseToWire,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromWire,
  queryResponseToWire,
  resultStatusFromWire,
  simpleExecRequest,
  simpleExecResponse,
  simpleExecResult,
  simpleQueryRequest,
  simpleQueryResponse,
  simpleQueryResult,
  unknownQueryResult,
  unknownExecResult,
  simpleSubmitRequest,
  simpleSubmitResponse,
  simpleSubmitResult,
  submitRequestToWire,
  submitResponseFromWire,
  submitResponseToWire,
  toStatus,
  encodeQueryResponseMessage,
  ResultCode,
} from '../../src/protobuf/index.js';

describe('query', () => {
  it('a simple query is one command with its arguments', () => {
    const bytes = queryRequestToWire(simpleQueryRequest('check_cpu', ['warn=80', 'crit=90']));
    expect(queryRequestFromWire(bytes)).toEqual({ payload: [{ command: 'check_cpu', arguments: ['warn=80', 'crit=90'] }] });
  });

  it('a simple result is one line whose perfdata text is parsed', () => {
    const result = simpleQueryResult('check_py_test', 0, 'This is the message', "'count'=123;200;600");
    expect(result).toEqual({ command: 'check_py_test', result: 0, lines: [{ message: 'This is the message', perf: [{ alias: 'count', value: 123, warning: 200, critical: 600 }] }] });
    expect(simpleQueryResult('x', 1, 'm', '').lines[0]!.perf).toEqual([]);
  });

  it('reads a response back as [code, message, perf], lines joined', () => {
    const bytes = queryResponseToWire({
      payload: [
        {
          command: 'check_x',
          result: 1,
          lines: [
            { message: 'first ', perf: [{ alias: 'a', value: 1 }] },
            { message: 'second', perf: [] },
            { message: '', perf: [{ alias: 'b', value: 2, unit: '%' }] },
          ],
        },
      ],
    });
    expect(simpleQueryResponse(queryResponseFromWire(bytes))).toEqual([1, 'first second', "'a'=1 'b'=2%"]);
  });

  it('reads a response with no result or no line as UNKNOWN', () => {
    expect(simpleQueryResponse({ payload: [] })).toEqual([3, '', '']);
    expect(simpleQueryResponse({ payload: [{ command: 'c', result: 0, lines: [] }] })).toEqual([3, '', '']);
  });

  it('maps a result code outside 0..3 to UNKNOWN both ways, as NSClient++ does', () => {
    expect([0, 1, 2, 3, 4, -1, 99].map(toStatus)).toEqual([0, 1, 2, 3, 3, 3, 3]);
    const bytes = encodeQueryResponseMessage({ payload: [{ command: 'c', result: 7 as ResultCode }] });
    expect(queryResponseFromWire(bytes).payload[0]!.result).toBe(3);
    const written = queryResponseToWire({ payload: [{ command: 'c', result: 9 as 3, lines: [] }] });
    expect(queryResponseFromWire(written).payload[0]!.result).toBe(3);
  });
});

describe('failures', () => {
  it('are UNKNOWN with the message, and name the command unknown when there is none', () => {
    expect(unknownQueryResult('check_nothing', 'Unknown command(s): check_nothing')).toEqual({
      command: 'check_nothing',
      result: 3,
      lines: [{ message: 'Unknown command(s): check_nothing', perf: [] }],
    });
    expect(simpleQueryResponse({ payload: [unknownQueryResult('', 'boom')] })).toEqual([3, 'boom', '']);
    expect(unknownQueryResult('', 'boom').command).toBe('unknown');
    expect(unknownExecResult('', 'no such command')).toEqual({ command: 'unknown', result: 3, message: 'no such command' });
  });
});

describe('submit', () => {
  it('a simple submit is one result of one line on the channel, routed by the header when asked', () => {
    const request = simpleSubmitRequest('NSCA', 'check_py', 2, 'All bad', "'x'=1", { source: 'me', target: 'nagios' });
    const m = decodeSubmitRequestMessage(submitRequestToWire(request));
    expect(m.channel).toBe('NSCA');
    expect([m.header?.sourceId, m.header?.senderId, m.header?.recipientId, m.header?.destinationId]).toEqual(['me', 'me', 'nagios', 'nagios']);
    expect(m.payload).toHaveLength(1);
    expect(m.payload[0]!.command).toBe('check_py');
    expect(m.payload[0]!.result).toBe(ResultCode.CRITICAL);
    expect(m.payload[0]!.lines[0]!.message).toBe('All bad');
    expect(m.payload[0]!.lines[0]!.perf[0]!.alias).toBe('x');
    expect(simpleSubmitRequest('NSCA', 'c', 0, 'm', '').header).toBeUndefined();
  });

  it('reads a response back as [success, message]', () => {
    const ok = submitResponseToWire({ payload: [simpleSubmitResult('c', true, 'sent')] });
    expect(simpleSubmitResponse(submitResponseFromWire(ok))).toEqual([true, 'sent']);
    const bad = submitResponseToWire({ payload: [simpleSubmitResult('c', false, 'no such channel: X')] });
    expect(simpleSubmitResponse(submitResponseFromWire(bad))).toEqual([false, 'no such channel: X']);
    expect(simpleSubmitResponse({ payload: [] })[0]).toBe(false);
  });

  it('reads an absent result as STATUS_OK with no message (proto3 defaults), an unknown status as STATUS_ERROR', () => {
    expect(submitResponseFromWire(Uint8Array.from([0x12, 0x03, 0x12, 0x01, 0x63]))).toEqual({ payload: [{ command: 'c', status: 'STATUS_OK', message: '' }] });
    expect(resultStatusFromWire(3)).toBe('STATUS_DELAYED');
    expect(resultStatusFromWire(42)).toBe('STATUS_ERROR');
  });
});

describe('exec', () => {
  it("a simple exec puts a non-empty target in the header's metadata", () => {
    const m = decodeExecuteRequestMessage(execRequestToWire(simpleExecRequest('CheckSystem', 'do_foo', ['a', 'b'])));
    expect(m.header?.metadata.map((kv) => [kv.key, kv.value])).toEqual([['target', 'CheckSystem']]);
    expect(m.payload[0]!.command).toBe('do_foo');
    expect(m.payload[0]!.arguments).toEqual(['a', 'b']);
    expect(simpleExecRequest('', 'do_foo', []).header).toBeUndefined();
  });

  it('reads a response back as [worst code, messages]', () => {
    const bytes = execResponseToWire({ payload: [simpleExecResult('a', 0, 'fine'), simpleExecResult('b', 2, 'broken'), simpleExecResult('c', 1, 'meh')] });
    expect(simpleExecResponse(execResponseFromWire(bytes))).toEqual([2, ['fine', 'broken', 'meh']]);
    expect(simpleExecResponse({ payload: [] })).toEqual([0, []]);
  });
});

describe('event', () => {
  it('an event is named module:event with its data as key/values in order: event 1, data 3 { key 1, value 2 }', () => {
    const bytes = eventToWire(simpleEvent('eventlog:login', { id: '4624', user: 'bob' }));
    const kv = (k: string, v: string) => [0x0a, k.length, ...Buffer.from(k), 0x12, v.length, ...Buffer.from(v)];
    const first = kv('id', '4624');
    const second = kv('user', 'bob');
    const request = [0x0a, 14, ...Buffer.from('eventlog:login'), 0x1a, first.length, ...first, 0x1a, second.length, ...second];
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from([0x12, request.length, ...request]).toString('hex'));
    expect(decodeEventMessage(bytes).payload[0]!.event).toBe('eventlog:login');
    expect(eventFromWire(bytes)).toEqual({ payload: [{ event: 'eventlog:login', data: [['id', '4624'], ['user', 'bob']] }] });
  });
});
