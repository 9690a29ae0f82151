// The queues, opened for producing: the API adds syncs to them, a worker start adds its
// maintenance jobs. Each is typed by its jobs (src/jobs/registry.ts), so a job cannot be added
// to the wrong queue. A queue is opened when first used (on the PostgreSQL backend each open
// queue holds connections), and close() closes those that were.
import type { Queue } from 'bullmq';
import type { QueueFactory } from '../queue/connection.js';
import { AUDIT_QUEUE } from './audit-retention.js';
import { LAUNCHES_QUEUE } from './launch-cleanup.js';
import { NOTICES_QUEUE } from './notices.js';
import { RECORDS_QUEUE } from './recategorize.js';
import type { JobOn, QueueName } from './registry.js';
import { SECRETS_QUEUE } from './reseal.js';
import { SYNC_QUEUE } from './sync.js';
import { UPLOAD_QUEUE } from './upload.js';

export type TypedQueue<Q extends QueueName> = Queue<JobOn<Q>['data'], unknown, JobOn<Q>['name']>;

export interface Queues {
  factory: QueueFactory;
  sync: TypedQueue<typeof SYNC_QUEUE>;
  records: TypedQueue<typeof RECORDS_QUEUE>;
  secrets: TypedQueue<typeof SECRETS_QUEUE>;
  launches: TypedQueue<typeof LAUNCHES_QUEUE>;
  uploads: TypedQueue<typeof UPLOAD_QUEUE>;
  audit: TypedQueue<typeof AUDIT_QUEUE>;
  notices: TypedQueue<typeof NOTICES_QUEUE>;
  close(): Promise<void>;
}

function open<Q extends QueueName>(factory: QueueFactory, name: Q): TypedQueue<Q> {
  return factory.createQueue<JobOn<Q>['data'], JobOn<Q>['name']>(name);
}

export function createQueues(factory: QueueFactory): Queues {
  const opened = new Map<QueueName, Queue>();
  const lazily = <Q extends QueueName>(name: Q): TypedQueue<Q> => {
    let queue = opened.get(name) as TypedQueue<Q> | undefined;
    if (!queue) {
      queue = open(factory, name);
      opened.set(name, queue);
    }
    return queue;
  };
  return {
    factory,
    get sync() {
      return lazily(SYNC_QUEUE);
    },
    get records() {
      return lazily(RECORDS_QUEUE);
    },
    get secrets() {
      return lazily(SECRETS_QUEUE);
    },
    get launches() {
      return lazily(LAUNCHES_QUEUE);
    },
    get uploads() {
      return lazily(UPLOAD_QUEUE);
    },
    get audit() {
      return lazily(AUDIT_QUEUE);
    },
    get notices() {
      return lazily(NOTICES_QUEUE);
    },
    close: async () => {
      const queues = [...opened.values()];
      opened.clear();
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
