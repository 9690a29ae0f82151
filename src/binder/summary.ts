// The treatment summary and side effects, computed from the records of the three treatment
// categories (a few hundred at most) and cached per binder version.
import type { Queryable } from '../db/pool.js';
import { buildTreatmentSummary, type TreatmentSummary } from '../records/treatment-summary.js';
import type { AccountSources } from './sources.js';

const TREATMENT_CATEGORIES = ['medication-treatment-summary', 'radiation-treatment-summary', 'treatment-side-effects'];
const cache = new Map<string, TreatmentSummary>();
const building = new Map<string, Promise<TreatmentSummary>>();

export async function treatmentSummaryFor(
  db: Queryable,
  accountId: string,
  stamp: string,
  sources: AccountSources,
  linkIds: ReadonlySet<string> | undefined,
): Promise<TreatmentSummary> {
  const key = `${accountId} ${stamp} ${linkIds ? [...linkIds].sort().join(',') : '*'}`;
  const cached = cache.get(key);
  if (cached) return cached;
  // Concurrent requests share one computation.
  let pending = building.get(key);
  if (!pending) {
    pending = compute(db, accountId, key, sources, linkIds).finally(() => building.delete(key));
    building.set(key, pending);
  }
  return pending;
}

async function compute(db: Queryable, accountId: string, key: string, sources: AccountSources, linkIds: ReadonlySet<string> | undefined): Promise<TreatmentSummary> {
  const { rows } = await db.query<{ id: string; link_id: string; resource: unknown; categories: string[] }>(
    `SELECT id::text, link_id, resource, categories FROM records
      WHERE account_id = $1 AND categories && $2::text[] AND removed_at_source IS NULL`,
    [accountId, TREATMENT_CATEGORIES],
  );
  const records = rows
    .filter((row) => !linkIds || linkIds.has(row.link_id))
    .map((row) => {
      const source = sources.byLink.get(row.link_id);
      return { id: row.id, resource: row.resource, categories: row.categories, sources: source ? [{ portalId: source.portalId, portalName: source.portalName }] : [] };
    });
  // "Still active" is true as of the last time the portals were read.
  const synced = await db.query<{ at: Date | null }>('SELECT max(last_sync_finished_at) AS at FROM links WHERE account_id = $1', [accountId]);
  const asOf = (synced.rows[0]?.at ?? new Date()).toISOString().slice(0, 10);
  const summary = buildTreatmentSummary(records, { asOf });
  for (const stale of [...cache.keys()].filter((k) => k.startsWith(`${accountId} `))) cache.delete(stale);
  cache.set(key, summary);
  if (cache.size > 500) cache.delete(cache.keys().next().value!);
  return summary;
}
