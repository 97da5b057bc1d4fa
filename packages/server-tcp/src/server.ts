import type { Kernel, Session, SockName } from '@poets/kernel';
import { Subject, type Observable } from 'rxjs';
import type { ClientInputRecord } from './connection.js';
import { createListener, type ListenerRuntime } from './listener.js';
import { serverConfig } from './server-config.js';
import type { ListenerHeap, TCPServerOptions } from './server-options.js';

/**
 * POE::Component::Server::TCP: a listening session that accepts connections and, unless an
 * Acceptor is given, runs one session per connection with the Client* callbacks as its handlers.
 *
 * POE's `new` returns the listening session's ID; here the constructor returns the component,
 * whose `ID()` is that session's ID (`kernel.post(server.ID(), 'shutdown')`), and which tells the
 * bound address (`getsockname()`, `port`) once the socket is bound: at once for an IP address,
 * after the lookup for a host name.
 */
export class TCPServer<In = string, Out = string> {
  private readonly session: Session<ListenerHeap>;
  private readonly runtime: ListenerRuntime;
  /** Every input record of every client (with its peer and session), beside the ClientInput events; completes when the server has stopped. */
  readonly inputs$: Observable<ClientInputRecord>;

  constructor(options: TCPServerOptions<In, Out>) {
    const config = serverConfig(options as TCPServerOptions<unknown, unknown>);
    this.runtime = { listenerId: undefined, kernel: undefined, log: () => {}, endpoints: new Map(), inputs: new Subject() };
    this.inputs$ = this.runtime.inputs.asObservable();
    this.session = createListener(config, this.runtime);
  }

  /** The listening session's ID (what POE's `new` returns). */
  ID(): number {
    return this.session.ID();
  }

  /** The listening session's heap: `listener`, `listeners`, `connections`, `concurrency`, `alias`. */
  get heap(): ListenerHeap {
    return this.session.get_heap();
  }

  /** The first listener's bound address and port; undefined before it is bound and after shutdown. */
  getsockname(): SockName | undefined {
    return this.heap.listener?.getsockname();
  }

  /** Every listener's bound address, in `listen` order (those not bound, or failed, are left out). */
  getSockNames(): SockName[] {
    return this.heap.listeners.map((wheel) => wheel.getsockname()).filter((name): name is SockName => name !== undefined);
  }

  /** The first listener's port (the one the system chose for Port 0). */
  get port(): number | undefined {
    return this.getsockname()?.port;
  }

  /** Posts `shutdown` to the listening session: no new connections; the open ones finish. */
  shutdown(): boolean {
    const kernel = this.runtime.kernel;
    return kernel !== undefined && this.runtime.listenerId !== undefined && kernel.post(this.runtime.listenerId, 'shutdown');
  }

  /** The kernel the server runs in (known once its session has started). */
  get kernel(): Kernel | undefined {
    return this.runtime.kernel;
  }
}

/** POE's package names: `Server.TCP({...})` is `POE::Component::Server::TCP->new(...)`. */
export const Server = {
  TCP<In = string, Out = string>(options: TCPServerOptions<In, Out>): TCPServer<In, Out> {
    return new TCPServer<In, Out>(options);
  },
} as const;
