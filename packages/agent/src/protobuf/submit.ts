// SubmitRequestMessage / SubmitResponseMessage <-> plain SubmitRequest / SubmitResponse, and the
// simple forms (Core.simple_submit's arguments, its [success, message] answer).
import { Result_StatusCodeType } from './gen/common_pb.js';
import type { SubmitRequestMessage, SubmitResponseMessage } from './gen/plugin_pb.js';
import { headerToWire, withHeader } from './header.js';
import {
  decodeSubmitRequestMessage,
  decodeSubmitResponseMessage,
  encodeSubmitRequestMessage,
  encodeSubmitResponseMessage,
} from './messages.js';
import { queryResultFromWire, queryResultToWire, simpleQueryResult } from './query.js';
import type { HeaderFields, ResultStatus, SubmitRequest, SubmitResponse, SubmitResult } from './types.js';

const STATUS_NAMES: readonly ResultStatus[] = ['STATUS_OK', 'STATUS_WARNING', 'STATUS_ERROR', 'STATUS_DELAYED'];

/** Common.Result.StatusCodeType by number; a number the enum does not have reads as STATUS_ERROR. */
export function resultStatusFromWire(code: number): ResultStatus {
  return STATUS_NAMES[code] ?? 'STATUS_ERROR';
}

export function resultStatusToWire(status: ResultStatus): Result_StatusCodeType {
  return Result_StatusCodeType[status];
}

export function submitRequestToWire(request: SubmitRequest): Uint8Array {
  return encodeSubmitRequestMessage({
    header: headerToWire(request.header),
    channel: request.channel,
    payload: request.payload.map(queryResultToWire),
  });
}

export function submitRequestFromMessage(message: SubmitRequestMessage): SubmitRequest {
  const out: SubmitRequest = { channel: message.channel, payload: message.payload.map(queryResultFromWire) };
  return withHeader(out, message.header);
}

/** Throws ProtobufDecodeError when `bytes` is not a SubmitRequestMessage. */
export function submitRequestFromWire(bytes: Uint8Array): SubmitRequest {
  return submitRequestFromMessage(decodeSubmitRequestMessage(bytes));
}

export function submitResponseToWire(response: SubmitResponse): Uint8Array {
  return encodeSubmitResponseMessage({
    header: headerToWire(response.header),
    payload: response.payload.map((r) => ({
      id: r.id,
      command: r.command,
      result: { code: resultStatusToWire(r.status), message: r.message, data: r.data },
    })),
  });
}

export function submitResponseFromMessage(message: SubmitResponseMessage): SubmitResponse {
  const out: SubmitResponse = {
    payload: message.payload.map((r) => {
      // An absent result reads as proto3's defaults (STATUS_OK, ''), as it does in NSClient++.
      const item: SubmitResult = { command: r.command, status: resultStatusFromWire(r.result?.code ?? 0), message: r.result?.message ?? '' };
      if (r.result?.data) item.data = r.result.data;
      if (r.id) item.id = r.id;
      return item;
    }),
  };
  return withHeader(out, message.header);
}

/** Throws ProtobufDecodeError when `bytes` is not a SubmitResponseMessage. */
export function submitResponseFromWire(bytes: Uint8Array): SubmitResponse {
  return submitResponseFromMessage(decodeSubmitResponseMessage(bytes));
}

/**
 * Core.simple_submit's arguments as a request, as NSClient++'s core helper builds it: one result of
 * one line, perfdata parsed; `source` and `target` go in the header when given.
 */
export function simpleSubmitRequest(
  channel: string,
  command: string,
  code: number,
  message: string,
  perf: string,
  route: { source?: string; target?: string } = {},
): SubmitRequest {
  const request: SubmitRequest = { channel, payload: [simpleQueryResult(command, code, message, perf)] };
  if (route.source !== undefined || route.target !== undefined) {
    const header: HeaderFields = {};
    if (route.source) header.sourceId = header.senderId = route.source;
    if (route.target) header.recipientId = header.destinationId = route.target;
    request.header = header;
  }
  return request;
}

/** One subscriber's answer, as NSClient++'s helpers build it: STATUS_OK or STATUS_ERROR and a message. */
export function simpleSubmitResult(command: string, ok: boolean, message: string): SubmitResult {
  return { command, status: ok ? 'STATUS_OK' : 'STATUS_ERROR', message };
}

/**
 * A response read back as `[success, message]` (Core.simple_submit's tuple): the single result's
 * message, success when its status is STATUS_OK. Any other number of results is a failure.
 */
export function simpleSubmitResponse(response: SubmitResponse): [boolean, string] {
  if (response.payload.length !== 1) return [false, `expected one result in the submit response, got ${response.payload.length}`];
  const only = response.payload[0]!;
  return [only.status === 'STATUS_OK', only.message];
}
