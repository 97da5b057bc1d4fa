import { Observable, type Subscription } from 'rxjs';
import type { Destination, Dispatch, Kernel } from './kernel.js';

/** Every dispatch the kernel makes (time, session, event, sender, args), for tracing and metrics. */
export function dispatches(kernel: Kernel): Observable<Dispatch> {
  return new Observable<Dispatch>((subscriber) => kernel.onDispatch((dispatch) => subscriber.next(dispatch)));
}

/**
 * The argument lists (ARG0...) of each `event` dispatched to a session, which keeps its own
 * handler for it. Completes after the session's `_stop`; errors if `dest` names no session.
 */
export function fromSessionEvent(kernel: Kernel, dest: Destination, event: string): Observable<unknown[]> {
  return new Observable<unknown[]>((subscriber) => {
    const session = kernel.alias_resolve(dest);
    if (session === undefined) {
      subscriber.error(kernel.lastError);
      return undefined;
    }
    return kernel.onDispatch((dispatch) => {
      if (dispatch.session !== session) return;
      if (dispatch.event === event) subscriber.next([...dispatch.args]);
      if (dispatch.event === '_stop') queueMicrotask(() => subscriber.complete());
    });
  });
}

export interface PostEachOptions {
  /** Posted (with no argument) when the Observable completes. */
  complete?: string;
  /** Posted with the error as ARG0 when the Observable errors. */
  error?: string;
}

/**
 * Posts each value of `source` to `dest` as `event`, ARG0 the value. While subscribed it holds
 * `dest` alive (an extra refcount tagged `rx`), as a pending event would; the hold ends when the
 * Observable completes or errors, or the returned Subscription is unsubscribed.
 */
export function postEach<T>(source: Observable<T>, kernel: Kernel, dest: Destination, event: string, options: PostEachOptions = {}): Subscription {
  const session = kernel.alias_resolve(dest);
  if (session === undefined) throw kernel.lastError!;
  const id = session.ID();
  kernel.refcount_increment(id, 'rx');
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    kernel.refcount_decrement(id, 'rx');
  };
  const subscription = source.subscribe({
    next: (value) => {
      if (!kernel.post(session, event, value)) subscription?.unsubscribe();
    },
    error: (error: unknown) => {
      if (options.error !== undefined) kernel.post(session, options.error, error);
      release();
    },
    complete: () => {
      if (options.complete !== undefined) kernel.post(session, options.complete);
      release();
    },
  });
  subscription.add(release);
  return subscription;
}
