// npm run demo: the single entry point for trying carebinder on one machine.
// Uses DATABASE_URL / REDIS_URL when set; otherwise an embedded PostgreSQL for both storage
// and jobs. Runs migrations, the API and a worker in this one process, and prints where to go.
import { loadConfig } from './config.js';
import { createPool } from './db/pool.js';
import { createLogger } from './logger.js';
import { createQueueFactory } from './queue/connection.js';
import { startServer } from './server.js';
import { demoSecretKey, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.js';
import { exitOnStartupError } from './startup.js';
import { exitGracefullyOnSignals } from './lifecycle.js';
import { workerDefinitions } from '../workers/definitions.js';
import { startWorkers } from '../workers/runtime.js';

const env = { ...process.env };
let embedded: EmbeddedDatabase | undefined;
try {
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres();
    env.DATABASE_URL = embedded.databaseUrl;
  }
  env.CAREBINDER_SECRET_KEY ||= demoSecretKey();
  env.LOG_LEVEL ||= 'warn';
  const config = loadConfig(env);
  const log = createLogger(config.logLevel, 'carebinder-demo');

  const server = await startServer(config);
  const pool = createPool(config.databaseUrl, 'carebinder-demo-worker');
  const factory = createQueueFactory({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, role: 'worker' });
  const workers = startWorkers(factory, workerDefinitions({ config, pool, factory, log }), log);

  console.log(`storage ${embedded ? 'embedded PostgreSQL under .data/' : 'PostgreSQL from DATABASE_URL'}; jobs on ${factory.kind}`);
  console.log(`carebinder ${config.publicUrl}`);
  console.log(`api docs ${config.publicUrl}/docs`);
  console.log('press Ctrl+C to stop');

  exitGracefullyOnSignals(async () => {
    console.log('stopping…');
    await workers.close();
    await factory.close();
    await pool.end();
    await server.close();
    await embedded?.stop();
  });
} catch (error) {
  await embedded?.stop().catch(() => {});
  exitOnStartupError(error);
}
