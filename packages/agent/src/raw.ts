// The raw variants of queries, command-line commands, submissions and events: NSClient++'s
// protobuf messages (the protobuf/ layer encodes and decodes them) mapped onto the same plain
// requests the simple calls make, so both reach the same handlers. Bytes that are not the
// message are refused with the reason, logged, and answered as NSClient++ answers a bad request.
import type { Agent } from './agent.js';
import {
  encodeEventMessage,
  execRequestFromWire,
  execRequestToWire,
  execResponseFromWire,
  execResponseToWire,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromWire,
  queryResponseToWire,
  simpleExecResult,
  simpleQueryResponse,
  simpleQueryResult,
  submitRequestFromWire,
  submitRequestToWire,
  type QueryResult as WireQueryResult,
} from './protobuf/index.js';
import type { Registrant } from './registry.js';
import type { EventHandler, ExecHandler, ExecResult, MaybePromise, QueryHandler, QueryResult, Submission, SubmissionHandler } from './requests.js';
import { status, toStatus } from './status.js';

/** `Registry.function`'s callback: the command and a serialized QueryRequestMessage; returns `[code, QueryResponseMessage bytes]`. */
export type RawQueryFunction = (command: string, request: Uint8Array) => MaybePromise<readonly [code: number, response: Uint8Array]>;
/** `Registry.cmdline`'s callback: the command and a serialized ExecuteRequestMessage; returns `[code, ExecuteResponseMessage bytes]`. */
export type RawCmdlineFunction = (command: string, request: Uint8Array) => MaybePromise<readonly [code: number, response: Uint8Array]>;
/** `Registry.subscription`'s callback: the channel and a serialized SubmitRequestMessage; returns `[success, response bytes]` (or just success). */
export type RawSubscriptionFunction = (channel: string, message: Uint8Array) => MaybePromise<readonly [success: boolean, response?: Uint8Array] | boolean>;
/** `Registry.event_pb`'s callback: the event name and a serialized EventMessage. Its value is ignored. */
export type RawEventFunction = (event: string, request: Uint8Array) => unknown;

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a raw call answers for bytes that are not its message: the reason, already logged. */
export interface Refusal {
  refused: string;
}

/** Decodes a raw call's bytes, or logs (naming the caller and the call) why they are not the message. */
export function decodeOrRefuse<T>(caller: Registrant, call: string, bytes: unknown, decode: (bytes: Uint8Array) => T): T | Refusal {
  try {
    return decode(toBytes(bytes, 'request'));
  } catch (error) {
    caller.plugin.logger.log('error', `${caller.name}: ${call} refused: ${reason(error)}`, { error });
    return { refused: `Invalid request: ${reason(error)}` };
  }
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof (value as Refusal | null)?.refused === 'string';
}

function toBytes(value: unknown, what: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`returned ${typeof value} where ${what} bytes belong`);
}

/** A wire result as the core's plain result: lines joined, perfdata rendered, as NSClient++'s simple helpers read it. */
export function plainResult(result: WireQueryResult): QueryResult {
  const [code, message, perf] = simpleQueryResponse({ payload: [result] });
  return { command: result.command, result: code, message, perf };
}

/** The core's plain result as one wire result (one line, perfdata parsed). */
export function wireResult(result: QueryResult): WireQueryResult {
  return simpleQueryResult(result.command, result.result, result.message, result.perf);
}

function worst(codes: readonly number[]): number {
  return codes.reduce((a, b) => Math.max(a, b), 0);
}

// ---- Handlers registered raw ----------------------------------------------------------------

/** A raw check callback as the core's QueryHandler: the request encoded, the response decoded. */
export function rawQueryHandler(fn: RawQueryFunction): QueryHandler {
  return (request) => {
    const bytes = queryRequestToWire({ payload: [{ command: request.command, arguments: request.arguments }] });
    const convert = (out: unknown): QueryResult => {
      if (!Array.isArray(out)) throw new TypeError(`returned ${typeof out}, not (code, response)`);
      const response = queryResponseFromWire(toBytes(out[1], 'QueryResponseMessage'));
      const first = response.payload[0];
      if (first === undefined) return { command: request.command, result: toStatus(out[0]), message: '', perf: '' };
      return { ...plainResult(first), command: request.command };
    };
    const out = fn(request.command, bytes);
    return isPromise(out) ? out.then(convert) : convert(out);
  };
}

