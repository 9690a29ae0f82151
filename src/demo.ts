// npm run demo: the single entry point for trying carebinder on one machine.
// Uses DATABASE_URL / REDIS_URL when set; otherwise an embedded PostgreSQL for both storage and
// jobs. Starts the two sandbox hospitals and registers them as portals, runs migrations, the API
// and a worker in this one process, and prints where to go. Its /metrics (with ADMIN_TOKEN)
// covers both, as they share the process's registry.
import './observability/preload.js'; // first: tracing (when configured) must see http, pg and fastify load
import { startSandbox, type Sandbox } from '../sandbox/server.js';
import { loadConfig } from './config.js';
import { createSecretBox } from './crypto/secret-box.js';
import { createLogger } from './logger.js';
import { createPortalRegistry } from './portals/registry.js';
import { startServer } from './server.js';
import { demoSecretKey, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.js';
import { exitOnStartupError } from './startup.js';
import { exitGracefullyOnSignals } from './lifecycle.js';
import { startWorkers } from './jobs/workers.js';
import { choosePort, portTakenMessage } from './demo-ports.js';
import { shutdownTracing } from './observability/tracing.js';

/** The sandbox on its usual ports (4101, 4102), or on free ones when those are taken. */
async function startDemoSandbox(): Promise<Sandbox> {
  try {
    return await startSandbox();
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
      const moved = await startSandbox({ ephemeralPorts: true });
    console.log(`the sandbox's usual ports are taken: its hospitals moved to ${moved.hospitals.map((h) => new URL(h.fhirBaseUrl).port).join(' and ')}`);
    return moved;
  }
}

const env = { ...process.env };
let embedded: EmbeddedDatabase | undefined;
let sandbox: Sandbox | undefined;
try {
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres();
    env.DATABASE_URL = embedded.databaseUrl;
  }
  env.CAREBINDER_SECRET_KEY ||= demoSecretKey();
  // Port 3000 taken (another demo, another app): move to a free port and say so.
  const { port, moved } = await choosePort(env, 3000, env.HOST || '127.0.0.1');
  if (moved) {
    env.PORT = String(port);
    console.log(moved);
  }
  env.LOG_LEVEL ||= 'warn';
  const config = loadConfig(env);
  const log = createLogger(config.logLevel, 'carebinder-demo');

  sandbox = await startDemoSandbox();
  const server = await startServer(config);
  const workers = await startWorkers({ config, log, name: 'carebinder-demo-worker' });
  const registry = createPortalRegistry(workers.pool, createSecretBox(config.secretKey, config.oldSecretKeys));
  for (const hospital of sandbox.hospitals) {
    // The sandbox registers the public client carebinder-demo, which may redirect to any loopback URL.
    await registry.upsert({ id: hospital.id, name: hospital.name, fhirBaseUrl: hospital.fhirBaseUrl, clientId: 'carebinder-demo' });
  }

  console.log(`carebinder ${config.publicUrl}`);
  for (const hospital of sandbox.hospitals) console.log(`sandbox ${hospital.id} ${hospital.fhirBaseUrl}`);
  console.log('portal login at both sandbox hospitals: jane / sandbox');
  if (config.adminToken) console.log(`metrics (API and worker): ${config.publicUrl}/metrics with the ADMIN_TOKEN as Bearer token`);
  console.log(`storage: ${embedded ? 'embedded PostgreSQL under .data/' : 'PostgreSQL from DATABASE_URL'}; jobs on ${workers.factory.kind}; API docs at ${config.publicUrl}/docs`);
  console.log('open the carebinder URL, sign up, and link both hospitals. Ctrl+C stops.');

  const stopSandbox = sandbox;
  exitGracefullyOnSignals(async () => {
    console.log('stopping…');
    // Ctrl+C reaches the embedded PostgreSQL too (same process group), and it stops at once: the
    // connections still closing then fail. That is expected here and must not end the shutdown.
    if (embedded) {
      process.on('uncaughtException', (error) => ignoreClosedDatabase(error));
      log.level = 'fatal'; // the workers' "connection terminated" errors say nothing new now
    }
    await workers.close();
    await server.close();
    await stopSandbox.close();
    await embedded?.stop();
    await shutdownTracing();
  });
} catch (error) {
  await sandbox?.close().catch(() => {});
  await embedded?.stop().catch(() => {});
  const taken = portTakenMessage(error, 'PORT');
  if (taken) {
    console.error(`carebinder: ${taken}`);
    process.exit(1);
  }
  exitOnStartupError(error);
}

let reportedClosedDatabase = false;

function ignoreClosedDatabase(error: Error): void {
  const code = (error as { code?: string }).code;
  const closedByPostgres = code === '57P01' || code === 'ECONNRESET' || /Connection terminated/i.test(error.message);
  if (!closedByPostgres) {
    console.error(`stopping failed: ${error.message}`);
    process.exit(1);
  }
  if (!reportedClosedDatabase) console.log('the embedded PostgreSQL stopped first (it gets Ctrl+C too); finishing the rest');
  reportedClosedDatabase = true;
}
