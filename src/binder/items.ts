// What the binder shows of each record: patient-facing title, dates, status, key values, the
// portals it came from and links to its documents. Rows are fetched only for the page asked.
import type { Queryable } from '../db/pool.js';
import type { DocumentAttachment, StudyFacts } from '../records/binder-fields.js';
import type { BinderEntry } from './binder-index.js';
import type { AccountSources } from './sources.js';

interface ItemRow {
  id: string;
  link_id: string;
  resource_type: string;
  title: string;
  date_text: string | null;
  json: string;
  status: string | null;
  documents: DocumentAttachment[] | null;
  study: StudyFacts | null;
  conclusion: string | null;
}

/**
 * The page's items as JSON text, in the entries' order. PostgreSQL writes each item's own
 * fields as JSON; only the documents, the parts and the sources are added here, as text, so an
 * item is never parsed and serialised again on its way out.
 *
 * An item that joins several records (one exam's report, images and procedure; one operation and
 * its note; one medicine's orders) also lists its parts (up to MAX_PARTS, with partCount; an item of
 * one record has no parts list), the
 * study's facts and the report's conclusion, and offers the documents of all the parts listed.
 */
export async function renderItems(db: Queryable, accountId: string, entries: readonly BinderEntry[], sources: AccountSources): Promise<string[]> {
  if (entries.length === 0) return [];
  const ids = entries.flatMap(shownMembers);
  const { rows } = await db.query<ItemRow>(
    `SELECT id::text, link_id, resource_type, title, date_text, binder->'documents' AS documents, binder->'study' AS study, binder->>'conclusion' AS conclusion,
            json_build_object('id', id::text, 'resourceType', resource_type, 'title', title, 'date', date_text,
                              'endDate', end_date_text, 'status', status, 'value', binder->'value', 'dose', binder->'dose',
                              'removedAtSource', removed_at_source IS NOT NULL)::text AS json, status
       FROM records WHERE account_id = $1 AND id = ANY($2::bigint[])`,
    [accountId, ids],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const documents = rows.some((row) => row.documents?.length) ? await storedDocumentIds(db, accountId, rows) : new Map<string, string>();
  const sourcesJson = new Map<string, string>();
  const sourcesOf = (linkIds: readonly string[]): string => {
    const links = linkIds.join(' ');
    let text = sourcesJson.get(links);
    if (text === undefined) {
      // Each portal once, however many links to it the records came through.
      const portals = new Map<string, { portalId: string; portalName: string }>();
      for (const linkId of linkIds) {
        const source = sources.byLink.get(linkId);
        if (source && !portals.has(source.portalId)) portals.set(source.portalId, { portalId: source.portalId, portalName: source.portalName });
      }
      text = JSON.stringify([...portals.values()]);
      sourcesJson.set(links, text);
    }
    return text;
  };
  const documentLinks = (row: ItemRow): ItemDocument[] =>
    (row.documents ?? []).flatMap((attachment, index) => {
      const stored = attachment.sourceUrl === undefined ? undefined : documents.get(`${row.link_id} ${attachment.sourceUrl}`);
      const id = attachment.embedded ? `e${row.id}-${index}` : stored && `d${stored}`;
      return id ? [{ id, url: `/api/documents/${id}`, contentType: attachment.contentType ?? null, title: attachment.title ?? null }] : [];
    });
  return entries.flatMap((entry) => {
    const row = byId.get(entry.id);
    if (!row) return [];
    const members = shownMembers(entry).flatMap((id) => byId.get(id) ?? []);
    const links = new Map<string, ItemDocument>();
    for (const member of members) for (const link of documentLinks(member)) if (!links.has(link.id)) links.set(link.id, link);
    const study = members.find((member) => member.study)?.study ?? null;
    const conclusion = members.find((member) => member.conclusion)?.conclusion ?? null;
    return [
      `${row.json.slice(0, -1)},"documents":${JSON.stringify([...links.values()])},"sources":${sourcesOf(entry.linkIds)},` +
        `"parts":${members.length > 1 ? partsJson(members, sourcesOf) : '[]'},"partCount":${entry.memberIds.length},"study":${JSON.stringify(study)},"conclusion":${JSON.stringify(conclusion)}}`,
    ];
  });
}

/**
 * A page lists at most this many records of one item (a year of weekly infusions is one cancer
 * medicine of 50 administrations); partCount says how many it joins.
 */
const MAX_PARTS = 20;

/** The records of an entry a page shows: the shown record first, then the others in the index's order. */
function shownMembers(entry: BinderEntry): string[] {
  if (entry.memberIds.length === 1) return [entry.id];
  return [entry.id, ...entry.memberIds.filter((id) => id !== entry.id).slice(0, MAX_PARTS - 1)];
}

interface ItemDocument {
  id: string;
  url: string;
  contentType: string | null;
  title: string | null;
}

/**
 * Every record the item joins, once: records that say the same thing (same type, title and day,
 * e.g. one report from two portals) are one part with all their sources.
 */
function partsJson(members: readonly ItemRow[], sourcesOf: (linkIds: readonly string[]) => string): string {
  const parts = new Map<string, { member: ItemRow; linkIds: string[] }>();
  for (const member of members) {
    const key = `${member.resource_type} ${member.title.toLowerCase()} ${member.date_text?.slice(0, 10) ?? ''}`;
    const existing = parts.get(key);
    if (existing) {
      if (!existing.linkIds.includes(member.link_id)) existing.linkIds.push(member.link_id);
    } else {
      parts.set(key, { member, linkIds: [member.link_id] });
    }
  }
  const json = [...parts.values()].map(({ member, linkIds }) => {
    const part = JSON.stringify({ id: member.id, resourceType: member.resource_type, title: member.title, date: member.date_text, status: member.status });
    return `${part.slice(0, -1)},"sources":${sourcesOf(linkIds)}}`;
  });
  return `[${json.join(',')}]`;
}

/**
 * documents.id of each stored document these records' attachments name, keyed "<linkId> <sourceUrl>"
 * (the URL resolved when the record was written). Shared by the binder's items and the export Bundle.
 */
export async function storedDocumentIds(
  db: Queryable,
  accountId: string,
  rows: Iterable<{ link_id: string; documents: ReadonlyArray<Pick<DocumentAttachment, 'sourceUrl' | 'embedded'>> | null }>,
): Promise<Map<string, string>> {
  const linkIds: string[] = [];
  const urls: string[] = [];
  for (const row of rows) {
    for (const attachment of row.documents ?? []) {
      if (attachment.sourceUrl === undefined || attachment.embedded) continue;
      linkIds.push(row.link_id);
      urls.push(attachment.sourceUrl);
    }
  }
  if (urls.length === 0) return new Map();
  const { rows: found } = await db.query<{ id: string; link_id: string; source_url: string }>(
    `SELECT d.id::text, d.link_id, d.source_url FROM documents d
       JOIN (SELECT DISTINCT * FROM unnest($2::uuid[], $3::text[]) AS w(link_id, url)) w ON d.link_id = w.link_id AND d.source_url = w.url
      WHERE d.account_id = $1`,
    [accountId, linkIds, urls],
  );
  return new Map(found.map((d) => [`${d.link_id} ${d.source_url}`, d.id]));
}
