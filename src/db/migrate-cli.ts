// npm run migrate: apply pending migrations to DATABASE_URL.
import { migrate } from './migrate.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is not set: expected a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/carebinder');
  process.exit(1);
}
try {
  const applied = await migrate(databaseUrl);
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
