// The patient's own entries are records of the account's "entries" link (migration 0015): one
// links row per account, made with the first entry. Every read, change and delete is scoped to
// the account and to that link, so a portal's or an upload's record is never an entry.
import type { Queryable } from '../db/pool.js';
import { toRecordRow } from '../sync/record-row.js';
import { upsertRecords } from '../sync/storage.js';
import type { FhirResource } from '../sync/validate.js';
import { ENTRIES_PATIENT_ID, ENTRIES_SOURCE_ID } from './resource.js';

export interface StoredEntry {
  id: string;
  recordId: string;
  resourceType: string;
  resource: Record<string, unknown>;
  title: string;
  date: string | null;
  categories: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface EntryRow {
  record_id: string;
  resource_id: string;
  resource_type: string;
  resource: Record<string, unknown>;
  title: string;
  date_text: string | null;
  categories: string[];
  first_seen_at: Date;
  last_changed_at: Date;
}

const SELECT = `SELECT r.id::text AS record_id, r.resource_id, r.resource_type, r.resource, r.title, r.date_text, r.categories, r.first_seen_at, r.last_changed_at
                  FROM records r JOIN links l ON l.id = r.link_id AND l.patient_entries`;

const toEntry = (row: EntryRow): StoredEntry => ({
  id: row.resource_id,
  recordId: row.record_id,
  resourceType: row.resource_type,
  resource: row.resource,
  title: row.title,
  date: row.date_text,
  categories: row.categories,
  createdAt: row.first_seen_at,
  updatedAt: row.last_changed_at,
});

export function createEntryRepository(db: Queryable) {
  return {
    async list(accountId: string): Promise<StoredEntry[]> {
      const { rows } = await db.query<EntryRow>(`${SELECT} WHERE r.account_id = $1 ORDER BY r.first_seen_at DESC, r.id DESC`, [accountId]);
      return rows.map(toEntry);
    },

    async find(accountId: string, id: string): Promise<StoredEntry | null> {
      const { rows } = await db.query<EntryRow>(`${SELECT} WHERE r.account_id = $1 AND r.resource_id = $2`, [accountId, id]);
      return rows[0] ? toEntry(rows[0]) : null;
    },

    /** The account's entries link, made on first use. */
    async link(accountId: string): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO links (account_id, portal_id, upload_id, patient_entries, portal_patient_id, status)
         VALUES ($1, NULL, NULL, true, $2, 'active')
         ON CONFLICT (account_id) WHERE patient_entries DO UPDATE SET updated_at = links.updated_at
         RETURNING id`,
        [accountId, ENTRIES_PATIENT_ID],
      );
      return rows[0].id;
    },

    /** Files the resource like any record (categories, binder fields, duplicate keys); a new version keeps the old one. */
    async save(accountId: string, resource: FhirResource, json: string): Promise<StoredEntry> {
      const linkId = await this.link(accountId);
      await upsertRecords(db, accountId, linkId, [toRecordRow(resource, ENTRIES_SOURCE_ID, json)]);
      const saved = await this.find(accountId, resource.id);
      if (!saved) throw new Error(`entry ${resource.id} was not stored`);
      return saved;
    },

    async delete(accountId: string, id: string): Promise<boolean> {
      const result = await db.query(
        `DELETE FROM records r USING links l WHERE l.id = r.link_id AND l.patient_entries AND r.account_id = $1 AND r.resource_id = $2`,
        [accountId, id],
      );
      return (result.rowCount ?? 0) > 0;
    },
  };
}

export type EntryRepository = ReturnType<typeof createEntryRepository>;
