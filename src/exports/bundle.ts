// The complete electronic copy: every stored resource of a patient and every document carebinder
// fetched, as one FHIR R4 Bundle of type "collection", streamed in batches (records 500 at a time,
// documents a few MB at a time), so memory stays bounded whatever the size of the binder.
//
// - Each record's entry.fullUrl is its address at the portal it came from; an extension says which
//   portal and when carebinder last saw it change.
// - Each fetched document is a Binary entry (base64 data, contentType) with a urn:uuid fullUrl.
// - Attachment urls in DocumentReference.content and DiagnosticReport.presentedForm (any resource's
//   content[].attachment and presentedForm[]) that carebinder fetched are rewritten to that Binary's
//   fullUrl, the portal's URL kept in an extension; one not fetched keeps its URL and an extension
//   says it is not in the Bundle. Attachments with inline data are left as they are.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Queryable } from '../db/pool.js';
import { storedDocumentIds } from '../binder/items.js';
import { accountSources, type AccountSources } from '../binder/sources.js';
import { documentUuid } from './documents.js';

const RECORD_BATCH = 500;
const DOCUMENT_BATCH_BYTES = 8 * 1024 * 1024;
const DOCUMENT_BATCH_MAX = 100;

export const EXTENSION_BASE = 'https://carebinder.example.org/fhir/StructureDefinition';
export const SOURCE_EXTENSION = `${EXTENSION_BASE}/source-portal`;
/** On an attachment whose url now points into the Bundle: where the portal had it. */
export const PORTAL_URL_EXTENSION = `${EXTENSION_BASE}/portal-url`;
/** On an attachment carebinder did not fetch: its url still points at the portal. */
export const NOT_INCLUDED_EXTENSION = `${EXTENSION_BASE}/attachment-not-included`;
export const NOT_INCLUDED_REASON =
  'carebinder did not fetch this attachment (over its size limit, not on the portal, or not delivered), so its content is not in this Bundle; the url is where the portal had it';

export interface BundleOptions {
  /** The Bundle's timestamp; now by default. */
  now?: Date;
}

interface RecordRow {
  id: string;
  link_id: string;
  resource_type: string;
  resource_id: string;
  resource: string;
  last_changed_at: Date;
  /** The binder's view of the attachments (each with the sourceUrl resolved at sync time), or null. */
  documents: Array<{ url?: string; sourceUrl?: string; embedded?: boolean }> | null;
}

interface Attachment {
  url?: unknown;
  data?: unknown;
  extension?: unknown[];
}

/** The Bundle as JSON text, chunk by chunk (a chunk is at most one batch of records or documents). */
export async function* completeBundleChunks(db: Queryable, accountId: string, options: BundleOptions = {}): AsyncGenerator<string> {
  const sources = await accountSources(db, accountId);
  const now = options.now ?? new Date();
  yield `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(now.toISOString())},"entry":[`;
  let first = true;
  let lastId = '0';
  for (;;) {
    const { rows } = await db.query<RecordRow>(
      `SELECT id::text, link_id, resource_type, resource_id, resource::text AS resource, last_changed_at,
              CASE WHEN jsonb_typeof(binder->'documents') = 'array' AND binder->'documents' <> '[]'::jsonb THEN binder->'documents' END AS documents
         FROM records WHERE account_id = $1 AND records.id > $2 ORDER BY records.id LIMIT ${RECORD_BATCH}`,
      [accountId, lastId],
    );
    if (rows.length === 0) break;
    const documentIds = await storedDocumentIds(db, accountId, rows);
    let text = '';
    for (const row of rows) {
      const source = sources.byLink.get(row.link_id);
      const fullUrl = source ? `${source.fhirBaseUrl}/${row.resource_type}/${row.resource_id}` : `urn:carebinder:record:${row.id}`;
      const resource = row.documents ? rewriteAttachments(row.resource, sourceUrls(row.documents), (sourceUrl) => documentIds.get(`${row.link_id} ${sourceUrl}`), accountId) : row.resource;
      text += `${first ? '' : ','}{"fullUrl":${JSON.stringify(fullUrl)},"extension":${JSON.stringify(sourceExtension(source, row.last_changed_at))},"resource":${resource}}`;
      first = false;
    }
    yield text;
    lastId = rows[rows.length - 1].id;
  }
  for await (const entry of binaryEntries(db, accountId, sources)) {
    yield `${first ? '' : ','}${entry}`;
    first = false;
  }
  yield ']}';
}

/** The Bundle as a readable stream (pulls a batch when the reader wants more). */
export function completeBundleStream(db: Queryable, accountId: string, options: BundleOptions = {}): Readable {
  return Readable.from(completeBundleChunks(db, accountId, options), { objectMode: false });
}

