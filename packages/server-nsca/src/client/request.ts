import type { Destination } from '@poets/kernel';
import type { NscaCheck } from './check.js';
import type { ClientNSCAResult } from './result.js';

/**
 * A `send_nsca` request, as posted to a spawned Client::NSCA: POE::Component::Client::NSCA's
 * parameters for one check. Posted as one hash (`post(id, 'send_nsca', { event, message })`) or
 * as POE's key/value list (`post(id, 'send_nsca', 'event', '_result', 'message', {...})`).
 */
export interface ClientNSCARequest<Context = unknown> {
  /** The event posted back with the result (ARG0 the result hash, ARG1 the context). */
  event: string;
  /** The check to send. */
  message: NscaCheck;
  /** Anything; comes back in the result hash and as ARG1. */
  context?: Context;
  /** Where the result goes (a session, its ID or alias); default: the session that posted. */
  session?: Destination;
}

/** @internal How the Promise helpers are answered instead of an event. */
export const RESOLVE: unique symbol = Symbol('ClientNSCA.resolve');

/** @internal A request as the component reads it, not validated yet. */
export interface RawRequest {
  event: unknown;
  message: unknown;
  context: unknown;
  session: unknown;
  resolve: ((result: ClientNSCAResult) => void) | undefined;
}

/** @internal */
export type ResolvableRequest = ClientNSCARequest & { [RESOLVE]?: (result: ClientNSCAResult) => void };

/** @internal Reads a request from an event's arguments: one hash, or key/value pairs. */
export function requestOf(args: readonly unknown[]): RawRequest {
  let fields: Record<string | symbol, unknown>;
  if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null) {
    fields = args[0] as Record<string | symbol, unknown>;
  } else {
    fields = {};
    for (let i = 0; i + 1 < args.length; i += 2) fields[String(args[i])] = args[i + 1];
  }
  const resolve = fields[RESOLVE];
  return {
    event: fields.event,
    message: fields.message,
    context: fields.context,
    session: fields.session,
    resolve: typeof resolve === 'function' ? (resolve as (result: ClientNSCAResult) => void) : undefined,
  };
}
