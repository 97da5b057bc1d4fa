// Prometheus metrics on prom-client: the agent's own registry (kernel, network modules), the
// agent's queries and submissions (from results$), Node's process metrics and every script's
// fetch_metrics values as gauges.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { Agent } from '../../agent.js';
import { statusName } from '../../status.js';

/** What a metric name may hold: fetch_metrics keys (`cpu.total`) become `poets_script_cpu_total`. */
export function metricName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  return `poets_script_${name}`;
}

export class AgentMetrics {
  /** What /metrics exposes: this module's metrics and the agent's (`agent.counters.registry`). */
  readonly registry = new Registry();
  readonly queries: Counter<'command' | 'status'>;
  readonly submissions: Counter<'channel' | 'status'>;
  private readonly scriptGauges = new Map<string, Gauge>();
  private readonly subscription: Subscription;

  constructor(private readonly agent: Agent) {
    collectDefaultMetrics({ register: this.registry });
    this.queries = new Counter({ name: 'poets_queries_total', help: 'Queries run, by command and result status', labelNames: ['command', 'status'], registers: [this.registry] });
    this.submissions = new Counter({ name: 'poets_submissions_total', help: 'Submissions, by channel and whether the channel accepted them', labelNames: ['channel', 'status'], registers: [this.registry] });
    agent.counters.registerIn(this.registry);
    new Gauge({ name: 'poets_modules_loaded', help: 'Modules loaded', registers: [this.registry], collect() { this.set(agent.loadedPlugins().length); } });
    new Gauge({ name: 'poets_queries_registered', help: 'Queries registered', registers: [this.registry], collect() { this.set(agent.listQueries().length); } });
    this.subscription = agent.results$.subscribe((r) => {
      if (r.kind === 'query') this.queries.inc({ command: r.request.command, status: statusName(r.result.result) });
      else this.submissions.inc({ channel: r.channel, status: r.result.success ? 'accepted' : 'refused' }, r.payloads.length);
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; script metrics are collected first (numbers only, as gauges). */
  async scrape(): Promise<string> {
    const values = await this.agent.collectMetrics();
    for (const [key, raw] of Object.entries(values)) {
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) continue;
      const name = metricName(key);
      let gauge = this.scriptGauges.get(name);
      if (gauge === undefined) {
        if (this.registry.getSingleMetric(name) !== undefined) continue;
        gauge = new Gauge({ name, help: `fetch_metrics ${key}`, registers: [this.registry] });
        this.scriptGauges.set(name, gauge);
      }
      gauge.set(value);
    }
    return this.registry.metrics();
  }

  close(): void {
    this.subscription.unsubscribe();
    this.registry.clear();
  }
}
