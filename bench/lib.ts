// Shared plumbing for the benchmarks: a fresh database, a sandbox hospital in its own process,
// and a patient linked to it through the real SMART flow.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createPool, type Pool } from '../src/db/pool.js';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { createPortalRegistry } from '../src/portals/registry.js';
import { signInAtPortal } from '../test/helpers/portal-browser.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The node flags of `npm run worker` (package.json), so the benchmark measures the same process. */
export const WORKER_NODE_FLAGS = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { worker: string } }).scripts.worker
  .split(' ')
  .filter((part) => part.startsWith('--max-'));
const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  await migrate(url);
  return url;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

export interface SandboxProcess {
  fhirBaseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The sandbox in a process of its own, with a generated patient (login bench / sandbox). */
export async function startSandboxProcess(resources: number): Promise<SandboxProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts', '--config', 'bench/sandbox-bench.json', '--generate', `bench:${resources}`], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const fhirBaseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${output}`)), 180_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^sandbox bench (\S+)$/m.exec(output)?.[1];
      if (url && /^Generated /m.test(output)) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${output}`)));
  });
  return {
    fhirBaseUrl,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function benchConfig(databaseUrl: string, redisUrl: string): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    CAREBINDER_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3998',
  });
}

export interface LinkedBench {
  app: App;
  pool: Pool;
  cookie: string;
  linkId: string;
  accountId: string;
  close(): Promise<void>;
}

/** Signs up a patient and links the sandbox portal (which queues the first sync). */
export async function linkBenchPatient(config: Config, fhirBaseUrl: string): Promise<LinkedBench> {
  const pool = createPool(config.databaseUrl, 'carebinder-bench', 8);
  await createPortalRegistry(pool, createSecretBox(config.secretKey)).upsert({ id: 'bench', name: 'Benchmark Hospital', fhirBaseUrl, clientId: 'carebinder-demo' });
  const app = await buildApp(config, { pool, rateLimits: { requestsPerMinute: 1_000_000, signInsPerMinute: 1000, signUpsPerMinute: 1000 } });
  const credentials = { email: `bench-${Date.now()}@example.org`, password: 'benchmark password' };
  await app.inject({ method: 'POST', url: '/api/accounts', payload: credentials });
  const signedIn = await app.inject({ method: 'POST', url: '/api/session', payload: credentials });
  const cookie = `carebinder_session=${signedIn.cookies.find((c) => c.name === 'carebinder_session')!.value}`;
  const started = await app.inject({ method: 'POST', url: '/api/links', headers: { cookie }, payload: { portalId: 'bench' } });
  const callback = await signInAtPortal(started.json<{ authorizeUrl: string }>().authorizeUrl, { username: 'bench', password: 'sandbox' });
  const back = await app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, headers: { cookie } });
  if (!String(back.headers.location).includes('link=success')) throw new Error(`linking failed: ${String(back.headers.location)}`);
  const links = (await app.inject({ method: 'GET', url: '/api/links', headers: { cookie } })).json<{ links: Array<{ id: string }> }>();
  return {
    app,
    pool,
    cookie,
    linkId: links.links[0].id,
    accountId: signedIn.json<{ id: string }>().id,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
