// The one place that knows which store backs the job queues. Redis in production, tests and CI;
// BullMQ's PostgreSQL backend for an npm-only first run (no REDIS_URL). Queue code elsewhere is
// the same either way: it asks this factory for its Queue and Worker. With tracing on, every queue
// and worker carries bullmq-otel's telemetry, so a job's processing continues the trace that queued it.
import { Queue, Worker, createPostgresBackend } from 'bullmq';
import type { DefaultJobOptions, Processor, QueueOptions, WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { queueTelemetry } from '../observability/tracing.js';
import { withTimeout } from '../util/timeout.js';

export type QueueStoreKind = 'redis' | 'postgres';

type QueueSettings = Omit<QueueOptions, 'connection'>;
type WorkerSettings = Omit<WorkerOptions, 'connection'>;

export interface QueueFactory {
  readonly kind: QueueStoreKind;
  createQueue<D, N extends string = string>(name: string, settings?: QueueSettings): Queue<D, unknown, N>;
  createWorker<D, N extends string = string>(name: string, processor: Processor<D, unknown, N>, settings?: WorkerSettings): Worker<D, unknown, N>;
  /** The shared Redis client when the store is Redis (rate limiters and locks use it). */
  readonly redis: Redis | undefined;
  close(): Promise<void>;
}

export interface QueueFactoryOptions {
  redisUrl: string | undefined;
  databaseUrl: string;
  /** API processes fail fast when Redis is down (answer 503); workers wait for it to come back. */
  role: 'producer' | 'worker';
  /** Separates test runs that share one Redis. */
  prefix?: string;
}

export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 86_400, count: 1_000 },
  removeOnFail: { age: 30 * 86_400 },
};

/**
 * A job whose worker died (killed, out of memory) goes back to the queue up to this many times
 * before BullMQ fails it as stalled: every processor resumes or repeats safely (a sync resumes
 * at its saved page), and BullMQ's default of 1 failed a sync whose worker was killed twice.
 */
export const DEFAULT_WORKER_SETTINGS: WorkerSettings = { maxStalledCount: 5 };

export function createQueueFactory(options: QueueFactoryOptions): QueueFactory {
  return options.redisUrl ? redisQueueFactory(options.redisUrl, options) : postgresQueueFactory(options.databaseUrl);
}

function redisQueueFactory(redisUrl: string, options: QueueFactoryOptions): QueueFactory {
  const redis = new Redis(redisUrl, {
    // BullMQ requires this for blocking worker connections.
    maxRetriesPerRequest: null,
    enableOfflineQueue: options.role === 'worker',
    lazyConnect: false,
  });
  redis.on('error', () => {}); // reconnects on its own; readiness reports the outage
  const prefix = options.prefix ?? 'carebinder';
  return {
    kind: 'redis',
    redis,
    createQueue: <D, N extends string = string>(name: string, settings?: QueueSettings) =>
      quiet(new Queue<D, unknown, N>(name, { defaultJobOptions: DEFAULT_JOB_OPTIONS, ...queueTelemetry(), ...settings, prefix, connection: redis })),
    createWorker: <D, N extends string = string>(name: string, processor: Processor<D, unknown, N>, settings?: WorkerSettings) =>
      new Worker<D, unknown, N>(name, processor, { ...DEFAULT_WORKER_SETTINGS, ...queueTelemetry(), ...settings, prefix, connection: redis }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function postgresQueueFactory(databaseUrl: string): QueueFactory {
  const connection = { connectionString: databaseUrl, schema: 'bullmq', migrate: true, max: 4 };
  // The PostgreSQL backend has the same Queue/Worker API; its generic parameters differ only
  // in the connection type, hence the casts to the Redis-typed classes used elsewhere.
  return {
    kind: 'postgres',
    redis: undefined,
    createQueue: <D, N extends string = string>(name: string, settings?: QueueSettings) =>
      quiet(new Queue(name, { defaultJobOptions: DEFAULT_JOB_OPTIONS, ...queueTelemetry(), ...settings, connection }, createPostgresBackend) as unknown as Queue<D, unknown, N>),
    createWorker: <D, N extends string = string>(name: string, processor: Processor<D, unknown, N>, settings?: WorkerSettings) =>
      new Worker(name, processor as Processor, { ...DEFAULT_WORKER_SETTINGS, ...queueTelemetry(), ...settings, connection }, createPostgresBackend) as unknown as Worker<D, unknown, N>,
    close: async () => {},
  };
}

/** Connection errors surface through readiness and failed adds; without a listener BullMQ prints them. */
function quiet<D, N extends string>(queue: Queue<D, unknown, N>): Queue<D, unknown, N> {
  queue.on('error', () => {});
  return queue;
}

/** Rejects when the store does not answer within the time limit. */
export async function pingQueue(queue: Pick<Queue, 'getJobCounts'>, timeoutMs = 1_500): Promise<void> {
  await withTimeout(queue.getJobCounts('waiting'), timeoutMs, 'queue store did not answer in time');
}
