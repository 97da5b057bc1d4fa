// Net::Server::PreForkSimple (a fixed pool of max_servers children) and Net::Server::PreFork (a
// managed pool between min_servers and max_servers, kept at min_spare_servers..max_spare_servers
// waiting), as policies over the pool engine. Each child serves max_requests clients, then leaves
// and is replaced.
import { ConfigError } from './errors.js';
import { NetServer } from './net-server.js';
import { scalarRef, type OptionsTemplate } from './options.js';
import type { Personality } from './personality.js';
import { numberProp, PoolPersonality } from './pool.js';

/** The options every pool reads (PreForkSimple's). */
export function preforkSimpleOptions(server: NetServer, template: OptionsTemplate): OptionsTemplate {
  for (const key of ['max_servers', 'max_requests', 'max_dequeue', 'check_for_dead', 'check_for_dequeue', 'lock_file', 'serialize']) {
    template[key] = scalarRef(server.server, key);
  }
  return template;
}

/** PreFork's options on top of PreForkSimple's. */
export function preforkOptions(server: NetServer, template: OptionsTemplate): OptionsTemplate {
  preforkSimpleOptions(server, template);
  for (const key of ['min_servers', 'min_spare_servers', 'max_spare_servers', 'spare_servers', 'check_for_waiting', 'child_communication', 'check_for_spawn', 'min_child_ttl']) {
    template[key] = scalarRef(server.server, key);
  }
  return template;
}

/** Defaults of every pool; true when the children accept themselves (`serialize none`). */
function simpleDefaults(server: NetServer): boolean {
  numberProp(server, 'max_servers', 50);
  numberProp(server, 'max_requests', 1000);
  numberProp(server, 'check_for_dead', 30);
  server.server.ppid = process.pid;
  const serialize = String(server.server.serialize ?? '').toLowerCase();
  if (serialize === 'none') return true;
  if (serialize !== '' && !['flock', 'semaphore', 'pipe'].includes(serialize)) throw new ConfigError(`serialize must be flock, semaphore, pipe or none, not "${serialize}"`);
  // Perl serializes the children's accept (flock, semaphore, pipe); here the parent accepts and hands out, which is the same
  if (serialize !== '') server.log(3, `serialize "${serialize}": the parent accepts and hands each client to one waiting child`);
  return false;
}

/** PreForkSimple's pool: always max_servers children. */
export class PreForkSimplePersonality extends PoolPersonality {
  readonly name: string = 'PreForkSimple';

  post_configure(server: NetServer): void {
    this.childrenAccept = simpleDefaults(server);
  }

  protected initial(): number {
    return Number(this.server.server.max_servers);
  }

  protected coordinate(): void {
    const missing = Number(this.server.server.max_servers) - this.active();
    if (missing > 0) void this.run_n_children(missing);
  }

  signals(): Partial<Record<NodeJS.Signals, () => void>> {
    return {};
  }
}

/** PreFork's managed pool, Perl's coordinate_children rule for rule. */
export class PreForkPersonality extends PoolPersonality {
  readonly name: string = 'PreFork';

  post_configure(server: NetServer): void {
    this.childrenAccept = simpleDefaults(server);
    const prop = server.server;
    const max = Number(prop.max_servers);
    const given = (key: string) => prop[key] !== undefined && prop[key] !== null && prop[key] !== '';
    if (given('min_servers') && Number(prop.min_servers) > max) prop.min_servers = max;
    if (!given('min_servers') && 5 > max) prop.min_servers = max;
    if (!given('max_spare_servers') && 10 >= max) prop.max_spare_servers = max - 1;
    if (!given('min_spare_servers')) prop.min_spare_servers = Math.min(2, Number(given('min_servers') ? prop.min_servers : 5));
    numberProp(server, 'min_servers', 5);
    numberProp(server, 'min_spare_servers', 2);
    numberProp(server, 'max_spare_servers', 10);
    numberProp(server, 'check_for_waiting', 10);
    numberProp(server, 'check_for_spawn', 30);
    numberProp(server, 'min_child_ttl', 10);
    if (Number(prop.max_spare_servers) >= max) throw new ConfigError(`"max_spare_servers" (${String(prop.max_spare_servers)}) must be less than "max_servers" (${max})`);
    const minSpare = Number(prop.min_spare_servers);
    for (const key of ['min_servers', 'max_spare_servers']) {
      if (minSpare > Number(prop[key])) throw new ConfigError(`"min_spare_servers" (${minSpare}) must be less than "${key}" (${String(prop[key])})`);
    }
  }

