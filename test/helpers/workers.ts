import { createPool } from '../../src/db/pool.js';
import { createLogger } from '../../src/logger.js';
import { createQueueFactory } from '../../src/queue/connection.js';
import type { SyncSettings } from '../../src/sync/sync-link.js';
import { workerDefinitions } from '../../workers/definitions.js';
import { startWorkers } from '../../workers/runtime.js';
import { testConfig } from './services.js';

/** Fast retries so fault tests finish in seconds; the policy's shape is the production one. */
export const FAST_SYNC_SETTINGS: Partial<SyncSettings> = {
  retry: { baseDelayMs: 20, maxDelayMs: 200, transientRetries: 4, maxRetryAfterMs: 5_000, rateLimitWaits: 20 },
};

export async function startTestWorkers(prefix: string, settings: Partial<SyncSettings> = FAST_SYNC_SETTINGS) {
  const config = testConfig({ WORKER_CONCURRENCY: '2' });
  const pool = createPool(config.databaseUrl, 'carebinder-test-worker', 6);
  const factory = createQueueFactory({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, role: 'worker', prefix });
  const log = createLogger('silent', 'test-worker');
  const runtime = startWorkers(factory, workerDefinitions({ config, pool, factory, log, sync: { settings, prefix } }), log);
  await Promise.all(runtime.workers.map((w) => w.waitUntilReady()));
  return {
    runtime,
    close: async () => {
      await runtime.close();
      await factory.close();
      await pool.end();
    },
  };
}
