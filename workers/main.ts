// npm run worker: the background process that syncs linked portals and runs maintenance jobs.
// With METRICS_PORT it serves its Prometheus metrics there (GET /metrics).
import '../src/observability/preload.js'; // first: tracing (when configured) must see http and pg load
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { scrapeSources } from '../src/jobs/metrics.js';
import { startWorkers } from '../src/jobs/workers.js';
import { exitGracefullyOnSignals } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { exitOnStartupError } from '../src/startup.js';
import { provideScrapeSources } from '../src/observability/metrics.js';
import { startMetricsServer, type MetricsServer } from '../src/observability/metrics-server.js';
import { shutdownTracing } from '../src/observability/tracing.js';

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'carebinder-worker');
  await migrate(config.databaseUrl, log);
  const workers = await startWorkers({ config, log });
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    provideScrapeSources(scrapeSources(workers.queues, workers.pool));
    metricsServer = await startMetricsServer({ port: config.metricsPort, host: config.host, adminToken: config.adminToken });
    log.info({ url: metricsServer.url }, 'worker metrics served');
  }
  const shutdown = async () => {
    await metricsServer?.close();
    await workers.close();
    await shutdownTracing();
  };
  exitGracefullyOnSignals(shutdown, { info: (m) => log.info(m), error: (m) => log.error(m) });
} catch (error) {
  exitOnStartupError(error);
}
