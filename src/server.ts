// The one file that listens. npm start: needs DATABASE_URL and CAREBINDER_SECRET_KEY (REDIS_URL for production).
import './observability/preload.js'; // first: tracing (when configured) must see http, pg and fastify load
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { exitOnStartupError } from './startup.js';
import { exitGracefullyOnSignals } from './lifecycle.js';
import { migrate } from './db/migrate.js';
import { shutdownTracing } from './observability/tracing.js';

export async function startServer(config: Config): Promise<{ url: string; close(): Promise<void> }> {
  const app = await buildApp(config);
  await migrate(config.databaseUrl, { info: (message) => app.log.info(message) });
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info({ address, publicUrl: config.publicUrl, queueStore: app.queues.factory.kind }, 'carebinder API listening');
  return { url: address, close: () => app.close() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const server = await startServer(loadConfig());
    exitGracefullyOnSignals(async () => {
      await server.close();
      await shutdownTracing();
    });
  } catch (error) {
    exitOnStartupError(error);
  }
}
