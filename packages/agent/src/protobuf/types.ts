// The plain shapes the agent's core works with, beside the wire messages. Field names are
// camelCase (new to the port); optional string fields are absent rather than '' (proto3 cannot
// tell the two apart, so '' on the wire comes back absent).

/** A Nagios status, NSClient++'s ResultCode: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3. */
export type Status = 0 | 1 | 2 | 3;

/** Common.Header: who sent a message, who it is for, and the hosts those ids refer to. */
export interface HeaderFields {
  command?: string;
  sourceId?: string;
  senderId?: string;
  recipientId?: string;
  destinationId?: string;
  messageId?: string;
  /** Key/value pairs in wire order; NSClient++ puts e.g. `target` and `nscp.caller_plugin_id` here. */
  metadata?: [key: string, value: string][];
  tags?: string[];
  hosts?: HostFields[];
}

/** Common.Host. */
export interface HostFields {
  id?: string;
  host?: string;
  address?: string;
  protocol?: string;
  comment?: string;
  metadata?: [key: string, value: string][];
  tags?: string[];
}

/**
 * One perfdata item (Common.PerformanceData): a number (FloatValue) with unit, thresholds and
 * bounds, a text (StringValue, e.g. Nagios' `U` for undefined), or neither.
 */
export type Perf = FloatPerf | StringPerf | EmptyPerf;

export interface FloatPerf {
  alias: string;
  value: number;
  unit?: string;
  warning?: number;
  critical?: number;
  minimum?: number;
  maximum?: number;
  /** A Nagios range as written (`4:5`, `@10:20`, `~:30`); rendered instead of `warning` when set. */
  warningRange?: string;
  criticalRange?: string;
}

export interface StringPerf {
  alias: string;
  value: string;
}

export interface EmptyPerf {
  alias: string;
  value?: undefined;
}

/** QueryRequestMessage.Request: one check command to run. */
export interface QueryCommand {
  command: string;
  arguments: string[];
  alias?: string;
  target?: string;
  id?: number;
}

/** QueryRequestMessage. */
export interface QueryRequest {
  header?: HeaderFields;
  payload: QueryCommand[];
}

/** QueryResponseMessage.Response.Line: a line of output and its perfdata. */
export interface QueryLine {
  message: string;
  perf: Perf[];
}

/** QueryResponseMessage.Response: one check's result (also a submission's payload entry). */
export interface QueryResult {
  command: string;
  result: Status;
  lines: QueryLine[];
  alias?: string;
  source?: string;
  arguments?: string[];
  id?: number;
  data?: Uint8Array;
}

/** QueryResponseMessage. */
export interface QueryResponse {
  header?: HeaderFields;
  payload: QueryResult[];
}

/** SubmitRequestMessage: passive results for a channel (or a comma-separated list of them). */
export interface SubmitRequest {
  header?: HeaderFields;
  channel: string;
  payload: QueryResult[];
}

/** Common.Result.StatusCodeType. */
export type ResultStatus = 'STATUS_OK' | 'STATUS_WARNING' | 'STATUS_ERROR' | 'STATUS_DELAYED';

/** SubmitResponseMessage.Response: what one channel subscriber made of a submission. */
export interface SubmitResult {
  command: string;
  status: ResultStatus;
  message: string;
  data?: string;
  id?: number;
}

/** SubmitResponseMessage. */
export interface SubmitResponse {
  header?: HeaderFields;
  payload: SubmitResult[];
}

/** ExecuteRequestMessage.Request: one command-line command to run. */
export interface ExecCommand {
  command: string;
  arguments: string[];
  id?: number;
}

/** ExecuteRequestMessage. */
export interface ExecRequest {
  header?: HeaderFields;
  payload: ExecCommand[];
}

/** ExecuteResponseMessage.Response. */
export interface ExecResult {
  command: string;
  result: Status;
  message: string;
  arguments?: string[];
  id?: number;
  data?: Uint8Array;
}

/** ExecuteResponseMessage. */
export interface ExecResponse {
  header?: HeaderFields;
  payload: ExecResult[];
}

/** EventMessage.Request: one event, its arguments and its key/value data in wire order. */
export interface EventItem {
  event: string;
  arguments?: string[];
  data?: [key: string, value: string][];
}

/** EventMessage. */
export interface EventBatch {
  header?: HeaderFields;
  payload: EventItem[];
}
