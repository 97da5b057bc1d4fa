// Net::Server::MultiType: `server_type` lists personalities in order of preference; the first this
// port knows is used (Perl's: the first whose module loads).
import { ConfigError } from './errors.js';
import { forkOptions, ForkPersonality } from './fork.js';
import { INET, InetPersonality } from './inet.js';
import { NetServer } from './net-server.js';
import type { OptionsTemplate } from './options.js';
import { MultiplexPersonality, SinglePersonality, type Personality } from './personality.js';
import { preforkOptions, PreForkPersonality, PreForkSimplePersonality } from './prefork.js';

const TYPES: Record<string, () => Personality> = {
  Single: () => new SinglePersonality(),
  Multiplex: () => new MultiplexPersonality(),
  Fork: () => new ForkPersonality(),
  PreForkSimple: () => new PreForkSimplePersonality(),
  PreFork: () => new PreForkPersonality(),
  INET: () => new InetPersonality(),
};

/** Net::Server::MultiType: `server_type` (one or many) chooses the personality at start. */
export class MultiType extends NetServer {
  private chosen: string | undefined;

  override net_server_type(): string {
    return this.chosen === undefined ? 'Net::Server::MultiType' : `Net::Server::${this.chosen}`;
  }

  override options(template: OptionsTemplate): OptionsTemplate {
    super.options(template);
    preforkOptions(this, template);
    forkOptions(this, template);
    const types = this.server.server_type;
    this.server.server_type = types === undefined || types === null ? [] : Array.isArray(types) ? types : [types];
    template.server_type = this.server.server_type as unknown[];
    return template;
  }

  protected override personality(): Personality {
    const wanted = ((this.server.server_type as unknown[] | undefined) ?? []).map((type) => String(type).replace(/^Net::Server::/, ''));
    for (const type of wanted.length > 0 ? wanted : ['Fork']) {
      const make = TYPES[type];
      if (make !== undefined) {
        this.chosen = type;
        return make();
      }
      this.log(1, `server_type "${type}" is not available (known: ${Object.keys(TYPES).join(', ')}); trying the next`);
    }
    throw new ConfigError(`no server_type of ${wanted.join(', ')} is available (known: ${Object.keys(TYPES).join(', ')})`);
  }

  // INET binds nothing and restarts nothing: its own flow steps, when it is the chosen type
  // (post_configure chose it, before any of these run).
  override async pre_bind(): Promise<void> {
    return this.chosen === 'INET' ? INET.prototype.pre_bind.call(this) : super.pre_bind();
  }

  override async bind(): Promise<void> {
    if (this.chosen !== 'INET') return super.bind();
  }

  override async hup_server(): Promise<void> {
    if (this.chosen !== 'INET') return super.hup_server();
  }
}
