import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App, type BuildAppOptions } from '../../src/app.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { createQueueFactory, type QueueFactory } from '../../src/queue/connection.js';
import type { Config } from '../../src/config.js';
import { testConfig, uniquePrefix } from './services.js';

export interface TestApp {
  app: App;
  config: Config;
  pool: Pool;
  queueFactory: QueueFactory;
  /** Every log line the app wrote, as text. */
  logs: string[];
  close(): Promise<void>;
}

export async function buildTestApp(
  options: {
    env?: Record<string, string | undefined>;
    build?: Partial<BuildAppOptions>;
    queuePrefix?: string;
    /** Extra routes a test needs, added before the app is ready. */
    extraRoutes?: (app: App) => void;
  } = {},
): Promise<TestApp> {
  const config = testConfig({ LOG_LEVEL: 'info', ...options.env });
  const pool = createPool(config.databaseUrl, 'carebinder-test', 5);
  const queueFactory = createQueueFactory({
    redisUrl: config.redisUrl,
    databaseUrl: config.databaseUrl,
    role: 'producer',
    prefix: options.queuePrefix ?? uniquePrefix('app'),
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const rateLimits = { requestsPerMinute: 10_000, signUpsPerMinute: 1_000, signInsPerMinute: 1_000 };
  const app = await buildApp(config, { pool, queueFactory, logStream, rateLimits, ...options.build });
  options.extraRoutes?.(app);
  await app.ready();
  return {
    app,
    config,
    pool,
    queueFactory,
    logs,
    close: async () => {
      await app.close();
      await queueFactory.close();
      await pool.end();
    },
  };
}

export function uniqueEmail(label = 'patient'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.org`;
}

export const TEST_PASSWORD = 'correct horse battery staple';

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'carebinder_session');
  if (!cookie) throw new Error(`no session cookie in response ${response.statusCode}: ${response.body}`);
  return `carebinder_session=${cookie.value}`;
}

/** Signs up and signs in a new patient; returns the cookie header value and the account id. */
export async function signedInPatient(app: App, email = uniqueEmail()): Promise<{ cookie: string; accountId: string; email: string }> {
  const created = await app.inject({ method: 'POST', url: '/api/accounts', payload: { email, password: TEST_PASSWORD } });
  if (created.statusCode !== 202) throw new Error(`sign-up failed: ${created.statusCode} ${created.body}`);
  const signedIn = await app.inject({ method: 'POST', url: '/api/session', payload: { email, password: TEST_PASSWORD } });
  return { cookie: sessionCookie(signedIn), accountId: signedIn.json<{ id: string }>().id, email };
}

/** The device cookie a sign-in answer set, as a cookie header value. */
export function deviceCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'carebinder_device');
  if (!cookie) throw new Error(`no device cookie in response ${response.statusCode}: ${response.body}`);
  return `carebinder_device=${cookie.value}`;
}
