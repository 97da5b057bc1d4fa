import type { NscaCheck } from './check.js';

/**
 * What Client::NSCA posts back for each check (ARG0 of the result event; ARG1 is the request's
 * context). The keys of POE::Component::Client::NSCA's result hash — `host`, `message`,
 * `context`, `success`, `error` — plus `port` and, on success, the server's `timestamp`.
 * Difference: `success` is a boolean that is always there (`false` with an `error`), where the
 * Perl hash has `success => 1` or an `error` key.
 *
 * "Success" means what it means for send_nsca: the packet was written to the connection (handed
 * to the operating system). NSCA has no acknowledgement; a daemon that refuses a packet (wrong
 * password or method: bad CRC) says nothing.
 */
interface ResultBase<Context> {
  /** The NSCA server, as given. */
  readonly host: string;
  readonly port: number;
  /** The check, as given in the request. */
  readonly message: NscaCheck;
  readonly context: Context;
}

export interface ClientNSCASuccess<Context = unknown> extends ResultBase<Context> {
  readonly success: true;
  readonly error?: undefined;
  /** The init packet's timestamp the packet carried (server clock, epoch seconds). */
  readonly timestamp: number;
}

export interface ClientNSCAFailure<Context = unknown> extends ResultBase<Context> {
  readonly success: false;
  /** What went wrong, in send_nsca's manner ("Error: ..."). */
  readonly error: string;
}

export type ClientNSCAResult<Context = unknown> = ClientNSCASuccess<Context> | ClientNSCAFailure<Context>;

/** The error strings of Client::NSCA's failures. */
export const clientErrors = {
  badMessage: (why: string) => `Error: bad message: ${why}`,
  connect: (host: string, port: number, operation: string, errno: number, message: string) =>
    `Error: Could not connect to host ${host} on port ${port} (${operation} error ${errno}: ${message})`,
  noInit: (got: number, expected: number) =>
    `Error: Server closed connection before init packet was received (${got} of ${expected} bytes)`,
  socket: (operation: string, errno: number, message: string) => `Error: socket ${operation} error ${errno}: ${message}`,
  send: (operation: string, errno: number, message: string) => `Error: Could not send data to host (${operation} error ${errno}: ${message})`,
  timeout: (seconds: number) => `Error: Socket timeout after ${seconds} seconds.`,
  encryption: (message: string) => `Error: There was a problem with the encryption: ${message}`,
  shutdown: () => 'Error: the component is shutting down',
  stopped: () => 'Error: the component stopped before the check was sent',
} as const;
