import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import type { Logger } from '@poets/kernel';
import { ensureWorkQueueStream, retryingSetup } from './streams.js';
import type { Subjects } from './subjects.js';

/** Durable posts: where they are kept and how often a failing handler is retried. */
export interface DurableOptions {
  /** The JetStream stream holding every kernel's durable posts; default `POE_IKC`. */
  stream?: string;
  /** Stream replicas (3 on a three-node cluster survives a node); default 1. */
  replicas?: number;
  /** Deliveries of one message before it is parked; default 5. */
  maxDeliver?: number;
  /** Seconds a delivered message may stay unacknowledged before the server redelivers it; default 30. */
  ackWait?: number;
  /** Seconds a failed delivery waits before its redelivery; default 1. */
  retryDelay?: number;
  /** Seconds a sender keeps retrying a publish JetStream did not acknowledge; default 120. */
  publishTimeout?: number;
  /** Message IDs remembered to drop redeliveries of posts already handled; default 100,000. */
  dedupSize?: number;
}

/** A durable post whose handler failed `deliveries` times: moved to the parked subject. */
export interface ParkedMessage {
  kernel: string;
  msgID: string;
  deliveries: number;
  reason: string;
  /** The parked copy's subject (in the same stream). */
  subject: string;
}

/** What the channel hands the responder: run the handler; resolve true when it ran without throwing. */
export type DurableDeliver = (data: Uint8Array, msgID: string) => Promise<{ ok: true } | { ok: false; reason: string }>;

const MSG_ID = 'Nats-Msg-Id';

