// Writes records in batches with one multi-row upsert per batch. Rows whose content did not
// change are skipped by the WHERE clause (a re-sync of unchanged data writes nothing), and a
// trigger keeps the earlier version of every row that did change.
import type { Queryable } from '../db/pool.js';
import type { RecordRow } from './record-row.js';

export const BATCH_SIZE = 500;

export interface UpsertResult {
  /** Rows inserted or changed. */
  written: number;
}

export async function upsertRecords(db: Queryable, accountId: string, linkId: string, rows: readonly RecordRow[]): Promise<UpsertResult> {
  if (rows.length === 0) return { written: 0 };
  // A batch may carry the same resource twice (a portal repeating it across pages): keep the last.
  const unique = [...new Map(rows.map((row) => [`${row.resourceType}/${row.resourceId}`, row])).values()];
  // The batch travels as one JSON document (no per-element array escaping in the driver), with
  // each resource's JSON spliced in as it was hashed rather than serialised again.
  const batch = `[${unique.map(rowJson).join(',')}]`;
  const result = await db.query(
    `INSERT INTO records (account_id, link_id, resource_type, resource_id, version_id, last_updated, content_hash, resource,
                          title, effective_at, date_text, end_date_text, status, codes, categories, rules_version, binder, duplicate_keys)
     SELECT $1, $2, r.t, r.i, r.v, r.u, decode(r.h, 'base64'), r.resource, r.title, r.e, r.d, r.ed, r.s, r.codes, r.categories, r.rv, r.b, r.k
       FROM jsonb_to_recordset($3::jsonb) AS r(t text, i text, v text, u timestamptz, h text, resource jsonb, title text, e timestamptz,
                                               d text, ed text, s text, codes text[], categories text[], rv text, b jsonb, k text[])
     ON CONFLICT (link_id, resource_type, resource_id) DO UPDATE SET
       version_id = excluded.version_id, last_updated = excluded.last_updated, content_hash = excluded.content_hash,
       resource = excluded.resource, title = excluded.title, effective_at = excluded.effective_at,
       date_text = excluded.date_text, end_date_text = excluded.end_date_text, status = excluded.status,
       codes = excluded.codes, categories = excluded.categories, rules_version = excluded.rules_version,
       binder = excluded.binder, duplicate_keys = excluded.duplicate_keys,
       last_changed_at = now(), removed_at_source = NULL
     WHERE records.content_hash IS DISTINCT FROM excluded.content_hash
        OR records.removed_at_source IS NOT NULL
        OR records.rules_version IS DISTINCT FROM excluded.rules_version`,
    [accountId, linkId, batch],
  );
  return { written: result.rowCount ?? 0 };
}

function rowJson(row: RecordRow): string {
  const fields = JSON.stringify({
    t: row.resourceType,
    i: row.resourceId,
    v: row.versionId,
    u: row.lastUpdated,
    h: row.contentHash,
    title: row.title,
    e: row.effectiveAt,
    d: row.dateText,
    ed: row.endDateText,
    s: row.status,
    codes: row.codes,
    categories: row.categories,
    rv: row.rulesVersion,
    k: row.duplicateKeys,
  });
  return `${fields.slice(0, -1)},"b":${row.binder},"resource":${row.json}}`;
}

/**
 * The stored content hash (base64) of every resource of one type of a link, so a re-sync can skip
 * the unchanged ones before doing any work on them. Resources marked removed at the source are
 * left out: seeing them again counts as a change.
 */
export async function storedHashes(db: Queryable, linkId: string, resourceType: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ resource_id: string; hash: string }>(
    `SELECT resource_id, encode(content_hash, 'base64') AS hash FROM records
      WHERE link_id = $1 AND resource_type = $2 AND removed_at_source IS NULL`,
    [linkId, resourceType],
  );
  return new Map(rows.map((row) => [row.resource_id, row.hash]));
}

/** Marks what a complete pass of one type did not see as removed at the source; it stays in the binder. */
export async function markRemovedAtSource(
  db: Queryable,
  linkId: string,
  resourceType: string,
  seenIds: ReadonlySet<string>,
  /** The ids stored (and not removed) before this pass, when the caller already read them. */
  storedIds?: Iterable<string>,
): Promise<number> {
  // The set difference is taken here: both "NOT (id = ANY(seen))" and an anti-join against
  // unnest(seen) degrade to comparing every stored row with every seen id at 100k records.
  const stored =
    storedIds ??
    (
      await db.query<{ resource_id: string }>('SELECT resource_id FROM records WHERE link_id = $1 AND resource_type = $2 AND removed_at_source IS NULL', [
        linkId,
        resourceType,
      ])
    ).rows.map((row) => row.resource_id);
  const gone: string[] = [];
  for (const id of stored) if (!seenIds.has(id)) gone.push(id);
  if (gone.length === 0) return 0;
  const result = await db.query(
    'UPDATE records SET removed_at_source = now(), last_changed_at = now() WHERE link_id = $1 AND resource_type = $2 AND resource_id = ANY($3::text[])',
    [linkId, resourceType, gone],
  );
  return result.rowCount ?? 0;
}

/** Which of these references are already stored for the link (so they are not fetched again). */
export async function storedReferenceKeys(db: Queryable, linkId: string, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ key: string }>(
    `SELECT resource_type || '/' || resource_id AS key FROM records
      WHERE link_id = $1 AND (resource_type || '/' || resource_id) = ANY($2::text[])`,
    [linkId, keys],
  );
  return new Set(rows.map((r) => r.key));
}

export async function storedDocumentUrls(db: Queryable, linkId: string, urls: readonly string[]): Promise<Set<string>> {
  if (urls.length === 0) return new Set();
  const { rows } = await db.query<{ source_url: string }>('SELECT source_url FROM documents WHERE link_id = $1 AND source_url = ANY($2::text[])', [linkId, urls]);
  return new Set(rows.map((r) => r.source_url));
}

export interface FetchedDocument {
  sourceUrl: string;
  contentType: string;
  content: Buffer;
  sha256: Buffer;
}

/** Writes a link's fetched attachments, several per statement; unchanged content (same SHA-256) is not rewritten. */
export async function storeDocuments(db: Queryable, accountId: string, linkId: string, documents: readonly FetchedDocument[]): Promise<void> {
  // One URL twice in a statement would make ON CONFLICT touch a row twice: keep the last.
  const unique = [...new Map(documents.map((document) => [document.sourceUrl, document])).values()];
  if (unique.length === 0) return;
  await db.query(
    `INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
     SELECT $1, $2, d.* FROM unnest($3::text[], $4::text[], $5::int[], $6::bytea[], $7::bytea[]) AS d
     ON CONFLICT (link_id, source_url) DO UPDATE SET content_type = excluded.content_type, size_bytes = excluded.size_bytes,
       sha256 = excluded.sha256, content = excluded.content, fetched_at = now()
     WHERE documents.sha256 IS DISTINCT FROM excluded.sha256`,
    [
      accountId,
      linkId,
      unique.map((d) => d.sourceUrl),
      unique.map((d) => d.contentType),
      unique.map((d) => d.content.length),
      unique.map((d) => d.sha256),
      unique.map((d) => d.content),
    ],
  );
}