/** A raw command-line callback as the core's ExecHandler. */
export function rawExecHandler(fn: RawCmdlineFunction): ExecHandler {
  return (request) => {
    const bytes = execRequestToWire({ payload: [{ command: request.command, arguments: request.arguments }] });
    const convert = (out: unknown): ExecResult => {
      if (!Array.isArray(out)) throw new TypeError(`returned ${typeof out}, not (code, response)`);
      const first = execResponseFromWire(toBytes(out[1], 'ExecuteResponseMessage')).payload[0];
      if (first === undefined) return { command: request.command, result: Number(out[0]) || 0, message: '' };
      return { command: request.command, result: first.result, message: first.message };
    };
    const out = fn(request.command, bytes);
    return isPromise(out) ? out.then(convert) : convert(out);
  };
}

/** The submission as NSClient++ puts it on the wire: one result per payload, `source` kept. */
export function submitBytes(channel: string, payloads: readonly Submission[]): Uint8Array {
  return submitRequestToWire({
    channel,
    payload: payloads.map((p) => {
      const r = wireResult(p);
      if (p.source !== '') r.source = p.source;
      return r;
    }),
  });
}

/** A raw subscriber as the core's SubmissionHandler: true when it answered success. */
export function rawSubmissionHandler(fn: RawSubscriptionFunction): SubmissionHandler {
  return (channel, payloads) => {
    const convert = (out: unknown): boolean => (Array.isArray(out) ? out[0] !== false : out !== false);
    const out = fn(channel, submitBytes(channel, payloads));
    return isPromise(out) ? out.then(convert) : convert(out);
  };
}

/** A raw event handler: the event's data as a serialized EventMessage. */
export function rawEventHandler(fn: RawEventFunction): EventHandler {
  return (event, data) =>
    fn(event, encodeEventMessage({ payload: [{ event, data: Object.entries(data).map(([key, value]) => ({ key, value })) }] }));
}

// ---- Calls made raw -------------------------------------------------------------------------

/**
 * `Core.query`: runs every command of the QueryRequestMessage (or `command` when it has none),
 * in order, and answers a QueryResponseMessage with the worst status as the code.
 */
export async function rawQuery(agent: Agent, caller: Registrant, command: string, request: Uint8Array): Promise<[number, Uint8Array]> {
  const decoded = decodeOrRefuse(caller, `Core.query(${command})`, request, queryRequestFromWire);
  if (isRefusal(decoded)) {
    const refused = { command, result: status.UNKNOWN, message: decoded.refused, perf: '' } satisfies QueryResult;
    return [status.UNKNOWN, queryResponseToWire({ payload: [wireResult(refused)] })];
  }
  let commands = decoded.payload;
  if (commands.length === 0) commands = [{ command, arguments: [] }];
  const results: QueryResult[] = [];
  for (const c of commands) results.push(await agent.runQuery({ command: c.command, arguments: c.arguments }));
  return [worst(results.map((r) => r.result)), queryResponseToWire({ payload: results.map(wireResult) })];
}

/** `Core.exec`: runs every command of the ExecuteRequestMessage on `target` (else the header's `target`). */
export async function rawExec(agent: Agent, caller: Registrant, target: string, request: Uint8Array): Promise<[number, Uint8Array]> {
  const decoded = decodeOrRefuse(caller, 'Core.exec', request, execRequestFromWire);
  if (isRefusal(decoded)) return [status.UNKNOWN, execResponseToWire({ payload: [simpleExecResult('', status.UNKNOWN, decoded.refused)] })];
  const to = target !== '' ? target : (decoded.header?.metadata?.find(([k]) => k === 'target')?.[1] ?? '');
  const results: ExecResult[] = [];
  for (const c of decoded.payload) results.push(await agent.runExec(to, { command: c.command, arguments: c.arguments }));
  return [worst(results.map((r) => r.result)), execResponseToWire({ payload: results.map((r) => simpleExecResult(r.command, r.result, r.message)) })];
}

/** `Core.submit`: the SubmitRequestMessage's results on `channel` (else the message's channel): `[success, error_message]`. */
export async function rawSubmit(agent: Agent, caller: Registrant, channel: string, request: Uint8Array): Promise<[boolean, string]> {
  const decoded = decodeOrRefuse(caller, `Core.submit(${channel})`, request, submitRequestFromWire);
  if (isRefusal(decoded)) return [false, decoded.refused];
  const target = decoded.header?.recipientId ?? decoded.header?.destinationId ?? '';
  const payloads: Submission[] = decoded.payload.map((r) => ({ ...plainResult(r), source: r.source ?? '', ...(target !== '' ? { target } : {}) }));
  const result = await agent.submit(channel !== '' ? channel : decoded.channel, payloads);
  return [result.success, result.message];
}