  protected initial(): number {
    return Number(this.server.server.min_servers);
  }

  protected coordinate(): void {
    const prop = this.server.server;
    const now = Date.now();
    const waiting = this.count('waiting', 'starting') - this.finishingCount();
    const total = this.active();
    const min = Number(prop.min_servers);
    const max = Number(prop.max_servers);
    const minSpare = Number(prop.min_spare_servers);
    if (total < min) void this.run_n_children(min - total);
    else if (waiting < minSpare && total < max) void this.run_n_children(Math.min(minSpare - waiting, max - total));
    // too many waiting: fewer, down to min_servers, not sooner than min_child_ttl after a start
    if (now - this.last.checked_for_waiting > Number(prop.check_for_waiting) * 1000) {
      this.last.checked_for_waiting = now;
      const maxSpare = Number(prop.max_spare_servers);
      if (waiting > maxSpare && total > min) {
        if (now - this.last.start > Number(prop.min_child_ttl) * 1000) this.kill(Math.min(waiting - maxSpare, total - min));
      } else if (total > max) this.kill(total - max);
    }
    // no request for 30 s: down to min_spare_servers waiting
    if (now - this.last.process > 30_000 && waiting > minSpare) this.kill(Math.min(waiting - minSpare, total - min));
  }

  /** Perl kills at most once every 10 seconds. */
  private kill(n: number): void {
    if (n <= 0 || Date.now() - this.last.kill <= 10_000) return;
    this.kill_n_children(n);
  }

  private finishingCount(): number {
    let n = 0;
    for (const child of this.children.values()) if (child.finishing && (child.status === 'waiting' || child.status === 'starting')) n++;
    return n;
  }

  signals(server: NetServer): Partial<Record<NodeJS.Signals, () => void>> {
    const step = (by: number, word: string) => () => {
      for (const key of ['min_servers', 'max_servers']) server.server[key] = Math.max(0, Number(server.server[key]) + by);
      server.log(3, `${word} server count (${String(server.server.max_servers)})`);
      this.coordinate();
      // a shrink is done now (Perl waits for the next check_for_waiting)
      if (by < 0) {
        const over = this.active() - Number(server.server.max_servers);
        if (over > 0) this.kill_n_children(over);
      }
    };
    return { SIGTTIN: step(1, 'Increasing'), SIGTTOU: step(-1, 'Decreasing') };
  }
}

/** Net::Server::PreForkSimple: a fixed pool of `max_servers` children, each serving `max_requests` clients. */
export class PreForkSimple extends NetServer {
  override net_server_type(): string {
    return 'Net::Server::PreForkSimple';
  }

  override options(template: OptionsTemplate): OptionsTemplate {
    return preforkSimpleOptions(this, super.options(template));
  }

  protected override personality(): Personality {
    return new PreForkSimplePersonality();
  }
}

/** Net::Server::PreFork: a managed pool (`min_servers`..`max_servers`, `min_spare_servers`..`max_spare_servers` waiting). */
export class PreFork extends NetServer {
  override net_server_type(): string {
    return 'Net::Server::PreFork';
  }

  override options(template: OptionsTemplate): OptionsTemplate {
    return preforkOptions(this, super.options(template));
  }

  protected override personality(): Personality {
    return new PreForkPersonality();
  }
}
