// The Scheduler module: each schedule is one kernel alarm in the module's session. When it fires
// the schedule's query runs and its result is submitted on the schedule's channel; the next
// alarm is set at once on the schedule's own cadence, so a run that takes longer than its
// interval never overlaps the next: that run is skipped, counted and logged.
import { ARG0, type Kernel, Session } from '@poets/kernel';
import type { CronExpression } from 'cron-parser';
import type { ModuleDefinition, ModuleInstance, Plugin } from '../../plugin.js';
import { statusName } from '../../status.js';
import { cronTimezone, parseCron, readSchedules, SCHEDULER_ROOT, SCHEDULES, type Schedule } from './schedule-settings.js';

/** What the Scheduler counts; also its metrics (`<alias>.jobs`, ...). */
export interface SchedulerStats {
  /** Runs started. */
  jobs: number;
  /** Results a channel took. */
  submitted: number;
  /** Results not submitted (no channel, the channel failed) and runs that threw. */
  errors: number;
  /** Runs left out because the schedule's previous run was still going. */
  skipped: number;
  /** Results run but not reported (their status is not in `report`). */
  filtered: number;
}

/** One schedule while loaded: its alarm, whether a run is going, its own counts. */
export interface ScheduleState {
  readonly schedule: Schedule;
  /** The time (epoch seconds) the cadence is at: the next run is due then (plus its randomness). */
  due: number;
  alarm: number | undefined;
  running: boolean;
  runs: number;
  skipped: number;
  cron: CronExpression | undefined;
}

/** A loaded Scheduler. */
export class Scheduler implements ModuleInstance {
  readonly stats: SchedulerStats = { jobs: 0, submitted: 0, errors: 0, skipped: 0, filtered: 0 };
  readonly states: ScheduleState[];
  private readonly session: Session;
  private readonly kernel: Kernel;
  private stopped = false;
  private readonly tz: string | undefined;

  constructor(
    private readonly plugin: Plugin,
    schedules: readonly Schedule[],
  ) {
    this.kernel = plugin.kernel;
    this.tz = cronTimezone(plugin.agent.settings.get_string(SCHEDULER_ROOT, 'timezone', 'local'));
    this.states = schedules.map((schedule) => ({ schedule, due: 0, alarm: undefined, running: false, runs: 0, skipped: 0, cron: undefined }));
    this.session = Session.create({
      kernel: this.kernel,
      inline_states: {
        _start: () => undefined,
        arm: () => this.armAll(),
        fire: (_: unknown[]) => this.fire(_[ARG0] as ScheduleState),
        disarm: () => this.disarm(),
      },
    });
    // The alarms hold the session; the count holds it while there are none (no schedules yet).
    this.kernel.refcount_increment(this.session.ID(), 'scheduler');
    this.kernel.call(this.session, 'arm');
    plugin.registry.fetch_metrics(() => ({
      [`${plugin.alias}.jobs`]: this.stats.jobs,
      [`${plugin.alias}.submitted`]: this.stats.submitted,
      [`${plugin.alias}.errors`]: this.stats.errors,
      [`${plugin.alias}.skipped`]: this.stats.skipped,
      [`${plugin.alias}.schedules`]: this.states.length,
    }));
  }

  private armAll(): void {
    const now = Date.now() / 1000;
    for (const state of this.states) {
      const s = state.schedule;
      if (s.cron !== undefined) {
        state.cron = parseCron(s.cron, new Date(now * 1000), this.tz);
        state.due = s.runOnStartup ? now : state.cron.next().getTime() / 1000;
      } else {
        state.due = s.runOnStartup ? now : now + s.interval!;
      }
      this.setAlarm(state);
    }
  }

  /** Sets the alarm for `state.due`, late by up to its randomness share of the interval. */
  private setAlarm(state: ScheduleState): void {
    const s = state.schedule;
    const jitter = s.randomness > 0 && s.interval !== undefined ? Math.random() * s.randomness * s.interval : 0;
    state.alarm = this.kernel.alarm_set('fire', state.due + jitter, state) || undefined;
  }

