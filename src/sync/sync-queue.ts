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

export const schedulerIdFor = (linkId: string) => `sync-link:${linkId}`;

/**
 * The periodic sync of a link, as a BullMQ job scheduler (safe to call again: it upserts).
 * Each link starts at a random point of the period, so links created together do not all
 * sync at the same minute.
 */
export async function scheduleLinkSync(queue: Queue<SyncJobData>, linkId: string, everyMs: number): Promise<void> {
  const offset = Math.floor(Math.random() * everyMs);
  await queue.upsertJobScheduler(
    schedulerIdFor(linkId),
    { every: everyMs, startDate: new Date(Date.now() + offset) },
    { name: 'sync', data: { linkId } },
  );
}

export async function unscheduleLinkSync(queue: Queue<SyncJobData>, linkId: string): Promise<void> {
  await queue.removeJobScheduler(schedulerIdFor(linkId));
}
