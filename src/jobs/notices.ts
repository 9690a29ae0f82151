// The notices queue: e-mail notices (src/notices/). `notice` mails one notice, named by ids only
// (kind, account, link); its processor re-reads everything and sends at most one per kind per link
// per day, with a few attempts and exponential backoff for an SMTP server that is away. An hourly
// `scan-notices` job (a scheduler upserted at every worker start) queues the notices that come
// with time: access ending within 14 days, the weekly digest. Sync failures queue theirs from
// src/jobs/sync.ts. Nothing is queued when mail is off (SMTP_URL unset).
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { scheduledNoticesDue, sendNotice, type Notice, type NoticeDeps, type SendOutcome } from '../notices/notices.js';
import type { NoticeKind } from '../notices/preferences.js';

export const NOTICES_QUEUE = 'notices';

export interface NoticeJobData {
  readonly kind: NoticeKind;
  readonly accountId: string;
  readonly linkId: string | null;
}

export interface NoticeJob {
  readonly name: 'notice';
  readonly data: NoticeJobData;
}

export type ScanNoticesJobData = Record<string, never>;

export interface ScanNoticesJob {
  readonly name: 'scan-notices';
  readonly data: ScanNoticesJobData;
}

export type NoticesQueue = Queue<NoticeJobData | ScanNoticesJobData, unknown, NoticeJob['name'] | ScanNoticesJob['name']>;

export const SCAN_NOTICES_SCHEDULER = 'scan-notices';
export const SCAN_NOTICES_EVERY_MS = 3_600_000;

export interface NoticeRetry {
  attempts: number;
  backoffMs: number;
}
/** An SMTP server away for a while: tries over about an hour (1, 2, 4, 8, 16, 32 minutes). */
export const NOTICE_RETRY: NoticeRetry = { attempts: 7, backoffMs: 60_000 };

const utcDay = () => new Date().toISOString().slice(0, 10);

/** Queues notices; the same notice twice on one day is one job (the table makes sure of the mail). */
export async function enqueueNotices(queue: NoticesQueue, notices: readonly Notice[], retry: NoticeRetry = NOTICE_RETRY): Promise<void> {
  if (notices.length === 0) return;
  await queue.addBulk(
    notices.map((notice) => ({
      name: 'notice' as const,
      data: { kind: notice.kind, accountId: notice.accountId, linkId: notice.linkId },
      opts: {
        jobId: `notice-${notice.kind}-${notice.linkId ?? notice.accountId}-${utcDay()}`,
        attempts: retry.attempts,
        backoff: { type: 'exponential', delay: retry.backoffMs },
        removeOnComplete: { age: 3 * 86_400 },
        removeOnFail: { age: 30 * 86_400 },
      },
    })),
  );
}

/** Upserts the hourly scan (safe at every worker start). */
export async function scheduleNoticeScan(queue: NoticesQueue, everyMs = SCAN_NOTICES_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(SCAN_NOTICES_SCHEDULER, { every: everyMs }, { name: 'scan-notices', data: {} });
}

export interface NoticesWorkerDeps extends NoticeDeps {
  log: Logger;
  pool: Pool;
  queue: NoticesQueue;
  retry?: NoticeRetry | undefined;
}

export type NoticesProcessor = (job: Job<NoticeJobData | ScanNoticesJobData, unknown, NoticeJob['name'] | ScanNoticesJob['name']>) => Promise<SendOutcome | { queued: number }>;

export function createNoticesProcessor(deps: NoticesWorkerDeps): NoticesProcessor {
  return async (job) => {
    if (job.name === 'scan-notices') {
      if (!deps.mailer) return { queued: 0 };
      const due = await scheduledNoticesDue(deps.pool);
      await enqueueNotices(deps.queue, due, deps.retry);
      return { queued: due.length };
    }
    const { kind, accountId, linkId } = job.data as NoticeJobData;
    const outcome = await sendNotice(deps, { kind, accountId, linkId });
    deps.log.info({ kind, accountId, linkId, ...outcome }, outcome.sent ? 'notice mailed' : 'notice not mailed');
    return outcome;
  };
}
