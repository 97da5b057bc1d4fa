// ExecuteRequestMessage / ExecuteResponseMessage <-> plain ExecRequest / ExecResponse, and the
// simple forms (Core.simple_exec's arguments, its [code, messages] answer).
import type { ExecuteRequestMessage, ExecuteResponseMessage } from './gen/plugin_pb.js';
import { headerToWire, withHeader, toStatus } from './header.js';
import {
  decodeExecuteRequestMessage,
  decodeExecuteResponseMessage,
  encodeExecuteRequestMessage,
  encodeExecuteResponseMessage,
} from './messages.js';
import type { ExecCommand, ExecRequest, ExecResponse, ExecResult, Status } from './types.js';

export function execRequestToWire(request: ExecRequest): Uint8Array {
  return encodeExecuteRequestMessage({ header: headerToWire(request.header), payload: request.payload });
}

export function execRequestFromMessage(message: ExecuteRequestMessage): ExecRequest {
  const out: ExecRequest = {
    payload: message.payload.map((r) => {
      const command: ExecCommand = { command: r.command, arguments: r.arguments };
      if (r.id) command.id = r.id;
      return command;
    }),
  };
  return withHeader(out, message.header);
}

/** Throws ProtobufDecodeError when `bytes` is not an ExecuteRequestMessage. */
export function execRequestFromWire(bytes: Uint8Array): ExecRequest {
  return execRequestFromMessage(decodeExecuteRequestMessage(bytes));
}

export function execResponseToWire(response: ExecResponse): Uint8Array {
  return encodeExecuteResponseMessage({
    header: headerToWire(response.header),
    payload: response.payload.map((r) => ({ ...r, result: toStatus(r.result) })),
  });
}

export function execResponseFromMessage(message: ExecuteResponseMessage): ExecResponse {
  const out: ExecResponse = {
    payload: message.payload.map((r) => {
      const result: ExecResult = { command: r.command, result: toStatus(r.result), message: r.message };
      if (r.arguments.length > 0) result.arguments = r.arguments;
      if (r.id) result.id = r.id;
      if (r.data.length > 0) result.data = r.data;
      return result;
    }),
  };
  return withHeader(out, message.header);
}

/** Throws ProtobufDecodeError when `bytes` is not an ExecuteResponseMessage. */
export function execResponseFromWire(bytes: Uint8Array): ExecResponse {
  return execResponseFromMessage(decodeExecuteResponseMessage(bytes));
}

/**
 * Core.simple_exec's arguments as a request, as NSClient++ builds it: one command; a non-empty
 * `target` (a module or remote name) travels as the header's `target` metadata.
 */
export function simpleExecRequest(target: string, command: string, args: readonly string[]): ExecRequest {
  const request: ExecRequest = { payload: [{ command, arguments: [...args] }] };
  if (target !== '') request.header = { metadata: [['target', target]] };
  return request;
}

/** A command-line command's (code, message) as one result. */
export function simpleExecResult(command: string, code: number, message: string): ExecResult {
  return { command, result: toStatus(code), message };
}

/** A failure as a result, as NSClient++'s set_response_bad makes it: UNKNOWN, `unknown` as the command when there is none. */
export function unknownExecResult(command: string, message: string): ExecResult {
  return { command: command || 'unknown', result: 3, message };
}

/** A response read back as `[code, messages]` (Core.simple_exec's tuple): every result's message, the worst code. */
export function simpleExecResponse(response: ExecResponse): [Status, string[]] {
  let worst: Status = 0;
  const messages: string[] = [];
  for (const r of response.payload) {
    messages.push(r.message);
    if (r.result > worst) worst = r.result;
  }
  return [worst, messages];
}
