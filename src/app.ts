// The app factory: builds a configured Fastify instance and never listens (server.ts does).
// Tests build it with their own pool and queue store and use app.inject().
import compress from '@fastify/compress';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { createPool, type Pool } from './db/pool.js';
import { createLogger } from './logger.js';
import { createQueueFactory, type QueueFactory } from './queue/connection.js';
import databasePlugin from './plugins/database.js';
import queuesPlugin from './jobs/plugin.js';
import securityPlugin from './plugins/security.js';
import errorsPlugin, { clientErrorHandler, frameworkErrors } from './plugins/errors.js';
import docsPlugin from './plugins/docs.js';
import authPlugin from './plugins/auth.js';
import secretsPlugin from './plugins/secrets.js';
import { portalRoutes } from './portals/routes.js';
import { syncRoutes } from './sync/routes.js';
import queueDashboard from './admin/queue-dashboard.js';
import metricsPlugin from './admin/metrics.js';
import webPlugin from './web/plugin.js';
import { binderRoutes } from './binder/routes.js';
import { exportRoutes } from './exports/routes.js';
import { healthRoutes } from './health/routes.js';
import { accountRoutes } from './accounts/routes.js';
import accountsPlugin from './accounts/plugin.js';
import type { SignInThrottlePolicy } from './accounts/sign-in-throttle.js';
import { uploadRoutes } from './uploads/routes.js';
import auditPlugin from './audit/plugin.js';
import { auditRoutes } from './audit/routes.js';
import { noticeRoutes } from './notices/routes.js';
import { entryRoutes } from './entries/routes.js';
import { requestRoutes } from './requests/routes.js';
import { shareRoutes } from './shares/routes.js';

export interface BuildAppOptions {
  /** Use this pool instead of opening one (the caller closes it). */
  pool?: Pool;
  /** Use this queue store instead of connecting one (the caller closes it). */
  queueFactory?: QueueFactory;
  /** Where log lines go (tests capture them to check nothing secret is logged). */
  logStream?: DestinationStream;
  /** Per client address per minute; tests raise them so unrelated tests do not trip them. */
  rateLimits?: Partial<RateLimits>;
  /** The sign-in throttle's rules; tests use long waits so a held-back attempt is certain. */
  signInThrottle?: SignInThrottlePolicy;
}

export interface RateLimits {
  requestsPerMinute: number;
  signUpsPerMinute: number;
  signInsPerMinute: number;
  /** Per SMART Health Link (not per address): manifest requests, passcode guesses included. */
  shareManifestsPerMinute: number;
}

const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerMinute: 600, signUpsPerMinute: 10, signInsPerMinute: 20, shareManifestsPerMinute: 30 };

export type App = FastifyInstance;

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const limits = { ...DEFAULT_RATE_LIMITS, requestsPerMinute: config.requestsPerMinute, ...options.rateLimits };
  // Typed as Fastify's logger interface so the instance type stays the plain FastifyInstance.
  const loggerInstance: FastifyBaseLogger = createLogger(config.logLevel, 'carebinder-api', options.logStream);
  const app = Fastify({
    loggerInstance,
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    requestTimeout: 60_000,
    // Answers from Node's HTTP parser and Fastify's router are problem+json like every other error.
    clientErrorHandler,
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin);
  await app.register(databasePlugin, {
    pool: options.pool ?? createPool(config.databaseUrl, 'carebinder-api'),
    ownsPool: options.pool === undefined,
  });
  await app.register(queuesPlugin, {
    factory: options.queueFactory ?? createQueueFactory({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl, role: 'producer' }),
    ownsFactory: options.queueFactory === undefined,
  });
  // Before the routes, so its timing hook covers every one of them; /metrics only with ADMIN_TOKEN.
  await app.register(metricsPlugin, { adminToken: config.adminToken });
  // A binder page is tens of KB of JSON and an export can be 100 MB: compressed for clients that ask
  // (brotli at the plugin's quality 4, gzip), above 1 KB; PDFs and images pass as they are.
  await app.register(compress, { global: true, threshold: 1024 });
  await app.register(securityPlugin, { publicUrl: config.publicUrl, requestsPerMinute: limits.requestsPerMinute });
  await app.register(docsPlugin, { publicUrl: config.publicUrl });
  await app.register(accountsPlugin);
  await app.register(auditPlugin);
  await app.register(authPlugin);
  await app.register(secretsPlugin, { secretKey: config.secretKey, oldSecretKeys: config.oldSecretKeys });

  await app.register(healthRoutes);
  await app.register(accountRoutes, {
    sessionTtlMs: config.sessionTtlMs,
    secureCookies: config.secureCookies,
    secretKey: config.secretKey,
    ...(options.signInThrottle ? { signInThrottle: options.signInThrottle } : {}),
    signUpsPerMinutePerIp: limits.signUpsPerMinute,
    signInsPerMinutePerIp: limits.signInsPerMinute,
  });
  await app.register(portalRoutes, { publicUrl: config.publicUrl, syncEveryMs: config.sync.everyMs });
  await app.register(syncRoutes);
  await app.register(binderRoutes);
  await app.register(exportRoutes);
  await app.register(uploadRoutes, { maxBytes: config.uploadMaxBytes });
  await app.register(auditRoutes);
  await app.register(noticeRoutes, { mailEnabled: config.mail !== null, secretKey: config.secretKey });
  await app.register(entryRoutes);
  await app.register(requestRoutes);
  await app.register(shareRoutes, { publicUrl: config.publicUrl, manifestRequestsPerMinute: limits.shareManifestsPerMinute });
  await app.register(queueDashboard, { adminToken: config.adminToken });
  await app.register(webPlugin);
  return app;
}
