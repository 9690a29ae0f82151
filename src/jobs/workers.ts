// startWorkers(): the one wiring of a worker process, used by `npm run worker`, the demo and the
// tests. It serves every queue with its processor, queues the work each start asks for, and
// closes in order: workers first (they finish the jobs in flight), then the queues, then the
// queue store's connection and the database pool.
import type { Processor, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { createPool, type Pool } from '../db/pool.js';
import { createQueueFactory, type QueueFactory } from '../queue/connection.js';
import type { SyncSettings } from '../sync/sync-link.js';
import { createMailer } from '../notices/mailer.js';
import { deriveUnsubscribeKey } from '../notices/unsubscribe.js';
import { AUDIT_QUEUE, processPurgeAudit, scheduleAuditPurge } from './audit-retention.js';
import { LAUNCHES_QUEUE, processCleanLaunches, scheduleLaunchCleanup } from './launch-cleanup.js';
import { createNoticesProcessor, NOTICES_QUEUE, scheduleNoticeScan, type NoticeRetry } from './notices.js';
import { createQueues, type Queues } from './queues.js';
import { enqueueRecategorize, processRecategorize, RECORDS_QUEUE } from './recategorize.js';
import type { JobOn, QueueName } from './registry.js';
import { enqueueReseal, processReseal, SECRETS_QUEUE } from './reseal.js';
import { createSyncProcessor, SYNC_QUEUE } from './sync.js';
import { createUploadProcessor, UPLOAD_QUEUE } from './upload.js';

/** Lock and stall-check timing; tests shorten them to see a killed worker's job recovered quickly. */
export interface WorkerTiming {
  lockDuration?: number;
  stalledInterval?: number;
}

export interface WorkerDefinition<D = unknown, N extends string = string> {
  queue: string;
  processor: Processor<D, unknown, N>;
  concurrency: number;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the jobs in flight. */
  close(): Promise<void>;
}

/** Starts one BullMQ worker per definition, logging failures; close() waits for jobs in flight. */
export function runWorkers(factory: QueueFactory, definitions: readonly WorkerDefinition[], log: Logger, timing: WorkerTiming = {}): RunningWorkers {
  const workers = definitions.map((definition) => {
    const worker = factory.createWorker(definition.queue, definition.processor, { concurrency: definition.concurrency, ...timing });
    worker.on('active', (job) => log.debug({ queue: definition.queue, jobId: job.id }, 'job started'));
    worker.on('failed', (job, error) =>
      log.warn({ queue: definition.queue, jobId: job?.id, attemptsMade: job?.attemptsMade, reason: error.message }, 'job failed'),
    );
    worker.on('error', (error) => log.error({ queue: definition.queue, err: error }, 'worker error'));
    return worker;
  });
  log.info({ queues: definitions.map((d) => d.queue), store: factory.kind }, 'workers started');
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}

type Served = { [Q in QueueName]: WorkerDefinition<JobOn<Q>['data'], JobOn<Q>['name']> };

/** Every queue with its processor: the type makes a queue without one a compile error. */
function servedQueues(deps: {
  config: Config;
  pool: Pool;
  factory: QueueFactory;
  queues: Queues;
  log: Logger;
  prefix?: string;
  sync?: Partial<SyncSettings>;
  noticeRetry?: NoticeRetry;
}): Served {
  const box = createSecretBox(deps.config.secretKey, deps.config.oldSecretKeys);
  const mailer = createMailer(deps.config.mail);
  // Without mail, failed syncs queue no notices at all.
  const notices = mailer ? { queue: deps.queues.notices, retry: deps.noticeRetry } : undefined;
  return {
    [SYNC_QUEUE]: {
      queue: SYNC_QUEUE,
      processor: createSyncProcessor({ ...deps, settings: deps.sync, notices }),
      concurrency: deps.config.sync.workerConcurrency,
    },
    [RECORDS_QUEUE]: { queue: RECORDS_QUEUE, processor: (job) => processRecategorize(job, deps), concurrency: 1 },
    [SECRETS_QUEUE]: { queue: SECRETS_QUEUE, processor: (job) => processReseal(job, { ...deps, box }), concurrency: 1 },
    [LAUNCHES_QUEUE]: { queue: LAUNCHES_QUEUE, processor: () => processCleanLaunches(deps), concurrency: 1 },
    [UPLOAD_QUEUE]: { queue: UPLOAD_QUEUE, processor: createUploadProcessor(deps), concurrency: 2 },
    [AUDIT_QUEUE]: { queue: AUDIT_QUEUE, processor: () => processPurgeAudit(deps, deps.config.auditRetentionDays), concurrency: 1 },
    [NOTICES_QUEUE]: {
      queue: NOTICES_QUEUE,
      processor: createNoticesProcessor({
        pool: deps.pool,
        log: deps.log,
        queue: deps.queues.notices,
        mailer,
        publicUrl: deps.config.publicUrl,
        unsubscribeKey: deriveUnsubscribeKey(deps.config.secretKey),
        retry: deps.noticeRetry,
      }),
      concurrency: 2,
    },
  };
}

export interface StartWorkersOptions {
  config: Config;
  log: Logger;
  /** The database connections' application_name. */
  name?: string;
  poolSize?: number;
  /** Separates test runs that share one Redis (queues and the portal limiter). */
  prefix?: string;
  /** Overrides for tests (shorter backoff, smaller page limits). */
  sync?: Partial<SyncSettings>;
  timing?: WorkerTiming;
  /** Attempts and backoff of notice mails (tests shorten the backoff). */
  noticeRetry?: NoticeRetry;
}

export interface Workers extends RunningWorkers {
  pool: Pool;
  factory: QueueFactory;
  queues: Queues;
}

/**
 * Starts a worker on every queue, then queues what each start asks for: re-filing records if the
 * filing rules changed (once per version), re-sealing secrets if the secret key changed (once per
 * key), and the hourly schedulers (upserted): the clean-up of expired link attempts, the audit
 * trail's retention purge and the scan for notices that come with time.
 */
export async function startWorkers(options: StartWorkersOptions): Promise<Workers> {
  const { config, log } = options;
  const pool = createPool(config.databaseUrl, options.name ?? 'carebinder-worker', options.poolSize);
  const factory = createQueueFactory({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, role: 'worker', prefix: options.prefix });
  const queues = createQueues(factory);
  const running = runWorkers(factory, Object.values(servedQueues({ config, pool, factory, queues, log, prefix: options.prefix, sync: options.sync, noticeRetry: options.noticeRetry })) as WorkerDefinition[], log, options.timing);
  const close = async () => {
    await running.close();
    await queues.close();
    await factory.close();
    await pool.end();
  };
  try {
    await Promise.all(running.workers.map((worker) => worker.waitUntilReady()));
    await enqueueRecategorize(queues.records);
    await enqueueReseal(queues.secrets, createSecretBox(config.secretKey, config.oldSecretKeys));
    await scheduleLaunchCleanup(queues.launches);
    await scheduleAuditPurge(queues.audit);
    await scheduleNoticeScan(queues.notices);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { ...running, pool, factory, queues, close };
}
