// Applies the numbered SQL files in migrations/. node-pg-migrate holds a PostgreSQL advisory
// lock while it runs; with advisoryLockMode 'wait' a second process starting at the same time
// waits for the first and then finds nothing left to apply.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigrationLog {
  info(message: string): void;
}

export async function migrate(databaseUrl: string, log?: MigrationLog): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log: () => {},
  });
  const names = applied.map((migration) => migration.name);
  if (names.length > 0) log?.info(`applied migrations: ${names.join(', ')}`);
  return names;
}
