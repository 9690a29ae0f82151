// The queues the API produces into. Each queue's own file defines its name, job data and processor.
import type { Queue } from 'bullmq';
import type { QueueFactory } from './connection.js';
import { SYNC_QUEUE, type SyncJobData } from '../sync/sync-queue.js';

export interface Queues {
  factory: QueueFactory;
  sync: Queue<SyncJobData>;
  close(): Promise<void>;
}

export function createQueues(factory: QueueFactory): Queues {
  const sync = factory.createQueue<SyncJobData>(SYNC_QUEUE);
  return {
    factory,
    sync,
    close: async () => {
      await sync.close();
    },
  };
}
