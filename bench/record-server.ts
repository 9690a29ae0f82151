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

// The rows /api/record shows: for each of the 11 categories, its 20 most recent records (one query).
const SUMMARY_SQL = `
  SELECT c.category, row_to_json(x)::text AS j
    FROM unnest($2::text[]) WITH ORDINALITY AS c(category, ord)
    CROSS JOIN LATERAL (
      SELECT r.id::text AS id, r.resource_type, r.title, r.date_text, r.status, r.binder
        FROM records r
       WHERE r.account_id = $1 AND c.category = ANY(r.categories)
       ORDER BY r.effective_at DESC NULLS LAST, r.id DESC
       LIMIT 20) x
   ORDER BY c.ord`;

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
  const { rows } = await app.db.query<{ category: string; j: string }>(SUMMARY_SQL, [account.id, CATEGORY_IDS]);
  const byCategory = new Map<string, string[]>(CATEGORY_IDS.map((id) => [id, []]));
  for (const row of rows) byCategory.get(row.category)!.push(row.j);
  const parts = [...byCategory].map(([id, items]) => `{"id":"${id}","items":[${items.join(',')}]}`);
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
