// The records-maintenance queue: when the filing rules change (CLASSIFIER_RULES_VERSION), stored
// records are re-filed by a background job, not by hand: every record written under an older
// version gets its categories and binder fields recomputed from its stored resource (the same
// pure mapping the sync uses, src/sync/record-row.ts), in batches, resumably.
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { CLASSIFIER_RULES_VERSION } from '../records/classify/index.js';
import { sourceUrlResolver } from '../records/source-url.js';
import { toRecordRow } from '../sync/record-row.js';
import { uploadBaseUrl } from '../uploads/process.js';
import type { FhirResource } from '../sync/validate.js';

export const RECORDS_QUEUE = 'records-maintenance';
const BATCH = 500;

export interface RecategorizeJobData {
  readonly rulesVersion: string;
  /** Resume point: records up to this id are done. */
  readonly afterId?: string;
}

export interface RecategorizeJob {
  readonly name: 'recategorize';
  readonly data: RecategorizeJobData;
}

export type RecordsQueue = Queue<RecategorizeJobData, unknown, RecategorizeJob['name']>;

/** Queued at every worker start; the job id makes it run once per rules version. */
export async function enqueueRecategorize(queue: RecordsQueue): Promise<void> {
  await queue.add('recategorize', { rulesVersion: CLASSIFIER_RULES_VERSION }, { jobId: `recategorize-${CLASSIFIER_RULES_VERSION}`, removeOnComplete: false });
}

export async function processRecategorize(job: Pick<Job<RecategorizeJobData>, 'data' | 'updateData'>, deps: { pool: Pool; log: Logger }): Promise<{ updated: number }> {
  if (job.data.rulesVersion !== CLASSIFIER_RULES_VERSION) return { updated: 0 }; // queued by an older worker
  let afterId = job.data.afterId ?? '0';
  const resolverByBase = new Map<string, (url: string) => string | null>();
  const resolvers = (base: string) => resolverByBase.get(base) ?? resolverByBase.set(base, sourceUrlResolver(base)).get(base)!;
  let updated = 0;
  for (;;) {
    const { rows } = await deps.pool.query<{ id: string; resource: string; portal_id: string; upload_id: string | null; fhir_base_url: string | null }>(
      `SELECT r.id::text, r.resource::text AS resource, COALESCE(l.portal_id, 'upload:' || l.upload_id, CASE WHEN l.patient_entries THEN 'entries' END) AS portal_id, l.upload_id::text, p.fhir_base_url
         FROM records r JOIN links l ON l.id = r.link_id LEFT JOIN portals p ON p.id = l.portal_id
        WHERE r.id > $1 AND r.rules_version <> $2 ORDER BY r.id LIMIT ${BATCH}`,
      [afterId, CLASSIFIER_RULES_VERSION],
    );
    if (rows.length === 0) break;
    const batch = rows.map((row) => {
      const base = row.upload_id !== null ? uploadBaseUrl(row.upload_id) : row.fhir_base_url;
      const source = { portalId: row.portal_id, ...(base === null ? {} : { resolveAttachment: resolvers(base) }) };
      const fields = toRecordRow(JSON.parse(row.resource) as FhirResource, source, row.resource);
      return {
        id: row.id,
        title: fields.title,
        e: fields.effectiveAt,
        d: fields.dateText,
        ed: fields.endDateText,
        s: fields.status,
        codes: fields.codes,
        categories: fields.categories,
        b: JSON.parse(fields.binder) as unknown,
        k: fields.duplicateKeys,
      };
    });
    const result = await deps.pool.query(
      `UPDATE records AS r SET title = n.title, effective_at = n.e, date_text = n.d, end_date_text = n.ed, status = n.s,
              codes = n.codes, categories = n.categories, binder = n.b, duplicate_keys = n.k, rules_version = $2,
              last_changed_at = CASE WHEN r.categories IS DISTINCT FROM n.categories THEN now() ELSE r.last_changed_at END
         FROM jsonb_to_recordset($1::jsonb) AS n(id bigint, title text, e timestamptz, d text, ed text, s text, codes text[], categories text[], b jsonb, k text[])
        WHERE r.id = n.id`,
      [JSON.stringify(batch), CLASSIFIER_RULES_VERSION],
    );
    updated += result.rowCount ?? 0;
    afterId = rows[rows.length - 1].id;
    await job.updateData({ ...job.data, afterId });
  }
  if (updated > 0) deps.log.info({ updated, rulesVersion: CLASSIFIER_RULES_VERSION }, 're-filed records under the current rules');
  return { updated };
}
