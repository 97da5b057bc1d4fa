import { Kernel } from '@poets/kernel';
import type { NscaCheck } from './check.js';
import { ClientNSCA, type ClientNSCAOptions } from './client-nsca.js';
import { NscaSendError } from '../errors.js';
import type { ClientNSCAResult, ClientNSCASuccess } from './result.js';

/**
 * Promise helpers for TypeScript callers (new to the port): send checks without writing a
 * session. Every check of one call goes over one connection (one per check in legacy mode).
 */

/** Client::NSCA's parameters, without `alias` (the helper's component is private). */
export type SendChecksOptions = Omit<ClientNSCAOptions, 'alias'>;

/**
 * Sends `checks` to an NSCA server. Resolves with their results, in order, when all were sent;
 * rejects with an `NscaSendError` (holding every result) when any failed, and at once (TypeError,
 * RangeError, UnsupportedMethodError) for bad options.
 *
 * Runs on `options.kernel` (started if it is not running), by default on a kernel of its own, so
 * it needs no running POE program.
 */
export async function sendChecks(options: SendChecksOptions, checks: readonly NscaCheck[]): Promise<ClientNSCASuccess[]> {
  const kernel = options.kernel ?? new Kernel();
  const client = ClientNSCA.spawn({ ...options, kernel });
  const pending = checks.map((check) => client.send(check));
  // Posted, not called: the shutdown comes after the checks in the queue.
  kernel.post(client.session_id(), 'shutdown');
  const all = Promise.all(pending);
  // Every result is in once the component is gone; a kernel that dies (a session's unhandled
  // error) rejects here rather than leaving the Promise pending.
  const results: ClientNSCAResult[] = await Promise.race([all, kernel.run().then(() => all)]);
  if (results.every((r) => r.success)) return results as ClientNSCASuccess[];
  throw new NscaSendError(results);
}

/** Sends one check; resolves with its result, or rejects with an `NscaSendError`. */
export async function sendCheck(options: SendChecksOptions, check: NscaCheck): Promise<ClientNSCASuccess> {
  const [result] = await sendChecks(options, [check]);
  return result!;
}
