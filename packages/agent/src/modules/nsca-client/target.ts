// One NSCA server a NSCAClient sends to: a queue of results in front of a Client::NSCA component.
// A result is answered once Client::NSCA wrote its packet to the server; when the server is down,
// slow or refusing, the result is tried `retries` more times, then its caller is answered with the
// reason while the result stays queued: it goes out when the server answers again (tried with a
// growing pause, up to RETRY_MAX_MS). Nothing queued is dropped; the queue's bound is the module's.
import type { Logger } from '@poets/kernel';
import { ClientNSCA, type ClientNSCAResult, type NscaCheck } from '@poets/server-nsca';
import type { Kernel } from '@poets/kernel';
import type { NSCAClientCounters } from '../../agent-counters.js';
import { SubmissionError } from '../../errors.js';
import type { NSCATargetSettings } from './settings.js';

/**
 * Results handed to Client::NSCA at once. They share its connection, which closes once what was
 * put on it is written: a small window means a connection (and an init packet) per window.
 */
const WINDOW = 8192;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;

interface Pending {
  check: NscaCheck;
  attempts: number;
  /** The caller was answered (delivered, or failed while the result stays queued). */
  answered: boolean;
  resolve(): void;
  reject(error: Error): void;
}

export interface NSCATargetStats {
  delivered: number;
  /** Results whose callers were answered with a failure while they stayed queued. */
  failedAnswers: number;
  /** Attempts that failed (each retry of each result). */
  failedAttempts: number;
  /** Results delivered after their callers had been answered with a failure. */
  deliveredLate: number;
}

export class NSCATarget {
  readonly stats: NSCATargetStats = { delivered: 0, failedAnswers: 0, failedAttempts: 0, deliveredLate: 0 };
  private readonly waiting: Pending[] = [];
  /** Results that failed, in the order they had been sent: tried again before the others. */
  private readonly retry: Pending[] = [];
  private inFlight = 0;
  private client: ClientNSCA | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pauseMs = 0;
  private down = false;
  private closing = false;

  constructor(
    readonly config: NSCATargetSettings,
    private readonly kernel: Kernel,
    private readonly logger: Logger,
    private readonly counters: NSCAClientCounters,
  ) {
    if (config.host !== '') {
      this.client = ClientNSCA.spawn({
        host: config.host,
        port: config.port,
        password: config.password,
        encryption: config.encryption,
        timeout: config.timeout,
        legacy: config.payloadLength === 512,
        timeOffset: config.timeOffset,
        kernel,
      });
    }
  }

  /** Results not yet written to the server. */
  get queued(): number {
    return this.retry.length + this.waiting.length + this.inFlight;
  }

  /** Queues one result; the Promise settles as described at the top. */
  send(check: NscaCheck): Promise<void> {
    if (this.client === undefined) return this.fail('no_address', `target ${this.config.name} has no address ([.../targets/${this.config.name}] address)`);
    if (this.closing) return this.fail('closing', `target ${this.config.name} is closing`);
    const done = new Promise<void>((resolve, reject) => {
      this.waiting.push({ check, attempts: 0, answered: false, resolve, reject });
    });
    this.pump();
    return done;
  }

  private fail(reason: string, why: string): Promise<never> {
    this.counters.failed.inc({ reason });
    return Promise.reject(new SubmissionError(why));
  }

  private pump(): void {
    const client = this.client;
    if (client === undefined || this.retryTimer !== undefined || this.closing) return;
    while (this.inFlight < WINDOW && this.retry.length + this.waiting.length > 0) {
      const p = this.retry.shift() ?? this.waiting.shift()!;
      this.inFlight++;
      void client.send(p.check).then((result) => this.settled(p, result));
    }
  }

  private settled(p: Pending, result: ClientNSCAResult): void {
    this.inFlight--;
    if (result.success) {
      this.stats.delivered++;
      this.counters.sent.inc();
      if (this.down) {
        this.down = false;
        this.logger.log('info', `target ${this.config.name} (${this.where}) answers again; sending ${this.queued} queued result(s)`);
      }
      this.pauseMs = 0;
      if (p.answered) this.stats.deliveredLate++;
      else p.resolve();
      p.answered = true;
      this.pump();
      return;
    }
    this.stats.failedAttempts++;
    p.attempts++;
    if (this.closing) {
      if (!p.answered) this.rejectClosed(p, `${result.error} (target ${this.config.name} closed)`);
      return;
    }
    if (!this.down) {
      this.down = true;
      this.logger.log('warning', `target ${this.config.name} (${this.where}): ${result.error}; results queue until it answers`);
    }
    if (!p.answered && p.attempts > this.config.retries) {
      p.answered = true;
      this.stats.failedAnswers++;
      this.counters.failed.inc({ reason: 'unreachable' });
      p.reject(new SubmissionError(`${result.error} (target ${this.config.name}, ${p.attempts} attempts; the result stays queued and is sent when ${this.where} answers)`));
    }
    this.retry.push(p);
    this.later();
  }

  private rejectClosed(p: Pending, why: string): void {
    this.counters.failed.inc({ reason: 'closed' });
    p.reject(new SubmissionError(why));
  }

  private get where(): string {
    return `${this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host}:${this.config.port}`;
  }

  /** A pause before the next attempt: short while retries last, growing to RETRY_MAX_MS after. */
  private later(): void {
    if (this.retryTimer !== undefined || this.closing) return;
    this.pauseMs = Math.min(RETRY_MAX_MS, this.pauseMs === 0 ? RETRY_FIRST_MS : this.pauseMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.pauseMs);
  }

  /** Stops: what is in flight is waited for (one timeout at most); what waits is refused and logged. */
  async close(): Promise<number> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const end = Date.now() + this.config.timeout * 1000;
    while (this.inFlight > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    const left = [...this.retry.splice(0), ...this.waiting.splice(0)];
    for (const p of left) if (!p.answered) this.rejectClosed(p, `target ${this.config.name} closed before the result was sent`);
    if (this.client !== undefined) this.kernel.post(this.client.session_id(), 'shutdown');
    return left.length;
  }
}
