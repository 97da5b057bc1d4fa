// Net::Server::Fork: a child process per connection (at most max_servers at once), the accepted
// socket handed to it over node:cluster's IPC channel; the child serves that one client and leaves.
import { NetServer } from './net-server.js';
import { scalarRef, type OptionsTemplate } from './options.js';
import type { Personality } from './personality.js';
import { numberProp, PoolPersonality } from './pool.js';

export function forkOptions(server: NetServer, template: OptionsTemplate): OptionsTemplate {
  for (const key of ['max_servers', 'max_dequeue', 'check_for_dead', 'check_for_dequeue']) template[key] = scalarRef(server.server, key);
  return template;
}

export class ForkPersonality extends PoolPersonality {
  readonly name: string = 'Fork';
  protected override role = 'fork' as const;

  post_configure(server: NetServer): void {
    numberProp(server, 'max_servers', 256);
    numberProp(server, 'check_for_dead', 60);
    server.server.ppid = process.pid;
  }

  protected initial(): number {
    return 0;
  }

  /** One child per queued client, up to max_servers running; pre_fork_hook before each. */
  protected coordinate(): void {
    const starting = this.count('starting', 'waiting');
    const room = Number(this.server.server.max_servers) - this.active();
    const wanted = Math.min(this.queued - starting, room);
    if (wanted > 0) void this.run_n_children(wanted);
    // a child started for a client that went away before it was ready has nothing to do
    if (this.queued === 0) this.kill_n_children(this.count('waiting'));
  }

  signals(server: NetServer): Partial<Record<NodeJS.Signals, () => void>> {
    const step = (by: number, word: string) => () => {
      server.server.max_servers = Math.max(1, Number(server.server.max_servers) + by);
      server.log(3, `${word} max server count (${String(server.server.max_servers)})`);
      this.coordinate();
    };
    return { SIGTTIN: step(1, 'Increasing'), SIGTTOU: step(-1, 'Decreasing') };
  }
}

/** Net::Server::Fork: a child per connection. */
export class Fork extends NetServer {
  override net_server_type(): string {
    return 'Net::Server::Fork';
  }

  override options(template: OptionsTemplate): OptionsTemplate {
    return forkOptions(this, super.options(template));
  }

  protected override personality(): Personality {
    return new ForkPersonality();
  }
}
