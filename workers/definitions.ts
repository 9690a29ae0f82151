// Every queue a worker process serves, with its processor.
import type { Logger } from 'pino';
import type { Processor } from 'bullmq';
import type { Config } from '../src/config.js';
import type { Pool } from '../src/db/pool.js';
import type { QueueFactory } from '../src/queue/connection.js';
import { SYNC_QUEUE } from '../src/sync/sync-queue.js';
import { enqueueRecategorize, processRecategorize, RECORDS_QUEUE, type RecategorizeJobData } from '../src/records/recategorize.js';
import type { Job } from 'bullmq';
import { createSyncProcessor, type SyncWorkerDeps } from '../src/sync/worker.js';
import type { WorkerDefinition } from './runtime.js';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { enqueueReseal, processReseal, SECRETS_QUEUE, type ResealJobData } from '../src/crypto/reseal.js';
import { createUploadProcessor, UPLOAD_QUEUE } from '../src/jobs/upload.js';

export interface WorkerDeps {
  config: Config;
  pool: Pool;
  factory: QueueFactory;
  log: Logger;
  sync?: Pick<SyncWorkerDeps, 'settings' | 'prefix'>;
}

export function workerDefinitions(deps: WorkerDeps): WorkerDefinition[] {
  const sync = createSyncProcessor({ ...deps, ...deps.sync });
  const box = createSecretBox(deps.config.secretKey, deps.config.oldSecretKeys);
  return [
    { queue: SYNC_QUEUE, processor: sync as Processor, concurrency: deps.config.sync.workerConcurrency },
    { queue: RECORDS_QUEUE, processor: (job: Job<RecategorizeJobData>) => processRecategorize(job, deps), concurrency: 1 },
    { queue: SECRETS_QUEUE, processor: (job: Job<ResealJobData>) => processReseal(job, { ...deps, box }), concurrency: 1 },
    { queue: UPLOAD_QUEUE, processor: createUploadProcessor(deps) as Processor, concurrency: 2 },
  ];
}

/**
 * Work every worker start asks for: re-filing records if the filing rules changed (once per
 * version) and re-sealing secrets if the secret key changed (once per key).
 */
export async function queueStartupJobs(factory: QueueFactory, config: Pick<Config, 'secretKey' | 'oldSecretKeys'>): Promise<void> {
  const records = factory.createQueue<RecategorizeJobData>(RECORDS_QUEUE);
  const secrets = factory.createQueue<ResealJobData>(SECRETS_QUEUE);
  try {
    await enqueueRecategorize(records);
    await enqueueReseal(secrets, createSecretBox(config.secretKey, config.oldSecretKeys));
  } finally {
    await Promise.all([records.close(), secrets.close()]);
  }
}
