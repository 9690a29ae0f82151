// Runs once per test run: a fresh database of this run's own with every migration applied,
// dropped again at the end. Databases left by runs that were killed are cleaned up here too.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { ADMIN_DATABASE_URL, databaseUrlFor } from './services.js';

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const name = `carebinder_test_${process.pid}`;
  process.env.CAREBINDER_TEST_DATABASE = name;
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^carebinder_test_[0-9]+$'`);
    for (const { datname } of rows) {
      const pid = datname.split('_').pop();
      if (datname === name || !existsSync(`/proc/${pid}`)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${name}`);
  });
  await migrate(databaseUrlFor(name));
  return async () => {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  };
}