  /** Moves the cadence past now: the next due time after `now` on the schedule's own grid. */
  private advance(state: ScheduleState, now: number): void {
    const s = state.schedule;
    if (state.cron !== undefined) {
      state.cron.reset(new Date(Math.max(now, state.due) * 1000));
      state.due = state.cron.next().getTime() / 1000;
      return;
    }
    const interval = s.interval!;
    state.due += interval;
    // Far behind (the process was stopped, the machine slept): the runs in between are missed, not queued.
    if (state.due <= now) {
      const missed = Math.floor((now - state.due) / interval) + 1;
      state.due += missed * interval;
    }
  }

  private fire(state: ScheduleState): void {
    if (this.stopped) return;
    const now = Date.now() / 1000;
    state.alarm = undefined;
    this.advance(state, now);
    this.setAlarm(state);
    const s = state.schedule;
    if (state.running) {
      state.skipped++;
      this.stats.skipped++;
      this.plugin.logger.log('warning', `${s.alias}: the previous run of ${s.command} is still going; this run is skipped (${state.skipped} skipped so far)`);
      return;
    }
    state.running = true;
    state.runs++;
    this.stats.jobs++;
    void this.run(state).finally(() => {
      state.running = false;
    });
  }

  private async run(state: ScheduleState): Promise<void> {
    const s = state.schedule;
    const log = this.plugin.logger;
    try {
      const result = await this.plugin.agent.runQuery({ command: s.command, arguments: s.arguments });
      if (!s.report.has(result.result)) {
        this.stats.filtered++;
        log.log('debug', `${s.alias}: ${statusName(result.result)} is not reported`);
        return;
      }
      if (s.channel === '') {
        this.stats.errors++;
        log.log('error', `${s.alias}: no channel; the result is not sent`);
        return;
      }
      const answer = await this.plugin.agent.submit(s.channel, [
        { command: s.alias, result: result.result, message: result.message, perf: result.perf, source: s.source, ...(s.target !== '' ? { target: s.target } : {}) },
      ]);
      if (answer.success) this.stats.submitted++;
      else {
        this.stats.errors++;
        log.log('error', `${s.alias}: submission to ${s.channel} failed: ${answer.message}`);
      }
    } catch (error) {
      this.stats.errors++;
      log.log('error', `${s.alias}: run failed: ${error instanceof Error ? error.message : String(error)}`, { error });
    }
  }

  /** Removes every alarm (alarms belong to the session: removed from inside it). */
  private disarm(): void {
    for (const state of this.states) {
      if (state.alarm !== undefined) this.kernel.alarm_remove(state.alarm);
      state.alarm = undefined;
    }
  }

  /** The schedules whose run is going now. */
  get running(): number {
    return this.states.filter((s) => s.running).length;
  }

  unload(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.kernel.call(this.session, 'disarm');
    this.kernel.refcount_decrement(this.session.ID(), 'scheduler');
  }
}

/** The Scheduler module: `[/modules] Scheduler = enabled`. */
export const schedulerModule: ModuleDefinition = {
  name: 'Scheduler',
  description: 'Runs queries on a schedule and submits their results on channels (passive checks)',
  load(plugin) {
    const s = plugin.settings;
    s.register_path(SCHEDULER_ROOT, 'SCHEDULER SECTION', 'Section for the Scheduler module');
    s.register_key(SCHEDULER_ROOT, 'threads', 'int', 'THREADS', 'Accepted for NSClient++ compatibility: runs are asynchronous on one thread', '5');
    s.register_key(SCHEDULER_ROOT, 'timezone', 'string', 'TIMEZONE', 'Clock for cron schedules: local, utc, or an IANA zone name', 'local');
    s.register_path(SCHEDULES, 'SCHEDULES', 'alias = command arguments, or one section per schedule; schedules/default is the template');
    s.register_key(`${SCHEDULES}/default`, 'channel', 'string', 'SCHEDULE CHANNEL', 'Channel to send results on', 'NSCA');
    s.register_key(`${SCHEDULES}/default`, 'interval', 'string', 'SCHEDULE INTERVAL', 'Time between runs (30s, 5m...)', '5m');
    s.register_key(`${SCHEDULES}/default`, 'report', 'string', 'REPORT MODE', 'What to submit: all, or any of ok, warning, critical, unknown', 'all');
    const schedules = readSchedules(plugin.agent.settings, (m) => plugin.logger.log('error', m), (m) => plugin.logger.log('warning', m));
    plugin.logger.log('debug', `${schedules.length} schedule(s)`);
    return new Scheduler(plugin, schedules);
  },
};
