// Where a process's scrape-time gauges read from (src/observability/metrics.ts): the job counts
// of every queue, from the queue store, and the links per status, from the database.
import type { Queue } from 'bullmq';
import type { Queryable } from '../db/pool.js';
import type { ScrapeSources } from '../observability/metrics.js';
import { countLinksByStatus } from '../portals/links.js';
import { AUDIT_QUEUE } from './audit-retention.js';
import { LAUNCHES_QUEUE } from './launch-cleanup.js';
import { NOTICES_QUEUE } from './notices.js';
import type { Queues } from './queues.js';
import { RECORDS_QUEUE } from './recategorize.js';
import type { QueueName } from './registry.js';
import { SECRETS_QUEUE } from './reseal.js';
import { SYNC_QUEUE } from './sync.js';
import { UPLOAD_QUEUE } from './upload.js';

export function scrapeSources(queues: Queues, db: Queryable): ScrapeSources {
  return {
    queueJobs: async () => {
      // Every queue by name: the type makes a queue missing here a compile error.
      const byName: Record<QueueName, Pick<Queue, 'getJobCounts'>> = {
        [SYNC_QUEUE]: queues.sync,
        [RECORDS_QUEUE]: queues.records,
        [SECRETS_QUEUE]: queues.secrets,
        [LAUNCHES_QUEUE]: queues.launches,
        [UPLOAD_QUEUE]: queues.uploads,
        [AUDIT_QUEUE]: queues.audit,
        [NOTICES_QUEUE]: queues.notices,
      };
      const counts = await Promise.all(
        Object.entries(byName).map(async ([queue, q]) => Object.entries(await q.getJobCounts()).map(([state, count]) => ({ queue, state, count }))),
      );
      return counts.flat();
    },
    links: () => countLinksByStatus(db),
  };
}
