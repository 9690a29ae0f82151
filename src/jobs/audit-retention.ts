// The audit-retention queue: audit events are kept AUDIT_RETENTION_DAYS (default 365). A scheduler
// runs this job every hour; it deletes older events through audit_purge() (migration 0016), the
// one DELETE the append-only trigger lets through. Safe to run twice, or on several workers at once.
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { createAuditRepository } from '../audit/repository.js';
import type { Queryable } from '../db/pool.js';

export const AUDIT_QUEUE = 'audit-retention';

/** Nothing to say: the retention comes from the worker's configuration. */
export type PurgeAuditJobData = Record<string, never>;

export interface PurgeAuditJob {
  readonly name: 'purge-audit';
  readonly data: PurgeAuditJobData;
}

export type AuditQueue = Queue<PurgeAuditJobData, unknown, PurgeAuditJob['name']>;

export const PURGE_AUDIT_SCHEDULER = 'purge-audit';
export const PURGE_AUDIT_EVERY_MS = 3_600_000;

/** Upserts the hourly scheduler (safe at every worker start). */
export async function scheduleAuditPurge(queue: AuditQueue, everyMs = PURGE_AUDIT_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(PURGE_AUDIT_SCHEDULER, { every: everyMs }, { name: 'purge-audit', data: {} });
}

/** Deletes the audit events older than the retention; answers how many. */
export async function processPurgeAudit(deps: { pool: Queryable; log: Logger }, retentionDays: number): Promise<{ deleted: number }> {
  const deleted = await createAuditRepository(deps.pool).purgeOlderThan(retentionDays);
  if (deleted > 0) deps.log.info({ deleted, retentionDays }, 'deleted audit events past their retention');
  return { deleted };
}
