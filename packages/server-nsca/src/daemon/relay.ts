// The worker side of poets-nscad --daemon: the lines a worker's checks make go to the primary
// process (the command file's one writer) over node:cluster's IPC channel, in batches.

/** Worker → primary: command lines (or JSON lines) to write, each whole, bytes as latin1. */
export interface LinesMessage {
  ns: 'nscad-lines';
  seq: number;
  lines: string[];
}

/** Primary → worker: every line of batches up to `seq` is written (or spooled). */
export interface AckMessage {
  ns: 'nscad-ack';
  seq: number;
}

/** Primary → worker: HUP, passed on (a message, not the signal: a worker still starting has no handler for it yet). */
export interface ReloadMessage {
  ns: 'nscad-reload';
}

export function isReloadMessage(message: unknown): message is ReloadMessage {
  return typeof message === 'object' && message !== null && (message as { ns?: unknown }).ns === 'nscad-reload';
}

export function isLinesMessage(message: unknown): message is LinesMessage {
  return typeof message === 'object' && message !== null && (message as { ns?: unknown }).ns === 'nscad-lines';
}

export function isAckMessage(message: unknown): message is AckMessage {
  return typeof message === 'object' && message !== null && (message as { ns?: unknown }).ns === 'nscad-ack';
}

/** What the relay needs of its process: `process` itself in a cluster worker. */
export interface RelayChannel {
  send?: ((message: LinesMessage) => boolean) | undefined;
  readonly connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/**
 * A command file seen from a worker: write() queues a line, sent to the primary with the others of
 * this event-loop turn as one message; whenSafe() resolves once the primary says everything sent so
 * far is written, so a client's connection is closed only then (as in --single).
 */
export class LineRelay {
  private batch: string[] = [];
  private flushPending = false;
  private sent = 0;
  private acked = 0;
  /** Lines in each batch sent and not yet acknowledged, by seq. */
  private readonly unacked = new Map<number, number>();
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  private disconnected = false;

  constructor(private readonly channel: RelayChannel) {
    channel.on('message', (message) => {
      if (isAckMessage(message)) this.acknowledged(message.seq);
    });
    channel.on('disconnect', () => {
      this.disconnected = true;
    });
  }

  write(line: Buffer | string): void {
    this.batch.push(typeof line === 'string' ? Buffer.from(line).toString('latin1') : line.toString('latin1'));
    if (this.flushPending) return;
    this.flushPending = true;
    setImmediate(this.flush);
  }

  whenSafe(): Promise<void> | undefined {
    const seq = this.sent + (this.batch.length > 0 ? 1 : 0);
    if (seq <= this.acked) return undefined;
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Lines of this worker's file options: the primary's writer has them; nothing to do here. */
  reconfigure(): void {}

  /** Sends what is queued and waits for the primary (up to `ms`); resolves to the lines it did not confirm. */
  async close(ms = 5000): Promise<number> {
    this.flush();
    const end = Date.now() + ms;
    while (this.acked < this.sent && !this.disconnected && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    let left = 0;
    for (const count of this.unacked.values()) left += count;
    return left;
  }

  private readonly flush = (): void => {
    this.flushPending = false;
    if (this.batch.length === 0) return;
    const lines = this.batch;
    this.batch = [];
    const seq = ++this.sent;
    this.unacked.set(seq, lines.length);
    // a worker whose primary is gone exits (node:cluster); its clients' connections were not closed cleanly
    if (this.channel.connected !== false) this.channel.send?.({ ns: 'nscad-lines', seq, lines });
  };

  private acknowledged(seq: number): void {
    for (let s = this.acked + 1; s <= seq; s++) this.unacked.delete(s);
    this.acked = Math.max(this.acked, seq);
    // whenSafe's seqs never decrease: the waiters are in order
    while (this.waiters.length > 0 && this.waiters[0]!.seq <= this.acked) this.waiters.shift()!.resolve();
  }
}
