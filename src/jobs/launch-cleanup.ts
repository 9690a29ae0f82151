// The launch-cleanup queue: link attempts (rows of smart_launches, one per press of "Link") that
// were never finished pile up otherwise. A scheduler runs this job every hour; it deletes the
// attempts that expired more than a day ago. For that day a late callback still hears "this
// sign-in attempt expired" rather than "unknown". Safe to run twice, or on several workers at once.
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';

export const LAUNCHES_QUEUE = 'launch-cleanup';

/** Nothing to say: the job always cleans what has expired by the time it runs. */
export type CleanLaunchesJobData = Record<string, never>;

export interface CleanLaunchesJob {
  readonly name: 'clean-launches';
  readonly data: CleanLaunchesJobData;
}

export type LaunchesQueue = Queue<CleanLaunchesJobData, unknown, CleanLaunchesJob['name']>;

export const CLEAN_LAUNCHES_SCHEDULER = 'clean-launches';
export const CLEAN_LAUNCHES_EVERY_MS = 3_600_000;
/** How long an expired attempt is kept, so its callback can still be told it expired. */
export const EXPIRED_LAUNCH_RETENTION_MS = 86_400_000;
const BATCH = 5_000;

/** Upserts the hourly scheduler (safe at every worker start: one scheduler whatever the number of workers). */
export async function scheduleLaunchCleanup(queue: LaunchesQueue, everyMs = CLEAN_LAUNCHES_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(CLEAN_LAUNCHES_SCHEDULER, { every: everyMs }, { name: 'clean-launches', data: {} });
}

/** Deletes expired link attempts older than the retention, in batches; answers how many. */
export async function processCleanLaunches(deps: { pool: Queryable; log: Logger }, retentionMs = EXPIRED_LAUNCH_RETENTION_MS): Promise<{ deleted: number }> {
  let deleted = 0;
  for (;;) {
    const { rows } = await deps.pool.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM smart_launches WHERE state IN (
           SELECT state FROM smart_launches WHERE expires_at < now() - make_interval(secs => $1) LIMIT ${BATCH})
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [retentionMs / 1000],
    );
    deleted += rows[0].n;
    if (rows[0].n < BATCH) break;
  }
  if (deleted > 0) deps.log.info({ deleted }, 'deleted expired link attempts');
  return { deleted };
}
