// QueryRequestMessage / QueryResponseMessage <-> plain QueryRequest / QueryResponse, and the
// simple forms NSClient++'s helpers build (one command; message and perfdata text).
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { QueryRequestMessage, QueryResponseMessage, QueryResponseMessage_Response } from './gen/plugin_pb.js';
import type { QueryResponseMessage_ResponseSchema } from './gen/plugin_pb.js';
import { headerToWire, withHeader, toStatus } from './header.js';
import {
  decodeQueryRequestMessage,
  decodeQueryResponseMessage,
  encodeQueryRequestMessage,
  encodeQueryResponseMessage,
} from './messages.js';
import { perfFromWire, perfToWire } from './perf.js';
import { parsePerfData, renderPerfData } from './perfdata.js';
import type { QueryCommand, QueryRequest, QueryResponse, QueryResult, Status } from './types.js';

export function queryRequestToWire(request: QueryRequest): Uint8Array {
  return encodeQueryRequestMessage({ header: headerToWire(request.header), payload: request.payload });
}

export function queryRequestFromMessage(message: QueryRequestMessage): QueryRequest {
  const out = withHeader<QueryRequest>({ payload: [] }, message.header);
  for (const r of message.payload) {
    const command: QueryCommand = { command: r.command, arguments: r.arguments };
    if (r.alias) command.alias = r.alias;
    if (r.target) command.target = r.target;
    if (r.id) command.id = r.id;
    out.payload.push(command);
  }
  return out;
}

/** Throws ProtobufDecodeError when `bytes` is not a QueryRequestMessage. */
export function queryRequestFromWire(bytes: Uint8Array): QueryRequest {
  return queryRequestFromMessage(decodeQueryRequestMessage(bytes));
}

/** A QueryResult as the wire's QueryResponseMessage.Response (also a SubmitRequestMessage payload entry). */
export function queryResultToWire(result: QueryResult): MessageInitShape<typeof QueryResponseMessage_ResponseSchema> {
  return {
    id: result.id,
    command: result.command,
    alias: result.alias,
    source: result.source,
    arguments: result.arguments,
    result: toStatus(result.result),
    data: result.data,
    lines: result.lines.map((line) => ({ message: line.message, perf: line.perf.map(perfToWire) })),
  };
}

export function queryResultFromWire(r: QueryResponseMessage_Response): QueryResult {
  const out: QueryResult = {
    command: r.command,
    result: toStatus(r.result),
    lines: r.lines.map((line) => ({ message: line.message, perf: line.perf.map(perfFromWire) })),
  };
  if (r.alias) out.alias = r.alias;
  if (r.source) out.source = r.source;
  if (r.arguments.length > 0) out.arguments = r.arguments;
  if (r.id) out.id = r.id;
  if (r.data.length > 0) out.data = r.data;
  return out;
}

export function queryResponseToWire(response: QueryResponse): Uint8Array {
  return encodeQueryResponseMessage({ header: headerToWire(response.header), payload: response.payload.map(queryResultToWire) });
}

export function queryResponseFromMessage(message: QueryResponseMessage): QueryResponse {
  const out: QueryResponse = { payload: message.payload.map(queryResultFromWire) };
  return withHeader(out, message.header);
}

/** Throws ProtobufDecodeError when `bytes` is not a QueryResponseMessage. */
export function queryResponseFromWire(bytes: Uint8Array): QueryResponse {
  return queryResponseFromMessage(decodeQueryResponseMessage(bytes));
}

/** One command with its arguments, as NSClient++'s create_simple_query_request builds it. */
export function simpleQueryRequest(command: string, args: readonly string[]): QueryRequest {
  return { payload: [{ command, arguments: [...args] }] };
}

/** A check's (code, message, perfdata text) as one result of one line, as NSClient++ builds it. */
export function simpleQueryResult(command: string, code: number, message: string, perf: string): QueryResult {
  return { command, result: toStatus(code), lines: [{ message, perf: perf === '' ? [] : parsePerfData(perf) }] };
}

/**
 * A failure as a result, as NSClient++'s set_response_bad makes it: UNKNOWN, one line with the
 * message, `unknown` as the command when there is none. (NSClient++ answers a query nobody
 * registered with `Unknown command(s): NAME` this way.)
 */
export function unknownQueryResult(command: string, message: string): QueryResult {
  return { command: command || 'unknown', result: 3, lines: [{ message, perf: [] }] };
}

/**
 * A response read back as `[code, message, perf]` (Core.simple_query's tuple), as NSClient++'s
 * parse_simple_query_response does: the first result's lines, messages joined, perfdata joined
 * with a space; no result or no line is UNKNOWN with an empty message.
 */
export function simpleQueryResponse(response: QueryResponse, maxLength = 0): [Status, string, string] {
  const first = response.payload[0];
  if (first === undefined || first.lines.length === 0) return [3, '', ''];
  let message = '';
  let perf = '';
  for (const line of first.lines) {
    message += line.message;
    const text = renderPerfData(line.perf, maxLength);
    if (text !== '') perf = perf === '' ? text : `${perf} ${text}`;
  }
  return [first.result, message, perf];
}
