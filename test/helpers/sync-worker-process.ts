// A real worker process for the crash and scale-out tests: the production runtime and sync
// processor, printing "start <jobId>" when it takes a job.
import { createPool } from '../../src/db/pool.js';
import { exitGracefullyOnSignals } from '../../src/lifecycle.js';
import { createLogger } from '../../src/logger.js';
import { createQueueFactory } from '../../src/queue/connection.js';
import type { Processor } from 'bullmq';
import { workerDefinitions } from '../../workers/definitions.js';
import { startWorkers } from '../../workers/runtime.js';
import { testConfig } from './services.js';
import { FAST_SYNC_SETTINGS } from './workers.js';

const prefix = process.env.QUEUE_PREFIX!;
const config = testConfig({ WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '1' });
const pool = createPool(config.databaseUrl, 'carebinder-test-worker-process', 4);
const factory = createQueueFactory({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, role: 'worker', prefix });
const log = createLogger('silent', 'test-worker-process');
const definitions = workerDefinitions({ config, pool, factory, log, sync: { settings: FAST_SYNC_SETTINGS, prefix } }).map((definition) => {
  const processor: Processor = async (job, token): Promise<unknown> => {
    console.log(`start ${job.id}`);
    return (await definition.processor(job, token)) as unknown;
  };
  return { ...definition, processor };
});
const runtime = startWorkers(factory, definitions, log, { lockDuration: 2_000, stalledInterval: 1_000 });
await Promise.all(runtime.workers.map((w) => w.waitUntilReady()));
console.log('ready');
exitGracefullyOnSignals(async () => {
  await runtime.close();
  await factory.close();
  await pool.end();
});
