// Writes records in batches with one multi-row upsert per batch. Rows whose content did not
// change are skipped by the WHERE clause (a re-sync of unchanged data writes nothing), and a
// trigger keeps the earlier version of every row that did change.
//
// Nothing a sync found may be lost to a crash, so each write that finishes a piece of work is
// one statement together with its bookkeeping: a batch of records with the fetches its rows
// call for (references, attachments), a group of documents with the removal of their pending
// fetches. A crash before such a statement commits leaves both undone; after, both done.
import type { Queryable } from '../db/pool.js';
import type { RecordRow } from './record-row.js';

export const BATCH_SIZE = 500;

export interface UpsertResult {
  /** Rows inserted or changed. */
  written: number;
}

/** Something the stored records call for: a referenced resource or an attachment. */
export interface PendingFetch {
  kind: 'resource' | 'document';
  /** "Practitioner/123" (or its absolute URL) for a resource; the absolute URL of an attachment. */
  target: string;
  contentType: string | null;
}

const UPSERT_RECORDS = `INSERT INTO records (account_id, link_id, resource_type, resource_id, version_id, last_updated, content_hash, resource,
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
        OR records.rules_version IS DISTINCT FROM excluded.rules_version`;

/**
 * Upserts a batch of records and, in the same statement, queues the fetches they call for, so
 * no crash can leave a stored record whose attachment was never queued (a re-sync would see
 * its hash unchanged and skip it). Fetches go in sorted order: two batches written at once
 * that share a target then lock it in the same order and cannot deadlock.
 */
export async function upsertRecords(
  db: Queryable,
  accountId: string,
  linkId: string,
  rows: readonly RecordRow[],
  fetches: readonly PendingFetch[] = [],
): Promise<UpsertResult> {
  if (rows.length === 0) return { written: 0 };
  // A batch may carry the same resource twice (a portal repeating it across pages): keep the last.
  const unique = [...new Map(rows.map((row) => [`${row.resourceType}/${row.resourceId}`, row])).values()];
  // The batch travels as one JSON document (no per-element array escaping in the driver), with
  // each resource's JSON spliced in as it was hashed rather than serialised again.
  const batch = `[${unique.map(rowJson).join(',')}]`;
  if (fetches.length === 0) {
    const result = await db.query(UPSERT_RECORDS, [accountId, linkId, batch]);
    return { written: result.rowCount ?? 0 };
  }
  const sorted = [...new Map(fetches.map((f) => [`${f.kind} ${f.target}`, f])).values()].sort((a, b) =>
    a.kind === b.kind ? (a.target < b.target ? -1 : a.target > b.target ? 1 : 0) : a.kind < b.kind ? -1 : 1,
  );
  const { rows: counted } = await db.query<{ written: number }>(
    `WITH written AS (${UPSERT_RECORDS} RETURNING 1),
          queued AS (${QUEUE_FETCHES})
     SELECT count(*)::int AS written FROM written`,
    [accountId, linkId, batch, sorted.map((f) => f.kind), sorted.map((f) => f.target), sorted.map((f) => f.contentType)],
  );
  return { written: counted[0].written };
}

const QUEUE_FETCHES = `INSERT INTO sync_pending_fetches (link_id, kind, target, content_type)
     SELECT $2, f.kind, f.target, f.content_type FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS f(kind, target, content_type, n)
      ORDER BY f.n
     ON CONFLICT DO NOTHING`;

/** Queues fetches on their own (the self-healing pass); fetches already pending stay as they are. */
export async function queueFetches(db: Queryable, linkId: string, fetches: readonly PendingFetch[]): Promise<number> {
  if (fetches.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO sync_pending_fetches (link_id, kind, target, content_type)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
    [linkId, fetches.map((f) => f.kind), fetches.map((f) => f.target), fetches.map((f) => f.contentType)],
  );
  return rowCount ?? 0;
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
  /** The pending fetch this answers (the target as queued), when a sync fetched it. */
  target?: string;
  sourceUrl: string;
  contentType: string;
  content: Buffer;
  sha256: Buffer;
}

/**
 * Writes a link's fetched attachments, several per statement, and removes their pending
 * fetches in the same statement; unchanged content (same SHA-256) is not rewritten.
 */
export async function storeDocuments(db: Queryable, accountId: string, linkId: string, documents: readonly FetchedDocument[]): Promise<void> {
  // One URL twice in a statement would make ON CONFLICT touch a row twice: keep the last.
  const unique = [...new Map(documents.map((document) => [document.sourceUrl, document])).values()];
  if (unique.length === 0) return;
  await db.query(
    `WITH stored AS (
       INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
       SELECT $1, $2, d.* FROM unnest($3::text[], $4::text[], $5::int[], $6::bytea[], $7::bytea[]) AS d
       ON CONFLICT (link_id, source_url) DO UPDATE SET content_type = excluded.content_type, size_bytes = excluded.size_bytes,
         sha256 = excluded.sha256, content = excluded.content, fetched_at = now()
       WHERE documents.sha256 IS DISTINCT FROM excluded.sha256)
     DELETE FROM sync_pending_fetches WHERE link_id = $2 AND kind = 'document' AND target = ANY($8::text[])`,
    [
      accountId,
      linkId,
      unique.map((d) => d.sourceUrl),
      unique.map((d) => d.contentType),
      unique.map((d) => d.content.length),
      unique.map((d) => d.sha256),
      unique.map((d) => d.content),
      documents.flatMap((d) => (d.target === undefined ? [] : [d.target])),
    ],
  );
}

