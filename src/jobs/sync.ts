// The sync queue: one job per linked portal, queued on linking, by the patient's "sync now" and
// by a per-link scheduler. Payloads carry ids only, never tokens or records. The work itself is
// src/sync/sync-link.ts; this file turns its outcomes into BullMQ's (a delayed retry for a
// portal's long 429, no retry for a link that needs the patient again).
import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createLinkRepository } from '../portals/links.js';
import { createPortalRegistry } from '../portals/registry.js';
import { createTokenKeeper } from '../portals/token-refresh.js';
import { noticesAfterFailedSync } from '../notices/notices.js';
import type { QueueFactory } from '../queue/connection.js';
import type { SyncJobData } from '../sync/job-data.js';
import { localPortalLimiter, parsePortalRates, redisPortalLimiter } from '../sync/portal-limiter.js';
import { DEFAULT_SYNC_SETTINGS, syncLink, SyncRateLimitedError, SyncStoppedError, type SyncCursor, type SyncSettings } from '../sync/sync-link.js';
import { enqueueNotices, type NoticeRetry, type NoticesQueue } from './notices.js';

export type { SyncJobData } from '../sync/job-data.js';

export const SYNC_QUEUE = 'portal-sync';

export interface SyncJob {
  readonly name: 'sync';
  readonly data: SyncJobData;
}

export type SyncQueue = Queue<SyncJobData, unknown, SyncJob['name']>;

/** While a link's sync is queued or running, another request joins it instead of doubling it. */
export const syncDeduplicationId = (linkId: string) => `link:${linkId}`;

/** Queues a sync of the link, or returns the id of the one already queued or running. */
export async function enqueueSync(queue: SyncQueue, linkId: string, options: { full?: boolean } = {}): Promise<string> {
  const job = await queue.add('sync', { linkId, ...(options.full ? { full: true } : {}) }, { deduplication: { id: syncDeduplicationId(linkId) } });
  return job.id!;
}

export const schedulerIdFor = (linkId: string) => `sync-link:${linkId}`;

/**
 * The periodic sync of a link, as a BullMQ job scheduler (safe to call again: it upserts).
 * Each link starts at a random point of the period, so links created together do not all
 * sync at the same minute.
 */
export async function scheduleLinkSync(queue: SyncQueue, linkId: string, everyMs: number): Promise<void> {
  const offset = Math.floor(Math.random() * everyMs);
  await queue.upsertJobScheduler(
    // bullmq 6 types a scheduler's id as a job name; it is any string, one per link here.
    schedulerIdFor(linkId) as SyncJob['name'],
    { every: everyMs, startDate: new Date(Date.now() + offset) },
    { name: 'sync', data: { linkId } },
  );
}

export async function unscheduleLinkSync(queue: SyncQueue, linkId: string): Promise<void> {
  await queue.removeJobScheduler(schedulerIdFor(linkId));
}

export interface SyncWorkerDeps {
  config: Config;
  pool: Pool;
  factory: QueueFactory;
  log: Logger;
  /** Overrides for tests (shorter backoff, smaller page limits). */
  settings?: Partial<SyncSettings>;
  /** Redis key prefix for the portal limiter (tests isolate by prefix). */
  prefix?: string;
  /** Where a failed sync queues its e-mail notice; absent when mail is off. */
  notices?: { queue: NoticesQueue; retry?: NoticeRetry | undefined } | undefined;
}

/** The job as the sync sees it: its data plus the resume cursor it saves after every page. */
export type SyncRunJob = Job<SyncJobData & { cursor?: SyncCursor }, unknown, SyncJob['name']>;

export type SyncProcessor = (job: SyncRunJob, token?: string) => Promise<unknown>;

/** The sync queue's processor, with what it needs built once per worker process. */
export function createSyncProcessor(deps: SyncWorkerDeps): SyncProcessor {
  const box = createSecretBox(deps.config.secretKey, deps.config.oldSecretKeys);
  const registry = createPortalRegistry(deps.pool, box);
  const links = createLinkRepository(deps.pool, box);
  const tokens = createTokenKeeper({ pool: deps.pool, box, registry, links });
  const limit = deps.config.sync.portalMaxConcurrency;
  const rates = parsePortalRates(deps.config.sync.portalRequestsPerMinute);
  const limiter = deps.factory.redis ? redisPortalLimiter(deps.factory.redis, limit, deps.prefix, undefined, rates) : localPortalLimiter(limit, rates);
  const settings: SyncSettings = {
    ...DEFAULT_SYNC_SETTINGS,
    maxPages: deps.config.sync.maxPages,
    fullEveryMs: deps.config.sync.fullEveryMs,
    ...deps.settings,
  };

  /**
   * After a failed attempt: the link may have just come to need re-linking, or failed its third
   * run in a row. Queuing the notice must never change the sync's own outcome.
   */
  async function queueNotices(linkId: string, statusBefore: string | null): Promise<void> {
    if (!deps.notices) return;
    try {
      await enqueueNotices(deps.notices.queue, await noticesAfterFailedSync(deps.pool, linkId, statusBefore), deps.notices.retry);
    } catch (error) {
      deps.log.warn({ linkId, err: error }, 'could not queue the notice of a failed sync');
    }
  }

  return async (job, token) => {
    const statusBefore = deps.notices ? ((await links.findById(job.data.linkId))?.status ?? null) : null;
    try {
      return await syncLink(job, { pool: deps.pool, links, registry, tokens, limiter, log: deps.log, settings });
    } catch (error) {
      if (!(error instanceof SyncRateLimitedError)) await queueNotices(job.data.linkId, statusBefore);
      // A portal's long 429: this job alone waits (other portals' syncs go on), resuming at its
      // saved page, and the wait does not use up an attempt.
      if (error instanceof SyncRateLimitedError) {
        await job.moveToDelayed(Date.now() + error.waitMs, token);
        throw new DelayedError();
      }
      // Needs a new link by the patient: retrying cannot help.
      if (error instanceof SyncStoppedError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
