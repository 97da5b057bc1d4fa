// The NSCAClient module: results submitted on its channel (default `NSCA`) go to an NSCA server as
// passive checks — to the target the submission names, else to `default`. Settings and defaults
// are NSClient++'s (`[/settings/NSCA/client]`, `[/settings/NSCA/client/targets/<name>]`).
import type { NscaCheck } from '@poets/server-nsca';
import { SubmissionError } from '../../errors.js';
import type { ModuleDefinition, ModuleInstance, Plugin } from '../../plugin.js';
import type { Submission } from '../../requests.js';
import { readNSCAClientSettings, type NSCAClientSettings } from './settings.js';
import { NSCATarget } from './target.js';

export { parseAddress, readNSCAClientSettings, type NSCAClientSettings, type NSCATargetSettings } from './settings.js';
export { NSCATarget, type NSCATargetStats } from './target.js';

/** The check a submission becomes: host from its source or the hostname setting, perfdata as Nagios text. */
export function nscaCheckOf(submission: Submission, hostname: string): NscaCheck {
  return {
    host_name: submission.source.trim() !== '' ? submission.source.trim() : hostname,
    // an empty command is a host check, as in NSCA
    svc_description: submission.command,
    return_code: submission.result,
    plugin_output: submission.perf !== '' ? `${submission.message}|${submission.perf}` : submission.message,
  };
}

/** One loaded NSCAClient: its targets and the queue bound they share. */
export class NSCAClient implements ModuleInstance {
  readonly targets = new Map<string, NSCATarget>();
  /** Results refused because `max queue` results were waiting already. */
  overflow = 0;
  /** Results refused because they named a target that is not configured. */
  unknownTarget = 0;
  /** Takes this client's queue out of `poets_nsca_client_queued`. */
  private readonly stopCounting: () => void;

  constructor(
    readonly plugin: Plugin,
    readonly config: NSCAClientSettings,
  ) {
    this.stopCounting = plugin.agent.counters.addQueued(() => this.queued);
    for (const [key, target] of config.targets) this.targets.set(key, new NSCATarget(target, plugin.kernel, plugin.logger, plugin.agent.counters.nscaClient));
  }

  /** Results waiting for their servers, over all targets. */
  get queued(): number {
    let n = 0;
    for (const t of this.targets.values()) n += t.queued;
    return n;
  }

  /** The channel's subscriber: true once every result was written to its server; a rejection says why not. */
  async submit(payloads: readonly Submission[]): Promise<boolean> {
    const sent: Promise<void>[] = [];
    for (const p of payloads) {
      const name = p.target !== undefined && p.target.trim() !== '' ? p.target.trim() : 'default';
      const target = this.targets.get(name.toLowerCase());
      if (target === undefined) {
        this.unknownTarget++;
        this.plugin.agent.counters.nscaClient.failed.inc({ reason: 'unknown_target' });
        const why = `no target ${name} (configured: ${[...this.targets.values()].map((t) => t.config.name).join(', ')}): ${p.command || '(host)'} refused`;
        this.plugin.logger.log('error', why);
        sent.push(Promise.reject(new SubmissionError(why)));
        continue;
      }
      if (this.queued >= this.config.maxQueue) {
        this.overflow++;
        this.plugin.agent.counters.nscaClient.failed.inc({ reason: 'queue_full' });
        const why = `queue full (${this.config.maxQueue} results waiting for their NSCA servers): ${p.command || '(host)'} refused; ${this.overflow} refused so far`;
        this.plugin.logger.log('error', why);
        sent.push(Promise.reject(new SubmissionError(why)));
        continue;
      }
      sent.push(target.send(nscaCheckOf(p, this.config.hostname)));
    }
    // every payload is settled before answering, so none is left unobserved
    const outcomes = await Promise.allSettled(sent);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return true;
  }

  async unload(): Promise<void> {
    this.stopCounting();
    const left = await Promise.all([...this.targets.values()].map((t) => t.close()));
    const total = left.reduce((a, b) => a + b, 0);
    if (total > 0) this.plugin.logger.log('error', `unloaded with ${total} result(s) not sent to their NSCA servers`);
  }
}

/** The module: `[/modules] NSCAClient = enabled` (settings in `[/settings/NSCA/client]`). */
export const nscaClientModule: ModuleDefinition = {
  name: 'NSCAClient',
  description: 'Submits passive check results to NSCA servers (nsca, poets-nscad, NSCAServer)',
  load(plugin) {
    const config = readNSCAClientSettings(plugin);
    const client = new NSCAClient(plugin, config);
    plugin.agent.subscribe(plugin, config.channel, (_channel, payloads) => client.submit(payloads));
    plugin.registry.fetch_metrics(() => {
      const metrics: Record<string, number> = {
        [`${plugin.alias}.queued`]: client.queued,
        [`${plugin.alias}.overflow`]: client.overflow,
      };
      for (const t of client.targets.values()) {
        metrics[`${plugin.alias}.${t.config.name}.delivered`] = t.stats.delivered;
        metrics[`${plugin.alias}.${t.config.name}.failed`] = t.stats.failedAnswers;
        metrics[`${plugin.alias}.${t.config.name}.delivered_late`] = t.stats.deliveredLate;
        metrics[`${plugin.alias}.${t.config.name}.queued`] = t.queued;
      }
      return metrics;
    });
    plugin.logger.log('debug', `channel ${config.channel} → ${[...client.targets.values()].map((t) => `${t.config.name}=${t.config.host || '(no address)'}:${t.config.port}`).join(', ')}`);
    return client;
  },
};
