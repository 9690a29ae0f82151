// The global setup of the tiers that use the services (integration, e2e, browser; not unit): a
// fresh database of this run's own with every migration applied, dropped again at the end.
// Databases left by runs that were killed are cleaned up here too.
//
// Each of those vitest projects runs this file, in the same runner process: the first creates the
// database, the others share it (so the tiers of one `npm test` see one database, as the test
// processes inherit one CAREBINDER_TEST_DATABASE), and the last teardown drops it.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { ADMIN_DATABASE_URL, databaseUrlFor } from './services.js';

interface RunDatabase {
  name: string;
  ready: Promise<void>;
  users: number;
}

/** Shared by the projects' copies of this module (each project loads it anew; the process is one). */
const RUN_DATABASE = Symbol.for('carebinder.test.runDatabase');
const shared = globalThis as typeof globalThis & { [RUN_DATABASE]?: RunDatabase };

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

async function createRunDatabase(name: string): Promise<void> {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^carebinder_test_[0-9]+$'`);
    for (const { datname } of rows) {
      const pid = datname.split('_').pop();
      if (datname === name || !existsSync(`/proc/${pid}`)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${name}`);
  });
  await migrate(databaseUrlFor(name));
}

export default async function setup(): Promise<() => Promise<void>> {
  let run = shared[RUN_DATABASE];
  if (!run) {
    const name = `carebinder_test_${process.pid}`;
    process.env.CAREBINDER_TEST_DATABASE = name;
    run = { name, ready: createRunDatabase(name), users: 0 };
    shared[RUN_DATABASE] = run;
  }
  run.users += 1;
  await run.ready;
  const current = run;
  return async () => {
    current.users -= 1;
    if (current.users > 0) return;
    delete shared[RUN_DATABASE];
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${current.name} WITH (FORCE)`));
  };
}
