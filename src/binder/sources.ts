// The portals an account's records come from, by link: what the binder names as each record's
// sources and resolves its attachment URLs against. Read once per request.
import type { Queryable } from '../db/pool.js';
import { PATIENT_ENTERED_SOURCE_NAME } from '../records/patient-entered.js';

export interface Source {
  portalId: string;
  portalName: string;
  linkId: string;
}

interface LinkSourceRow {
  link_id: string;
  portal_id: string;
  portal_name: string;
  fhir_base_url: string;
}

export interface AccountSources {
  byLink: Map<string, Source & { fhirBaseUrl: string }>;
}

export async function accountSources(db: Queryable, accountId: string): Promise<AccountSources> {
  // A source is a portal link, an upload (migration 0012) or the patient's own entries (0015): an
  // upload is named "Uploaded: <file name> (<date>)" and its attachments resolve against
  // urn:carebinder:upload:<id>; the entries are "Entered by you" (src/records/patient-entered.ts).
  const { rows } = await db.query<LinkSourceRow>(
    `SELECT l.id AS link_id, COALESCE(p.id, 'upload:' || u.id, CASE WHEN l.patient_entries THEN 'entries' END) AS portal_id,
            COALESCE(p.name, 'Uploaded: ' || u.file_name || ' (' || to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ')',
                     CASE WHEN l.patient_entries THEN $2 END) AS portal_name,
            COALESCE(p.fhir_base_url, 'urn:carebinder:upload:' || u.id, CASE WHEN l.patient_entries THEN 'urn:carebinder:entries' END) AS fhir_base_url
       FROM links l LEFT JOIN portals p ON p.id = l.portal_id LEFT JOIN uploads u ON u.id = l.upload_id
      WHERE l.account_id = $1 AND (p.id IS NOT NULL OR u.id IS NOT NULL OR l.patient_entries)`,
    [accountId, PATIENT_ENTERED_SOURCE_NAME],
  );
  return { byLink: new Map(rows.map((r) => [r.link_id, { linkId: r.link_id, portalId: r.portal_id, portalName: r.portal_name, fhirBaseUrl: r.fhir_base_url }])) };
}