/** A referenced resource stored, and its pending fetch removed, in one statement. */
export async function storeReference(db: Queryable, accountId: string, linkId: string, row: RecordRow, target: string): Promise<UpsertResult> {
  const { rows } = await db.query<{ written: number }>(
    `WITH written AS (${UPSERT_RECORDS} RETURNING 1),
          done AS (DELETE FROM sync_pending_fetches WHERE link_id = $2 AND kind = 'resource' AND target = $4)
     SELECT count(*)::int AS written FROM written`,
    [accountId, linkId, `[${rowJson(row)}]`, target],
  );
  return { written: rows[0].written };
}

/** Pending fetches that need no fetch any more (already stored, or not fetchable at all). */
export async function dropPendingFetches(db: Queryable, linkId: string, kind: PendingFetch['kind'], targets: readonly string[]): Promise<void> {
  if (targets.length === 0) return;
  await db.query('DELETE FROM sync_pending_fetches WHERE link_id = $1 AND kind = $2 AND target = ANY($3::text[])', [linkId, kind, targets]);
}

/** A rule says this attachment is not fetched (size cap, off the portal): it no longer counts as missing. */
export async function refusePendingFetch(db: Queryable, linkId: string, target: string, reason: string): Promise<void> {
  await db.query(`UPDATE sync_pending_fetches SET refused = $3, last_error = NULL WHERE link_id = $1 AND kind = 'document' AND target = $2`, [linkId, target, reason]);
}

/** A full pass applies the rules afresh: refused attachments are tried again. */
export async function liftRefusals(db: Queryable, linkId: string): Promise<void> {
  await db.query('UPDATE sync_pending_fetches SET refused = NULL WHERE link_id = $1 AND refused IS NOT NULL', [linkId]);
}

/** The fetch failed in a way a retry of the job would not mend (a 4xx): kept, with why, for the next sync. */
export async function notePendingFailure(db: Queryable, linkId: string, target: string, error: string): Promise<void> {
  await db.query(`UPDATE sync_pending_fetches SET last_error = $3 WHERE link_id = $1 AND kind = 'document' AND target = $2`, [linkId, target, error]);
}

export interface PendingRow {
  kind: PendingFetch['kind'];
  target: string;
  contentType: string | null;
  refused: string | null;
  lastError: string | null;
}

export async function pendingFetches(db: Queryable, linkId: string): Promise<PendingRow[]> {
  const { rows } = await db.query<{ kind: PendingFetch['kind']; target: string; content_type: string | null; refused: string | null; last_error: string | null }>(
    'SELECT kind, target, content_type, refused, last_error FROM sync_pending_fetches WHERE link_id = $1 ORDER BY kind, target',
    [linkId],
  );
  return rows.map((r) => ({ kind: r.kind, target: r.target, contentType: r.content_type, refused: r.refused, lastError: r.last_error }));
}

/** Attachments still owed to the binder: pending, and not refused by a rule. */
export async function missingDocuments(db: Queryable, linkId: string): Promise<Array<{ target: string; lastError: string | null }>> {
  const { rows } = await db.query<{ target: string; last_error: string | null }>(
    `SELECT target, last_error FROM sync_pending_fetches WHERE link_id = $1 AND kind = 'document' AND refused IS NULL ORDER BY target`,
    [linkId],
  );
  return rows.map((r) => ({ target: r.target, lastError: r.last_error }));
}

/**
 * The attachments of every current record of the link (not those removed at the source), as
 * the resources give them: what a full pass checks against the stored documents.
 */
export async function recordAttachments(db: Queryable, linkId: string): Promise<Array<{ url: string; sourceUrl: string | null; contentType: string | null }>> {
  const { rows } = await db.query<{ url: string; source_url: string | null; content_type: string | null }>(
    `SELECT DISTINCT d->>'url' AS url, d->>'sourceUrl' AS source_url, d->>'contentType' AS content_type
       FROM records r, jsonb_array_elements(r.binder->'documents') AS d
      WHERE r.link_id = $1 AND r.binder ? 'documents' AND r.removed_at_source IS NULL
        AND d ? 'url' AND NOT coalesce((d->>'embedded')::boolean, false)`,
    [linkId],
  );
  return rows.map((r) => ({ url: r.url, sourceUrl: r.source_url, contentType: r.content_type }));
}
