// A personality is how accepted clients become run_client_connection calls: one at a time
// (Single), all at once as kernel sessions (Multiplex). Fork and the prefork pools slot in here.
import { KERNEL, SESSION, Session } from '@poets/kernel';
import type { Socket } from 'node:net';
import type { AnyClient } from './client.js';
import type { NetServer } from './net-server.js';

/** The process model of a NetServer (Perl's personality, chosen by the class a server extends). */
export interface Personality {
  /** Perl's name: `Single`, `Multiplex`... */
  readonly name: string;
  /** Called in loop(): start serving; resolves once `close()` was called and the work in hand is done or dropped. */
  loop(server: NetServer): Promise<void>;
  /** One accepted client (after can_read_hook). */
  accept(server: NetServer, client: AnyClient): void;
  /** Called by server_close: stop taking clients and end those in hand (the pools: their children). */
  close(server: NetServer): void | Promise<void>;
  /** Run at the end of post_configure: the personality's defaults and checks (max_servers...). */
  post_configure?(server: NetServer): void | Promise<void>;
  /**
   * The process pools: what was accepted on endpoint `index` (a stream socket raw, paused and
   * unread; a UDP datagram as its client) goes to a child instead of `accept`.
   */
  handoff?(server: NetServer, index: number, accepted: Socket | AnyClient): void;
  /** A HUP restart, once the listeners are released: resolves when every connection still waiting here has gone to a child (the pools). */
  drain?(): Promise<void>;
  /** In a child process the pool started: serve what the parent hands over; resolves when the child is done. */
  child?(server: NetServer): Promise<void>;
  /** Extra signal handlers of the parent (PreFork: TTIN, TTOU). */
  signals?(server: NetServer): Partial<Record<NodeJS.Signals, () => void>>;
}

/** Ends a client's socket now (server_close: the server is going away). */
function drop(client: AnyClient): void {
  if ('socket' in client) client.socket.destroy();
}

/** Net::Server::Single: one client at a time, the next waiting (paused, unread) until it is done. */
export class SinglePersonality implements Personality {
  readonly name = 'Single';
  private readonly queue: AnyClient[] = [];
  private current: AnyClient | undefined;
  private closed = false;
  private finish: (() => void) | undefined;

  loop(server: NetServer): Promise<void> {
    return new Promise<void>((resolve) => {
      this.finish = resolve;
      if (this.closed) resolve();
      else void this.next(server);
    });
  }

  accept(server: NetServer, client: AnyClient): void {
    if (this.closed) return drop(client);
    this.queue.push(client);
    if (this.current === undefined && this.finish !== undefined) void this.next(server);
  }

  close(): void {
    this.closed = true;
    for (const client of this.queue.splice(0)) drop(client);
    if (this.current !== undefined) drop(this.current);
    else this.finish?.();
  }

  private async next(server: NetServer): Promise<void> {
    while (!this.closed && this.current === undefined && this.queue.length > 0) {
      this.current = this.queue.shift()!;
      await server.run_client_connection(this.current);
      this.current = undefined;
    }
    if (this.closed) this.finish?.();
  }
}

/**
 * Net::Server::Multiplex on the poets kernel: every client a session of the server's kernel,
 * its run_client_connection running alongside the others'. Unlike Perl's Multiplex (IO::Multiplex
 * callbacks, mux_input), process_request is used as in every other personality: it is async, so
 * one process serves all clients at once.
 */
export class MultiplexPersonality implements Personality {
  readonly name = 'Multiplex';
  private readonly active = new Set<AnyClient>();
  private closed = false;
  private finish: (() => void) | undefined;
  private holder: Session | undefined;

  loop(server: NetServer): Promise<void> {
    const kernel = server.kernel;
    // The listening side is a session too, so the kernel runs while the server listens.
    this.holder = Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].refcount_increment(_[SESSION].ID(), 'net-server listening'),
        release: (_) => void _[KERNEL].refcount_decrement(_[SESSION].ID(), 'net-server listening'),
      },
    });
    kernel.run().catch((error: unknown) => server.log(0, `kernel stopped: ${error instanceof Error ? error.message : String(error)}`));
    return new Promise<void>((resolve) => {
      this.finish = resolve;
      this.settle(server);
    });
  }

  accept(server: NetServer, client: AnyClient): void {
    if (this.closed) return drop(client);
    this.active.add(client);
    Session.create({
      kernel: server.kernel,
      inline_states: {
        _start: (_) => {
          const kernel = _[KERNEL];
          const session = _[SESSION];
          kernel.refcount_increment(session.ID(), 'net-server client');
          void server.run_client_connection(client).finally(() => kernel.post(session, 'finished'));
        },
        finished: (_) => {
          _[KERNEL].refcount_decrement(_[SESSION].ID(), 'net-server client');
          this.active.delete(client);
          this.settle(server);
        },
      },
    });
  }

  close(server: NetServer): void {
    this.closed = true;
    for (const client of this.active) drop(client);
    this.settle(server);
  }

  private settle(server: NetServer): void {
    if (!this.closed || this.active.size > 0 || this.finish === undefined) return;
    if (this.holder !== undefined) server.kernel.post(this.holder, 'release');
    this.holder = undefined;
    const finish = this.finish;
    this.finish = undefined;
    finish();
  }
}
