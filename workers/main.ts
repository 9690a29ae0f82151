// npm run worker: the background process that syncs linked portals and runs maintenance jobs.
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { startWorkers } from '../src/jobs/workers.js';
import { exitGracefullyOnSignals } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { exitOnStartupError } from '../src/startup.js';

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'carebinder-worker');
  await migrate(config.databaseUrl, log);
  const workers = await startWorkers({ config, log });
  exitGracefullyOnSignals(() => workers.close(), { info: (m) => log.info(m), error: (m) => log.error(m) });
} catch (error) {
  exitOnStartupError(error);
}
