import { RetentionPolicy, StorageType, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Creates a file-backed work-queue stream (a message leaves once acknowledged) with a two-minute
 * duplicate window, unless it exists. Several processes may race to create it: any one wins.
 */
export async function ensureWorkQueueStream(nc: NatsConnection, stream: { name: string; subjects: string[]; replicas: number }): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(stream.name);
    return;
  } catch {
    // not there yet
  }
  try {
    await jsm.streams.add({
      name: stream.name,
      subjects: stream.subjects,
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      num_replicas: stream.replicas,
      duplicate_window: 120e9,
    });
  } catch (error) {
    // created by another process in between, or a real failure
    await jsm.streams.info(stream.name).catch(() => {
      throw error;
    });
  }
}

/**
 * Runs a JetStream setup step, retrying for up to `seconds` while JetStream answers that it is
 * unavailable or does not answer in time: what it does for a while after a cluster node died or
 * while a new cluster elects its leader. Other errors are thrown at once.
 */
export async function retryingSetup<T>(step: () => Promise<T>, seconds = 30): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const text = String((error as Error).message ?? error);
      const transient = /timeout|temporarily unavailable|no responders|503|no suitable peers|insufficient resources|leader/i.test(text);
      if (!transient || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)));
    }
  }
}
