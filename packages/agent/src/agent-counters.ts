// The agent's own figures, owned by the Agent so that they exist whichever modules are loaded and
// in whatever order: the kernel's statistics (read on each scrape) and the counters NRPEServer,
// NSCAServer and NSCAClient bump. One prom-client Registry holds them; WEBServer's /metrics
// exposes it, and the metrics round hands the same figures to submit_metrics under dotted keys.
import type { Kernel } from '@poets/kernel';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';

/** The counters a network server module bumps. */
export interface ServerCounters {
  /** Connections let in (the peer was an allowed host). */
  accepted: Counter;
  /** Connections, packets or queries refused, by reason (`not_allowed`, `bad_crc`, `timeout`...). */
  refused: Counter<'reason'>;
  /** Bytes read from and written to clients, on the wire (TLS records included). */
  bytesReceived: Counter;
  bytesSent: Counter;
}

/** What NSCAClient counts. */
export interface NSCAClientCounters {
  /** Results an NSCA server took. */
  sent: Counter;
  /** Results whose submitter was answered with a failure, by reason (`unreachable`, `queue_full`, `unknown_target`, `no_address`, `closing`). */
  failed: Counter<'reason'>;
}

export class AgentCounters {
  readonly registry = new Registry();
  readonly nrpe: ServerCounters;
  readonly nscaServer: ServerCounters;
  readonly nscaClient: NSCAClientCounters;
  /** Each metric's dotted key in the submit_metrics snapshot, by Prometheus name. */
  private readonly keys = new Map<string, string>();
  private readonly metrics: Metric[] = [];
  private readonly queuedSources = new Set<() => number>();

  constructor(kernel: Kernel) {
    const registers = [this.registry];
    const keyed = <T extends Metric>(key: string, make: () => T): T => {
      const metric = make();
      this.keys.set((metric as unknown as { name: string }).name, key);
      this.metrics.push(metric);
      return metric;
    };
    const counter = (name: string, key: string, help: string): Counter => keyed(key, () => new Counter({ name, help, registers }));
    const byReason = (name: string, key: string, help: string): Counter<'reason'> => keyed(key, () => new Counter({ name, help, labelNames: ['reason'], registers }));
    const gauge = (name: string, key: string, help: string, read: () => number): Gauge =>
      keyed(key, () => new Gauge({ name, help, registers, collect() { this.set(read()); } }));

    keyed('kernel.events.dispatched', () => new Counter({
      name: 'poets_kernel_events_dispatched_total',
      help: 'Events the kernel dispatched to handlers, by kind (post, call, signal, alarm)',
      labelNames: ['kind'],
      registers,
      collect() {
        // The kernel keeps the totals: the counter is set to them on each scrape.
        this.reset();
        for (const [kind, n] of Object.entries(kernel.statistics().dispatched)) this.inc({ kind }, n);
      },
    }));
    gauge('poets_kernel_sessions', 'kernel.sessions', 'Sessions alive in the kernel', () => kernel.statistics().sessions);
    gauge('poets_kernel_timers', 'kernel.timers', 'Timers pending in the kernel', () => kernel.statistics().timers);
    gauge('poets_kernel_queue_length', 'kernel.queue', 'Events waiting in the kernel queue (posted events and timers)', () => kernel.get_event_count());
    keyed('kernel.lag', () => new Gauge({
      name: 'poets_kernel_dispatch_lag_seconds',
      help: 'How late queued events were dispatched after their due time: the last one, and the max and mean over the kernel statistics window',
      labelNames: ['stat'],
      registers,
      collect() {
        const { lag } = kernel.statistics();
        for (const stat of ['last', 'max', 'mean'] as const) this.set({ stat }, lag[stat]);
      },
    }));

    const server = (prefix: string, key: string, what: string): ServerCounters => ({
      accepted: counter(`poets_${prefix}_connections_accepted_total`, `${key}.connections.accepted`, `Connections ${what} let in`),
      refused: byReason(`poets_${prefix}_refused_total`, `${key}.refused`, `Connections, packets or queries ${what} refused, by reason`),
      bytesReceived: counter(`poets_${prefix}_received_bytes_total`, `${key}.bytes.received`, `Bytes ${what} read from clients`),
      bytesSent: counter(`poets_${prefix}_sent_bytes_total`, `${key}.bytes.sent`, `Bytes ${what} wrote to clients`),
    });
    this.nrpe = server('nrpe_server', 'nrpe', 'NRPEServer');
    this.nscaServer = server('nsca_server', 'nsca.server', 'NSCAServer');
    this.nscaClient = {
      sent: counter('poets_nsca_client_sent_total', 'nsca.client.sent', 'Results NSCAClient delivered to an NSCA server'),
      failed: byReason('poets_nsca_client_failed_total', 'nsca.client.failed', 'Results NSCAClient answered with a failure, by reason'),
    };
    const sources = this.queuedSources;
    gauge('poets_nsca_client_queued', 'nsca.client.queued', 'Results waiting for their NSCA servers', () => {
      let n = 0;
      for (const read of sources) n += read();
      return n;
    });
  }

  /** Adds these metrics to another registry too (WEBServer's, which /metrics exposes). */
  registerIn(registry: Registry): void {
    for (const metric of this.metrics) registry.registerMetric(metric);
  }

  /** Counts a loaded NSCAClient's waiting results in `poets_nsca_client_queued`; returns what stops it (at unload). */
  addQueued(read: () => number): () => void {
    this.queuedSources.add(read);
    return () => this.queuedSources.delete(read);
  }

  /**
   * Every figure under its dotted key, values as strings (what submit_metrics receives): a
   * labelled metric gives one key per label value (`nrpe.refused.not_allowed`), and a counter
   * also its total under its own key.
   */
  async snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const metric of await this.registry.getMetricsAsJSON()) {
      const key = this.keys.get(metric.name);
      if (key === undefined) continue;
      let total = 0;
      for (const { value, labels } of metric.values) {
        total += value;
        const label = Object.values(labels)[0];
        out[label === undefined ? key : `${key}.${String(label)}`] = String(value);
      }
      // prom-client's JSON names the type ('counter'), whatever its typings' enum says
      if (String(metric.type) === 'counter') out[key] = String(total);
    }
    return out;
  }
}
