// What the status page shows, kept up to date from the agent: modules, the last result of every
// check, per-second series (submissions by channel, kernel dispatches, loop lag), recent log lines.
// Changes are collected between flushes so each live client gets one small delta per interval.
import type { Kernel } from '@poets/kernel';
import type { Subscription } from 'rxjs';
import type { Agent, AgentResult } from '../../agent.js';
import { statusName } from '../../status.js';
import type { LogLine, LogRing } from './log-ring.js';

/** The last result seen for one check (a query run, or a passive result submitted). */
export interface CheckState {
  /** `source/command` for a submission, `command` for a query. */
  key: string;
  command: string;
  source: string;
  /** `query`, or the channel it was submitted on. */
  via: string;
  result: number;
  state: string;
  message: string;
  perf: string;
  /** Epoch ms. */
  time: number;
}

/** One second of activity. */
export interface SecondSample {
  /** Epoch seconds at the end of the sample. */
  t: number;
  /** Payloads submitted per channel in that second. */
  channels: Record<string, number>;
  /** Kernel dispatches in that second. */
  dispatches: number;
  /** How late the sampling timer fired (ms): what delays every dispatch on Node's loop. */
  lag: number;
}

export interface ModuleState {
  alias: string;
  module: string;
  id: number;
  loaded: boolean;
}

export interface Snapshot {
  modules: ModuleState[];
  queries: string[];
  checks: CheckState[];
  series: SecondSample[];
  log: LogLine[];
}

export interface Delta {
  modules?: ModuleState[];
  queries?: string[];
  checks?: CheckState[];
  series?: SecondSample[];
  log?: LogLine[];
}

export interface FeedOptions {
  /** Where recent log lines come from. Default the agent's `recentLog`. */
  log?: LogRing;
  /** Seconds of series kept. Default 300. */
  windowSeconds?: number;
  /** Checks remembered; past it the one updated longest ago is forgotten. Default 5000. */
  maxChecks?: number;
  /** Log lines kept. Default 100. */
  maxLog?: number;
}

export class StatusFeed {
  private readonly checks = new Map<string, CheckState>();
  private readonly changed = new Map<string, CheckState>();
  private readonly series: SecondSample[] = [];
  private newSeries: SecondSample[] = [];
  private readonly log: LogLine[] = [];
  private newLog: LogLine[] = [];
  private channelCounts: Record<string, number> = {};
  /** The kernel's dispatch total at the last sample (its statistics count every dispatch; nothing per event here). */
  private dispatchedBefore: number;
  private modulesKey = '';
  private readonly windowSeconds: number;
  private readonly maxChecks: number;
  private readonly maxLog: number;
  private readonly subscription: Subscription;
  private readonly stopLog: () => void;
  private readonly timer: NodeJS.Timeout;
  private expected: number;

  constructor(
    private readonly agent: Agent,
    options: FeedOptions = {},
  ) {
    this.windowSeconds = options.windowSeconds ?? 300;
    this.maxChecks = options.maxChecks ?? 5000;
    this.maxLog = options.maxLog ?? 100;
    this.subscription = agent.results$.subscribe((event) => this.onResult(event));
    this.dispatchedBefore = dispatchedTotal(agent.kernel);
    const ring = options.log ?? agent.recentLog;
    for (const line of ring.recent().slice(-this.maxLog)) this.log.push(line);
    this.stopLog = ring.onLine((line) => this.onLog(line));
    this.expected = Date.now() + 1000;
    this.timer = setInterval(() => this.sample(), 1000);
    // The sampler must not keep a finished agent's process alive.
    this.timer.unref();
  }

  private onResult(event: AgentResult): void {
    if (event.kind === 'query') {
      this.remember({ key: event.request.command, command: event.request.command, source: '', via: 'query', result: event.result.result, state: statusName(event.result.result), message: event.result.message, perf: event.result.perf, time: event.time });
      return;
    }
    this.channelCounts[event.channel] = (this.channelCounts[event.channel] ?? 0) + event.payloads.length;
    for (const p of event.payloads) {
      const key = p.source === '' ? p.command : `${p.source}/${p.command}`;
      this.remember({ key, command: p.command, source: p.source, via: event.channel, result: p.result, state: statusName(p.result), message: p.message, perf: p.perf, time: event.time });
    }
  }

  private remember(check: CheckState): void {
    this.checks.delete(check.key);
    this.checks.set(check.key, check);
    if (this.checks.size > this.maxChecks) {
      const oldest = this.checks.keys().next().value as string;
      this.checks.delete(oldest);
      this.changed.delete(oldest);
    }
    this.changed.set(check.key, check);
  }

  private onLog(line: LogLine): void {
    this.log.push(line);
    if (this.log.length > this.maxLog) this.log.shift();
    this.newLog.push(line);
    if (this.newLog.length > this.maxLog) this.newLog.shift();
  }

  private sample(): void {
    const now = Date.now();
    const dispatched = dispatchedTotal(this.agent.kernel);
    const sample: SecondSample = { t: Math.round(now / 1000), channels: this.channelCounts, dispatches: dispatched - this.dispatchedBefore, lag: Math.max(0, now - this.expected) };
    this.dispatchedBefore = dispatched;
    this.expected = now + 1000;
    this.channelCounts = {};
    this.series.push(sample);
    if (this.series.length > this.windowSeconds) this.series.shift();
    this.newSeries.push(sample);
    if (this.newSeries.length > this.windowSeconds) this.newSeries.shift();
  }

  private modules(): ModuleState[] {
    return this.agent.loadedPlugins().map((p) => ({ alias: p.alias, module: p.module.name, id: p.id, loaded: true }));
  }

  private queries(): string[] {
    return this.agent.listQueries().map((q) => q.name);
  }

  /** Everything, for a client that has just connected (or fell behind). */
  snapshot(): Snapshot {
    return { modules: this.modules(), queries: this.queries(), checks: [...this.checks.values()], series: [...this.series], log: [...this.log] };
  }

  /** What changed since the last call, or undefined when nothing did. */
  takeDelta(): Delta | undefined {
    const delta: Delta = {};
    const modules = this.modules();
    const queries = this.queries();
    const key = JSON.stringify([modules, queries]);
    if (key !== this.modulesKey) {
      this.modulesKey = key;
      delta.modules = modules;
      delta.queries = queries;
    }
    if (this.changed.size > 0) {
      delta.checks = [...this.changed.values()];
      this.changed.clear();
    }
    if (this.newSeries.length > 0) {
      delta.series = this.newSeries;
      this.newSeries = [];
    }
    if (this.newLog.length > 0) {
      delta.log = this.newLog;
      this.newLog = [];
    }
    return Object.keys(delta).length === 0 ? undefined : delta;
  }

  close(): void {
    this.subscription.unsubscribe();
    this.stopLog();
    clearInterval(this.timer);
  }
}

function dispatchedTotal(kernel: Kernel): number {
  const { post, call, signal, alarm } = kernel.statistics().dispatched;
  return post + call + signal + alarm;
}
