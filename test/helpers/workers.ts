import type { Logger } from 'pino';
import { startWorkers, type WorkerTiming } from '../../src/jobs/workers.js';
import { createLogger } from '../../src/logger.js';
import type { SyncSettings } from '../../src/sync/sync-link.js';
import { testConfig } from './services.js';

/** Fast retries so fault tests finish in seconds; the policy's shape is the production one. */
export const FAST_SYNC_SETTINGS: Partial<SyncSettings> = {
  retry: { baseDelayMs: 20, maxDelayMs: 200, transientRetries: 4, maxRetryAfterMs: 5_000, rateLimitWaits: 20 },
};

/** The production worker wiring (startWorkers) on the test database, under the test's queue prefix. */
export async function startTestWorkers(
  prefix: string,
  settings: Partial<SyncSettings> = FAST_SYNC_SETTINGS,
  options: { concurrency?: string; poolSize?: number; name?: string; timing?: WorkerTiming; log?: Logger } = {},
) {
  const config = testConfig({ WORKER_CONCURRENCY: options.concurrency ?? '2' });
  const log = options.log ?? createLogger('silent', 'test-worker');
  return startWorkers({ config, log, name: options.name ?? 'carebinder-test-worker', poolSize: options.poolSize ?? 6, prefix, sync: settings, timing: options.timing });
}
