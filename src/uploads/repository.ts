// The uploads table: an upload's file until it is filed, and the job's report afterwards.
// Every read and delete that a patient asks for is scoped to their account.
import type { Queryable } from '../db/pool.js';
import type { CategoryId } from '../records/categories.js';
import { fhirPatientDetails, type PatientDetails } from './convert.js';
import type { UploadKind } from './sniff.js';

export type UploadState = 'processing' | 'done' | 'failed';

export interface Upload {
  id: string;
  accountId: string;
  fileName: string;
  kind: UploadKind;
  contentType: string;
  size: number;
  category: CategoryId | null;
  title: string | null;
  date: string | null;
  state: UploadState;
  error: string | null;
  warnings: string[];
  resources: number;
  categories: string[];
  createdAt: Date;
  finishedAt: Date | null;
}

interface UploadRow {
  id: string;
  account_id: string;
  file_name: string;
  kind: UploadKind;
  content_type: string;
  size_bytes: number;
  category: CategoryId | null;
  title: string | null;
  document_date: string | null;
  state: UploadState;
  error: string | null;
  warnings: string[];
  resources: number;
  categories: string[];
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `id, account_id, file_name, kind, content_type, size_bytes, category, title, document_date, state, error, warnings, resources, categories, created_at, finished_at`;

const toUpload = (row: UploadRow): Upload => ({
  id: row.id,
  accountId: row.account_id,
  fileName: row.file_name,
  kind: row.kind,
  contentType: row.content_type,
  size: row.size_bytes,
  category: row.category,
  title: row.title,
  date: row.document_date,
  state: row.state,
  error: row.error,
  warnings: row.warnings,
  resources: row.resources,
  categories: row.categories,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

export interface NewUpload {
  accountId: string;
  fileName: string;
  kind: UploadKind;
  contentType: string;
  content: Buffer;
  sha256: Buffer;
  category: CategoryId | null;
  title: string | null;
  date: string | null;
}

export interface UploadResult {
  resources: number;
  categories: string[];
  warnings: string[];
}

/** "Uploaded: <file name> (<date>)": how the binder names an upload as a record's source. */
export function uploadSourceName(fileName: string, uploadedAt: Date): string {
  return `Uploaded: ${fileName} (${uploadedAt.toISOString().slice(0, 10)})`;
}

export function createUploadRepository(db: Queryable) {
  return {
    async create(upload: NewUpload): Promise<Upload> {
      const { rows } = await db.query<UploadRow>(
        `INSERT INTO uploads (account_id, file_name, kind, content_type, size_bytes, sha256, content, category, title, document_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
        [upload.accountId, upload.fileName, upload.kind, upload.contentType, upload.content.length, upload.sha256, upload.content, upload.category, upload.title, upload.date],
      );
      return toUpload(rows[0]);
    },

    async listForAccount(accountId: string): Promise<Upload[]> {
      const { rows } = await db.query<UploadRow>(`SELECT ${COLUMNS} FROM uploads WHERE account_id = $1 ORDER BY created_at DESC, id`, [accountId]);
      return rows.map(toUpload);
    },

    async findForAccount(id: string, accountId: string): Promise<Upload | null> {
      const { rows } = await db.query<UploadRow>(`SELECT ${COLUMNS} FROM uploads WHERE id = $1 AND account_id = $2`, [id, accountId]);
      return rows[0] ? toUpload(rows[0]) : null;
    },

    /** Removes the upload; its link, records and documents go with it (ON DELETE CASCADE). */
    async deleteForAccount(id: string, accountId: string): Promise<boolean> {
      const result = await db.query('DELETE FROM uploads WHERE id = $1 AND account_id = $2', [id, accountId]);
      return (result.rowCount ?? 0) > 0;
    },

    /** For the job: the upload with its bytes, while it is still to be filed. */
    async loadForProcessing(id: string): Promise<(Upload & { content: Buffer }) | null> {
      const { rows } = await db.query<UploadRow & { content: Buffer | null }>(`SELECT ${COLUMNS}, content FROM uploads WHERE id = $1`, [id]);
      const row = rows[0];
      if (!row || row.state !== 'processing' || !row.content) return null;
      return { ...toUpload(row), content: row.content };
    },

    /** The link that holds the upload's records and documents (made once; a retried job reuses it). */
    async sourceLink(upload: Pick<Upload, 'id' | 'accountId'>, patientId: string | null): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO links (account_id, portal_id, upload_id, portal_patient_id, status)
         VALUES ($1, NULL, $2, $3, 'active')
         ON CONFLICT (upload_id) DO UPDATE SET portal_patient_id = excluded.portal_patient_id, updated_at = now()
         RETURNING id`,
        [upload.accountId, upload.id, patientId ?? ''],
      );
      return rows[0].id;
    },

    /** Filed: the report is kept and the file's bytes dropped (its documents now hold them). */
    async markDone(id: string, result: UploadResult): Promise<void> {
      await db.query(
        `UPDATE uploads SET state = 'done', resources = $2, categories = $3, warnings = $4::jsonb, error = NULL, content = NULL, finished_at = now()
          WHERE id = $1 AND state = 'processing'`,
        [id, result.resources, result.categories, JSON.stringify(result.warnings)],
      );
    },

    /** Not filed: the reason is kept for the patient; nothing of the upload is in the binder. */
    async markFailed(id: string, error: string, warnings: readonly string[] = []): Promise<void> {
      await db.query(
        `UPDATE uploads SET state = 'failed', error = $2, warnings = $3::jsonb, content = NULL, finished_at = now() WHERE id = $1 AND state = 'processing'`,
        [id, error.slice(0, 1000), JSON.stringify(warnings)],
      );
    },

    /**
     * What the account says about its patient: the account's own details where it has them
     * (read by name, so columns added later count), and every linked portal's Patient.
     */
    async knownPatientDetails(accountId: string): Promise<PatientDetails[]> {
      const known: PatientDetails[] = [];
      const account = await db.query<{ a: Record<string, unknown> }>('SELECT to_jsonb(a) AS a FROM accounts a WHERE id = $1', [accountId]);
      const own = account.rows[0]?.a ?? {};
      const ownName = typeof own.name === 'string' ? own.name : null;
      const ownBirth = typeof own.birth_date === 'string' ? own.birth_date : null;
      if (ownName || ownBirth) known.push({ name: ownName, birthDate: ownBirth });
      const patients = await db.query<{ resource: Record<string, unknown> }>(
        `SELECT r.resource FROM records r JOIN links l ON l.id = r.link_id
          WHERE r.account_id = $1 AND r.resource_type = 'Patient' AND l.portal_id IS NOT NULL LIMIT 20`,
        [accountId],
      );
      for (const row of patients.rows) known.push(fhirPatientDetails(row.resource));
      return known;
    },
  };
}

export type UploadRepository = ReturnType<typeof createUploadRepository>;
