// processSync: the sync queue's processor, with what it needs built once per worker process.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createLinkRepository } from '../portals/links.js';
import { createPortalRegistry } from '../portals/registry.js';
import { createTokenKeeper } from '../portals/token-refresh.js';
import type { QueueFactory } from '../queue/connection.js';
import { localPortalLimiter, redisPortalLimiter } from './portal-limiter.js';
import { DEFAULT_SYNC_SETTINGS, syncLink, SyncRateLimitedError, SyncStoppedError, type SyncCursor, type SyncSettings } from './sync-link.js';
import type { SyncJobData } from './sync-queue.js';

export interface SyncWorkerDeps {
  config: Config;
  pool: Pool;
  factory: QueueFactory;
  log: Logger;
  /** Overrides for tests (shorter backoff, smaller page limits). */
  settings?: Partial<SyncSettings>;
  /** Redis key prefix for the portal limiter (tests isolate by prefix). */
  prefix?: string;
}

export type SyncProcessor = (job: Job<SyncJobData & { cursor?: SyncCursor }>, token?: string) => Promise<unknown>;

export function createSyncProcessor(deps: SyncWorkerDeps): SyncProcessor {
  const box = createSecretBox(deps.config.secretKey, deps.config.oldSecretKeys);
  const registry = createPortalRegistry(deps.pool, box);
  const links = createLinkRepository(deps.pool, box);
  const tokens = createTokenKeeper({ pool: deps.pool, box, registry, links });
  const limit = deps.config.sync.portalMaxConcurrency;
  const limiter = deps.factory.redis ? redisPortalLimiter(deps.factory.redis, limit, deps.prefix) : localPortalLimiter(limit);
  const settings: SyncSettings = {
    ...DEFAULT_SYNC_SETTINGS,
    maxPages: deps.config.sync.maxPages,
    fullEveryMs: deps.config.sync.fullEveryMs,
    ...deps.settings,
  };

  const processor = async (job: Job<SyncJobData & { cursor?: SyncCursor }>, token?: string) => {
    try {
      return await syncLink(job, { pool: deps.pool, links, registry, tokens, limiter, log: deps.log, settings });
    } catch (error) {
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
  return processor;
}