/** One kernel's side of JetStream: publishing durable posts (with retries) and consuming its own. */
export class DurableChannel {
  readonly js: JetStreamClient;
  private readonly stream: string;
  private readonly replicas: number;
  private readonly maxDeliver: number;
  private readonly ackWaitNs: number;
  private readonly retryMs: number;
  private readonly publishMs: number;
  private readonly dedupSize: number;
  /** IDs of messages whose handler ran, oldest first (a Map keeps insertion order). */
  private readonly handled = new Map<string, true>();
  private readonly inFlight = new Set<string>();
  private messages: ConsumerMessages | undefined;
  private stopped = false;
  private consuming = true;
  private streamReady: Promise<void> | undefined;
  private readonly queue: { subject: string; data: Uint8Array; msgID: string; done: (error?: Error) => void }[] = [];
  private inFlightPublishes = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly name: string,
    options: DurableOptions,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
    this.stream = options.stream ?? 'POE_IKC';
    this.replicas = options.replicas ?? 1;
    this.maxDeliver = options.maxDeliver ?? 5;
    this.ackWaitNs = (options.ackWait ?? 30) * 1e9;
    this.retryMs = (options.retryDelay ?? 1) * 1000;
    this.publishMs = (options.publishTimeout ?? 120) * 1000;
    this.dedupSize = options.dedupSize ?? 100_000;
  }

  get consumerName(): string {
    return `ikc_${this.subjects.durable(this.name).split('.').pop()!}`;
  }

  /** Creates the stream if it is not there (several kernels may race to: any one wins). */
  async ensureStream(): Promise<void> {
    await ensureWorkQueueStream(this.nc, { name: this.stream, subjects: [this.subjects.durableAll, this.subjects.parkedAll], replicas: this.replicas });
  }

  /** Starts taking this kernel's durable posts: messages sent while it was away come first. */
  async consume(deliver: DurableDeliver, park: (parked: ParkedMessage) => void): Promise<void> {
    const consumer = await retryingSetup(async () => {
      await this.ensureStream();
      const jsm = await jetstreamManager(this.nc);
      const durable = this.consumerName;
      try {
        await jsm.consumers.info(this.stream, durable);
      } catch (error) {
        if (!/not found/i.test(String((error as Error).message))) throw error;
        await jsm.consumers.add(this.stream, {
          durable_name: durable,
          filter_subject: this.subjects.durable(this.name),
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: this.ackWaitNs,
          // deliveries are counted and parked here, so the server never drops one silently
          max_deliver: -1,
          max_ack_pending: 1000,
        });
      }
      return this.js.consumers.get(this.stream, durable);
    });
    this.messages = await consumer.consume({ max_messages: 256 });
    void this.loop(this.messages, deliver, park);
  }

  private async loop(messages: ConsumerMessages, deliver: DurableDeliver, park: (parked: ParkedMessage) => void): Promise<void> {
    try {
      for await (const m of messages) {
        if (!this.consuming) break;
        this.take(m, deliver, park);
      }
    } catch (error) {
      if (this.consuming) this.logger.log('error', `durable consumer ${this.consumerName} stopped: ${(error as Error).message}`, { error });
    }
  }

  private take(m: JsMsg, deliver: DurableDeliver, park: (parked: ParkedMessage) => void): void {
    const msgID = m.headers?.get(MSG_ID) || `${this.stream}:${m.seq}`;
    if (this.handled.has(msgID)) {
      // its handler ran; the first acknowledgement was lost (a server restart): never run it twice
      m.ack();
      return;
    }
    if (this.inFlight.has(msgID)) return; // redelivered while its handler still runs: that run settles it
    const deliveries = m.info.deliveryCount;
    if (deliveries > this.maxDeliver) {
      this.park(m, msgID, deliveries - 1, 'delivered too often without an acknowledgement', park);
      return;
    }
    this.inFlight.add(msgID);
    void deliver(m.data, msgID).then((outcome) => {
      this.inFlight.delete(msgID);
      if (!this.consuming) return;
      if (outcome.ok) {
        this.remember(msgID);
        m.ack();
      } else if (deliveries >= this.maxDeliver) {
        this.park(m, msgID, deliveries, outcome.reason, park);
      } else {
        this.logger.log('warning', `durable post ${msgID} failed (delivery ${deliveries} of ${this.maxDeliver}): ${outcome.reason}; redelivering`);
        m.nak(this.retryMs);
      }
    });
  }

  private park(m: JsMsg, msgID: string, deliveries: number, reason: string, report: (parked: ParkedMessage) => void): void {
    const subject = this.subjects.parked(this.name);
    const h = natsHeaders();
    h.set(MSG_ID, `parked:${msgID}`);
    h.set('Ikc-Original-Id', msgID);
    h.set('Ikc-Reason', reason.replace(/[\r\n]+/g, ' ').slice(0, 512));
    h.set('Ikc-Deliveries', String(deliveries));
    this.js
      .publish(subject, m.data, { headers: h as MsgHdrs, msgID: `parked:${msgID}` })
      .then(() => {
        m.term(reason.slice(0, 100));
        this.remember(msgID);
        this.logger.log('error', `durable post ${msgID} parked on ${subject} after ${deliveries} deliveries: ${reason}`);
        report({ kernel: this.name, msgID, deliveries, reason, subject });
      })
      .catch((error: Error) => {
        // not parked: leave it unacknowledged, the server redelivers it and parking is tried again
        this.logger.log('error', `durable post ${msgID} could not be parked: ${error.message}`, { error });
      });
  }

  private remember(msgID: string): void {
    this.handled.set(msgID, true);
    if (this.handled.size > this.dedupSize) this.handled.delete(this.handled.keys().next().value!);
  }

  /** Durable posts queued or awaiting JetStream's acknowledgement. */
  get pending(): number {
    return this.queue.length + this.inFlightPublishes;
  }

  /**
   * Queues one durable post; `done` is called once JetStream has stored it, or with the error
   * that made it give up. At most 256 publishes await their acknowledgement at once, sent in
   * order on the one connection.
   */
  send(subject: string, data: Uint8Array, msgID: string, done: (error?: Error) => void): void {
    this.queue.push({ subject, data, msgID, done });
    this.streamReady ??= retryingSetup(() => this.ensureStream());
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      await this.streamReady;
    } catch (error) {
      this.streamReady = undefined;
      const failure = new Error(`JetStream unavailable: ${(error as Error).message}`, { cause: error });
      for (const item of this.queue.splice(0)) item.done(failure);
      return;
    }
    while (this.inFlightPublishes < 256 && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inFlightPublishes++;
      this.publish(item.subject, item.data, item.msgID)
        .then(
          () => item.done(),
          (error: Error) => item.done(error),
        )
        .finally(() => {
          this.inFlightPublishes--;
          if (this.queue.length > 0) void this.pump();
        });
    }
  }

  /**
   * Publishes one durable post, retrying with the same message ID until JetStream acknowledges it
   * (its duplicate window drops the copies a lost acknowledgement makes us send) or
   * `publishTimeout` passes.
   */
  async publish(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    const deadline = Date.now() + this.publishMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.js.publish(subject, data, { msgID, timeout: 5000 });
        return;
      } catch (error) {
        const message = (error as Error).message ?? '';
        if (this.stopped || Date.now() >= deadline || /payload|MAX_PAYLOAD/i.test(message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      }
    }
  }

  /** Stops taking deliveries (unacknowledged ones are redelivered later); publishing goes on. */
  stopConsuming(): void {
    this.consuming = false;
    this.messages?.stop();
  }

  /** Stops everything: publishes still retrying give up. */
  stop(): void {
    this.stopConsuming();
    this.stopped = true;
  }
}
