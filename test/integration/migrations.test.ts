import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { ADMIN_DATABASE_URL, databaseUrlFor } from '../helpers/services.js';

const name = `carebinder_migrate_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
});
afterAll(async () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

describe('migrations', () => {
  it('are applied exactly once when several processes start at the same time', async () => {
    const url = databaseUrlFor(name);
    const runs = await Promise.all([migrate(url), migrate(url), migrate(url), migrate(url)]);
    const appliedByEachRun = runs.map((names) => names.length);
    const total = appliedByEachRun.reduce((sum, n) => sum + n, 0);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on, id');
      expect(rows.length).toBeGreaterThan(0);
      expect(total).toBe(rows.length);
      expect(appliedByEachRun.filter((n) => n > 0)).toHaveLength(1);
      expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    } finally {
      await client.end();
    }
    expect(await migrate(url)).toEqual([]);
  });
});
