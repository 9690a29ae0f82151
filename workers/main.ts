// npm run worker: the background process that syncs linked portals.
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import { createLogger } from '../src/logger.js';
import { createQueueFactory } from '../src/queue/connection.js';
import { exitOnStartupError } from '../src/startup.js';
import { queueStartupJobs, workerDefinitions } from './definitions.js';
import { exitGracefullyOnSignals } from '../src/lifecycle.js';
import { startWorkers } from './runtime.js';

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'carebinder-worker');
  await migrate(config.databaseUrl, log);
  const pool = createPool(config.databaseUrl, 'carebinder-worker');
  const factory = createQueueFactory({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, role: 'worker' });
  const runtime = startWorkers(factory, workerDefinitions({ config, pool, factory, log }), log);
  await queueStartupJobs(factory, config);
  exitGracefullyOnSignals(async () => {
    await runtime.close();
    await factory.close();
    await pool.end();
  }, { info: (m) => log.info(m), error: (m) => log.error(m) });
} catch (error) {
  exitOnStartupError(error);
}
