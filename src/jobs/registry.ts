// Every job carebinder runs, as one discriminated union of {name, data}, and the queue each job
// name goes to. The compiler checks both ways: JOB_QUEUE must name every job (and nothing else),
// and each queue's typed Queue accepts only its own jobs' names and data. A new job adds its
// file beside this one (name, payload, enqueue helpers, processor), its member of JobItem, its
// row of JOB_QUEUE and, for a new queue, its processor in workers.ts.
import { AUDIT_QUEUE, type PurgeAuditJob } from './audit-retention.js';
import { LAUNCHES_QUEUE, type CleanLaunchesJob } from './launch-cleanup.js';
import { NOTICES_QUEUE, type NoticeJob, type ScanNoticesJob } from './notices.js';
import { RECORDS_QUEUE, type RecategorizeJob } from './recategorize.js';
import { SECRETS_QUEUE, type ResealJob } from './reseal.js';
import { SYNC_QUEUE, type SyncJob } from './sync.js';
import { UPLOAD_QUEUE, type UploadJob } from './upload.js';

export type JobItem = SyncJob | RecategorizeJob | ResealJob | CleanLaunchesJob | UploadJob | PurgeAuditJob | NoticeJob | ScanNoticesJob;
export type JobName = JobItem['name'];

export const QUEUE_NAMES = [SYNC_QUEUE, RECORDS_QUEUE, SECRETS_QUEUE, LAUNCHES_QUEUE, UPLOAD_QUEUE, AUDIT_QUEUE, NOTICES_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const JOB_QUEUE = {
  sync: SYNC_QUEUE,
  recategorize: RECORDS_QUEUE,
  reseal: SECRETS_QUEUE,
  'clean-launches': LAUNCHES_QUEUE,
  upload: UPLOAD_QUEUE,
  'purge-audit': AUDIT_QUEUE,
  notice: NOTICES_QUEUE,
  'scan-notices': NOTICES_QUEUE,
} as const satisfies Record<JobName, QueueName>;

/** The names of the jobs that go to queue Q. */
export type JobNameOn<Q extends QueueName> = { [N in JobName]: (typeof JOB_QUEUE)[N] extends Q ? N : never }[JobName];
/** The jobs that go to queue Q. */
export type JobOn<Q extends QueueName> = Extract<JobItem, { name: JobNameOn<Q> }>;
