import type { Kernel } from './kernel.js';
import { Session } from './session.js';

interface Subscription {
  event: string;
  context: unknown;
}

/**
 * The sessions registered with a component for its events, as POE components keep them: each
 * holds an event name and a context, and is held alive (an extra refcount under `tag`) until it
 * unregisters or the component clears the list. `post(...args)` sends each its event with
 * `args` then its context (ARG0..., the context last).
 */
export class Subscribers {
  private readonly sessions = new Map<Session, Subscription>();

  constructor(
    private readonly kernel: Kernel,
    private readonly tag: string,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Registers `sender` from a `register` event's arguments: POE's pairs
   * (`'event', 'got_it', 'context', x`), one `{ event, context }` object, or the event name and
   * context as they are (`'got_it', x`). Returns why it was refused, or undefined.
   */
  register(sender: unknown, args: readonly unknown[]): string | undefined {
    if (!(sender instanceof Session)) return 'register must be posted by a session';
    const { event, context } = registration(args);
    if (typeof event !== 'string' || event === '') return `register from ${sender} without an event name; ignored`;
    if (!this.sessions.has(sender)) this.kernel.refcount_increment(sender.ID(), this.tag);
    this.sessions.set(sender, { event, context });
    return undefined;
  }

  unregister(session: unknown): void {
    if (!(session instanceof Session) || !this.sessions.delete(session)) return;
    this.kernel.refcount_decrement(session.ID(), this.tag);
  }

  clear(): void {
    for (const session of [...this.sessions.keys()]) this.unregister(session);
  }

  post(...args: unknown[]): void {
    for (const [session, { event, context }] of this.sessions) this.kernel.post(session, event, ...args, context);
  }
}

function registration(args: readonly unknown[]): { event: unknown; context: unknown } {
  if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null) {
    const { event, context } = args[0] as { event?: unknown; context?: unknown };
    return { event, context };
  }
  if (args[0] !== 'event' && args[0] !== 'context') return { event: args[0], context: args[1] };
  const pairs: Record<string, unknown> = {};
  for (let i = 0; i + 1 < args.length; i += 2) pairs[String(args[i])] = args[i + 1];
  return { event: pairs.event, context: pairs.context };
}
