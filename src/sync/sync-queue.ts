// The sync queue: one job per linked portal. Payloads carry ids only, never tokens or records.
import type { Queue } from 'bullmq';

export const SYNC_QUEUE = 'portal-sync';

export interface SyncJobData {
  readonly linkId: string;
  /** A full pass also finds resources deleted at the source. */
  readonly full?: boolean;
}

/** While a link's sync is queued or running, another request joins it instead of doubling it. */
export const syncDeduplicationId = (linkId: string) => `link:${linkId}`;

/** Queues a sync of the link, or returns the id of the one already queued or running. */
export async function enqueueSync(queue: Queue<SyncJobData>, linkId: string, options: { full?: boolean } = {}): Promise<string> {
  const job = await queue.add('sync', { linkId, ...(options.full ? { full: true } : {}) }, { deduplication: { id: syncDeduplicationId(linkId) } });
  return job.id!;
}
