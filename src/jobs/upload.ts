// The upload queue: one job per uploaded file, filing it into the binder. The payload carries
// the upload's id only; the file waits in PostgreSQL (uploads.content) until the job has filed it.
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { processUpload, type ProcessOutcome } from '../uploads/process.js';

export const UPLOAD_QUEUE = 'uploads';

export interface UploadJobData {
  readonly uploadId: string;
}

export interface UploadJob {
  readonly name: 'upload';
  readonly data: UploadJobData;
}

export type UploadsQueue = Queue<UploadJobData, unknown, UploadJob['name']>;

/** A few tries for what fails on our side (the database away); a bad file fails at once, with its reason. */
const ATTEMPTS = 3;

export async function enqueueUpload(queue: UploadsQueue, uploadId: string): Promise<string> {
  const job = await queue.add(
    'upload',
    { uploadId },
    { jobId: `upload-${uploadId}`, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: 1000, removeOnFail: 5000 },
  );
  return job.id!;
}

export interface UploadWorkerDeps {
  pool: Pool;
  log: Logger;
}

export type UploadProcessor = (job: Job<UploadJobData>) => Promise<ProcessOutcome>;

export function createUploadProcessor(deps: UploadWorkerDeps): UploadProcessor {
  return async (job) => processUpload(job.data.uploadId, deps, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
}
