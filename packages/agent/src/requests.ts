// The plain request and response shapes every call reaches the handlers with, simple or raw: the
// simple API builds them from arguments, the raw API converts NSClient++'s protobuf messages to them.
import type { StatusCode } from './status.js';

/** One check command to run (QueryRequestMessage.Request). */
export interface QueryCommand {
  command: string;
  arguments: string[];
}

/** One check's result (QueryResponseMessage.Response, its lines joined). `perf` is Nagios perfdata text. */
export interface QueryResult {
  command: string;
  result: StatusCode;
  message: string;
  perf: string;
}

/** One command-line command to run (ExecuteRequestMessage.Request). */
export interface ExecCommand {
  command: string;
  arguments: string[];
}

/** A command-line command's result (ExecuteResponseMessage.Response). */
export interface ExecResult {
  command: string;
  result: number;
  message: string;
}

/** One passive result submitted on a channel (a SubmitRequestMessage payload). */
export interface Submission {
  command: string;
  result: StatusCode;
  message: string;
  perf: string;
  /** Who the result is about or from (the payload's `source`); '' when not given. */
  source: string;
  /** Where a client module should send it (the header's recipient, e.g. an NSCA target); absent: its default. */
  target?: string;
}

/** What a channel made of a submission (SubmitResponseMessage). */
export interface SubmitResult {
  channel: string;
  success: boolean;
  message: string;
}

/** What a handler returns: the value, or a Promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** A check command as the core runs it. */
export type QueryHandler = (request: QueryCommand) => MaybePromise<QueryResult>;

/** A command-line command as the core runs it. */
export type ExecHandler = (request: ExecCommand) => MaybePromise<ExecResult>;

/** A channel subscriber as the core calls it: the channel and the payloads, true when it took them. */
export type SubmissionHandler = (channel: string, payloads: readonly Submission[]) => MaybePromise<boolean>;

/** An event handler: the event name and its data (a flat map of strings). */
export type EventHandler = (event: string, data: Readonly<Record<string, string>>) => unknown;

/** A metrics provider: returns a flat map of dotted names to values. */
export type MetricsFetcher = () => MaybePromise<Record<string, string | number | boolean>>;

/** A metrics consumer: receives the flat map of every provider's metrics, values as strings. */
export type MetricsSubmitter = (metrics: Record<string, string>, unused: string) => unknown;