/** Writes the whole Bundle to `out` (honouring back-pressure) and ends it. */
export async function writeCompleteBundle(db: Queryable, accountId: string, out: Writable, options: BundleOptions = {}): Promise<void> {
  await pipeline(completeBundleStream(db, accountId, options), out);
}

function sourceExtension(source: { portalId: string; portalName: string } | undefined, lastChanged: Date): unknown[] {
  return [
    {
      url: SOURCE_EXTENSION,
      extension: [
        { url: 'portal', valueString: source?.portalId ?? 'unknown' },
        { url: 'portalName', valueString: source?.portalName ?? 'unknown' },
        { url: 'lastChanged', valueDateTime: lastChanged.toISOString() },
      ],
    },
  ];
}


/** An attachment's url as the resource gives it → where carebinder fetched it from. */
function sourceUrls(documents: NonNullable<RecordRow['documents']>): Map<string, string> {
  const byUrl = new Map<string, string>();
  for (const document of documents) if (document.url !== undefined && document.sourceUrl !== undefined) byUrl.set(document.url, document.sourceUrl);
  return byUrl;
}

function attachmentsOf(resource: unknown): Attachment[] {
  const r = resource as { content?: unknown; presentedForm?: unknown } | null;
  const out: Attachment[] = [];
  if (Array.isArray(r?.content)) {
    for (const content of r.content as Array<{ attachment?: unknown } | null>) {
      if (content && typeof content.attachment === 'object' && content.attachment !== null) out.push(content.attachment);
    }
  }
  if (Array.isArray(r?.presentedForm)) {
    for (const attachment of r.presentedForm as unknown[]) if (attachment && typeof attachment === 'object') out.push(attachment);
  }
  return out;
}

/**
 * The resource's JSON with each fetched attachment's url pointing at its Binary entry (portal URL in
 * an extension), and each attachment not fetched marked as not included. Pure but for its input.
 */
export function rewriteAttachments(json: string, sourceUrlOf: ReadonlyMap<string, string>, documentIdFor: (sourceUrl: string) => string | undefined, accountId: string): string {
  const resource = JSON.parse(json) as unknown;
  let changed = false;
  for (const attachment of attachmentsOf(resource)) {
    if (typeof attachment.url !== 'string' || attachment.data !== undefined) continue;
    const absolute = sourceUrlOf.get(attachment.url) ?? attachment.url;
    const documentId = sourceUrlOf.has(attachment.url) ? documentIdFor(absolute) : undefined;
    const extension = Array.isArray(attachment.extension) ? attachment.extension : [];
    if (documentId) {
      attachment.extension = [...extension, { url: PORTAL_URL_EXTENSION, valueUrl: absolute }];
      attachment.url = documentUuid(accountId, `d${documentId}`);
    } else {
      attachment.extension = [...extension, { url: NOT_INCLUDED_EXTENSION, valueString: NOT_INCLUDED_REASON }];
    }
    changed = true;
  }
  return changed ? JSON.stringify(resource) : json;
}

/** One Binary entry (JSON text) per fetched document, read a few MB at a time. */
async function* binaryEntries(db: Queryable, accountId: string, sources: AccountSources): AsyncGenerator<string> {
  let lastId = '0';
  for (;;) {
    const { rows: batch } = await db.query<{ id: string; running: string }>(
      `SELECT id::text, (sum(size_bytes) OVER (ORDER BY documents.id))::text AS running FROM documents
        WHERE account_id = $1 AND id > $2 ORDER BY documents.id LIMIT ${DOCUMENT_BATCH_MAX}`,
      [accountId, lastId],
    );
    if (batch.length === 0) return;
    // At least one document per round, however large; more while they fit the batch's bytes.
    const ids = batch.filter((row, index) => index === 0 || Number(row.running) <= DOCUMENT_BATCH_BYTES).map((row) => row.id);
    const { rows } = await db.query<{ id: string; link_id: string; source_url: string; content_type: string; content: Buffer; fetched_at: Date }>(
      'SELECT id::text, link_id, source_url, content_type, content, fetched_at FROM documents WHERE account_id = $1 AND id = ANY($2::bigint[]) ORDER BY documents.id',
      [accountId, ids],
    );
    for (const row of rows) {
      const source = sources.byLink.get(row.link_id);
      const extension = [...sourceExtension(source, row.fetched_at), { url: PORTAL_URL_EXTENSION, valueUrl: row.source_url }];
      const binary = { resourceType: 'Binary', id: `d${row.id}`, contentType: row.content_type };
      yield `{"fullUrl":${JSON.stringify(documentUuid(accountId, `d${row.id}`))},"extension":${JSON.stringify(extension)},"resource":${JSON.stringify(binary).slice(0, -1)},"data":"${row.content.toString('base64')}"}}`;
    }
    lastId = ids[ids.length - 1];
  }
}
