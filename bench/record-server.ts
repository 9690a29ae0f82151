// The API process of `npm run bench:record`: the real app (buildApp) with the per-IP rate limits
// raised (the default 600 requests/min would throttle the load generator; there is no setting for
// it in the environment), plus two bare baseline routes in the same server, behind the same guard
// (/api/ needs a session) and on the same pool. The baselines select the rows as JSON text and
// join them without re-serialising. Prints "bench api <address>" once listening.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { exitGracefullyOnSignals } from '../src/lifecycle.js';
import { requireAccount } from '../src/plugins/auth.js';
import { CATEGORY_IDS } from '../src/records/categories.js';

const config = loadConfig();
await migrate(config.databaseUrl);
const app = await buildApp(config, { rateLimits: { requestsPerMinute: 10_000_000, signInsPerMinute: 1000, signUpsPerMinute: 1000 } });

// The rows /api/record shows: for each of the 11 categories, its 20 most recent records, in one
// query. There is no index on categories, so any query has to look at every record of the account
// once: rank them per category from narrow columns, then read the wide columns of the 220 at most
// shown. (A LATERAL "ANY(categories) ORDER BY … LIMIT 20" per category walks the whole account
// once per empty category, and its cost estimate switches JIT on: 40-50 ms instead of ~10 ms.)
const SUMMARY_SQL = `
  WITH top AS MATERIALIZED (
    SELECT ord, id, rn FROM (
      SELECT array_position($2::text[], c.category) AS ord, r.id,
             row_number() OVER (PARTITION BY array_position($2::text[], c.category) ORDER BY r.effective_at DESC NULLS LAST, r.id DESC) AS rn
        FROM records r CROSS JOIN LATERAL unnest(r.categories) AS c(category)
       WHERE r.account_id = $1 AND cardinality(r.categories) > 0) ranked
     WHERE rn <= $3 AND ord IS NOT NULL)
  SELECT t.ord, row_to_json(x)::text AS j
    FROM top t
    JOIN (SELECT r.id::text AS id, r.resource_type, r.title, r.date_text, r.status, r.binder
            FROM records r WHERE r.id = ANY(ARRAY(SELECT id FROM top))) x ON x.id = t.id::text
   ORDER BY t.ord, t.rn`;

// One page of one category, newest first.
const PAGE_SQL = `
  SELECT row_to_json(x)::text AS j FROM (
    SELECT id::text AS id, resource_type, title, date_text, status, binder
      FROM records
     WHERE account_id = $1 AND $2 = ANY(categories)
     ORDER BY effective_at DESC NULLS LAST, id DESC
     LIMIT $3) x`;

app.get('/api/bench-baseline/summary', async (request: FastifyRequest, reply: FastifyReply) => {
  const account = requireAccount(request);
  const { rows } = await app.db.query<{ ord: number; j: string }>(SUMMARY_SQL, [account.id, CATEGORY_IDS, 20]);
  const byCategory = CATEGORY_IDS.map((): string[] => []);
  for (const row of rows) byCategory[row.ord - 1].push(row.j);
  const parts = byCategory.map((items, i) => `{"id":"${CATEGORY_IDS[i]}","items":[${items.join(',')}]}`);
  return reply.type('application/json').send(`{"categories":[${parts.join(',')}]}`);
});

app.get('/api/bench-baseline/page', async (request: FastifyRequest<{ Querystring: { category?: string; limit?: string } }>, reply: FastifyReply) => {
  const account = requireAccount(request);
  const { rows } = await app.db.query<{ j: string }>(PAGE_SQL, [account.id, request.query.category ?? 'health-history-tests', Number(request.query.limit ?? 200)]);
  return reply.type('application/json').send(`[${rows.map((r) => r.j).join(',')}]`);
});

const address = await app.listen({ port: config.port, host: config.host });
console.log(`bench api ${address}`);
exitGracefullyOnSignals(() => app.close());
