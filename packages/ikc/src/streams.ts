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
