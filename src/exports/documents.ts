// Where each document of a patient belongs: the stored attachments carebinder fetched (d<id>)
// and the ones carried inside a resource (e<recordId>-<n>), each with the record that points to
// it (its first category in the leaflet's order, its date and title). Read from narrow columns:
// only records that have attachments, and document metadata without the bytes.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { CATEGORY_IDS, type CategoryId } from '../records/categories.js';
import type { DocumentAttachment } from '../records/binder-fields.js';

export interface PlacedDocument {
  /** d<documents.id> for a fetched attachment, e<recordId>-<n> for one inside a resource. */
  key: string;
  /** The record that points to it (the first, by record id), or null for a document no record names. */
  recordId: string | null;
  linkId: string;
  /** The record's first category in the leaflet's order; null when it has none. */
  category: CategoryId | null;
  /** The record's date (YYYY-MM-DD or shorter), else the day it was fetched. */
  date: string | null;
  title: string;
  contentType: string;
  sizeBytes: number | null;
  /** Where the portal had it (absolute), for fetched ones. */
  sourceUrl: string | null;
  /** Hex SHA-256 of the bytes, for fetched ones (identical files are kept once). */
  sha256: string | null;
}

interface RecordWithDocuments {
  id: string;
  link_id: string;
  categories: string[];
  date_text: string | null;
  title: string;
  documents: DocumentAttachment[];
}

interface DocumentRow {
  id: string;
  link_id: string;
  source_url: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  fetched_at: Date;
}

/** Every document of the account, in record order, each once. */
export async function placedDocuments(db: Queryable, accountId: string): Promise<PlacedDocument[]> {
  const [{ rows: records }, { rows: documents }] = await Promise.all([
    db.query<RecordWithDocuments>(
      `SELECT id::text, link_id, categories, date_text, title, binder->'documents' AS documents FROM records
        WHERE account_id = $1 AND jsonb_typeof(binder->'documents') = 'array' AND binder->'documents' <> '[]'::jsonb
        ORDER BY records.id`,
      [accountId],
    ),
    db.query<DocumentRow>(
      `SELECT id::text, link_id, source_url, content_type, size_bytes, encode(sha256, 'hex') AS sha256, fetched_at
         FROM documents WHERE account_id = $1 ORDER BY documents.id`,
      [accountId],
    ),
  ]);
  const byUrl = new Map(documents.map((d) => [`${d.link_id} ${d.source_url}`, d]));
  const placed: PlacedDocument[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const category = CATEGORY_IDS.find((id) => record.categories.includes(id)) ?? null;
    record.documents.forEach((attachment, index) => {
      const title = attachment.title ?? record.title;
      if (attachment.embedded) {
        placed.push({
          key: `e${record.id}-${index}`,
          recordId: record.id,
          linkId: record.link_id,
          category,
          date: record.date_text,
          title,
          contentType: attachment.contentType ?? 'application/octet-stream',
          sizeBytes: attachment.size ?? null,
          sourceUrl: null,
          sha256: null,
        });
        return;
      }
      if (attachment.sourceUrl === undefined) return;
      const stored = byUrl.get(`${record.link_id} ${attachment.sourceUrl}`);
      if (!stored || seen.has(stored.id)) return;
      seen.add(stored.id);
      placed.push(fromRow(stored, record.id, category, record.date_text, title));
    });
  }
  for (const stored of documents) {
    if (seen.has(stored.id)) continue;
    const name = stored.source_url.split(/[/?#]/).filter(Boolean).pop() ?? 'document';
    placed.push(fromRow(stored, null, null, stored.fetched_at.toISOString().slice(0, 10), name));
  }
  return placed;
}

function fromRow(row: DocumentRow, recordId: string | null, category: CategoryId | null, date: string | null, title: string): PlacedDocument {
  return {
    key: `d${row.id}`,
    recordId,
    linkId: row.link_id,
    category,
    date,
    title,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sourceUrl: row.source_url,
    sha256: row.sha256,
  };
}

/** The bytes of one document of this account, or null when it is not there (any more). */
export async function documentContent(db: Queryable, accountId: string, key: string): Promise<Buffer | null> {
  if (key.startsWith('d')) {
    const { rows } = await db.query<{ content: Buffer }>('SELECT content FROM documents WHERE id = $1 AND account_id = $2', [key.slice(1), accountId]);
    return rows[0]?.content ?? null;
  }
  const match = /^e(\d+)-(\d+)$/.exec(key);
  if (!match) return null;
  const { rows } = await db.query<{ data: string | null }>(
    `SELECT (coalesce(resource->'content', '[]'::jsonb) || coalesce(resource->'presentedForm', '[]'::jsonb)) -> $3::int AS data
       FROM records WHERE id = $1 AND account_id = $2`,
    [match[1], accountId, Number(match[2])],
  );
  const attachment = rows[0]?.data as unknown as { attachment?: { data?: unknown }; data?: unknown } | null | undefined;
  const data = attachment?.attachment?.data ?? attachment?.data;
  return typeof data === 'string' ? Buffer.from(data, 'base64') : null;
}

/** A stable urn:uuid for a document of an account. */
export function documentUuid(accountId: string, key: string): string {
  return stableUuid(`carebinder-document ${accountId} ${key}`);
}

/** A urn:uuid named by `name` (SHA-1, RFC 9562 version 5 layout): the same name gives the same uuid. */
export function stableUuid(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
