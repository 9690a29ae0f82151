// The portals an account's records come from, by link: what the binder names as each record's
// sources and resolves its attachment URLs against. Read once per request.
import type { Queryable } from '../db/pool.js';

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
  const { rows } = await db.query<LinkSourceRow>(
    `SELECT l.id AS link_id, p.id AS portal_id, p.name AS portal_name, p.fhir_base_url
       FROM links l JOIN portals p ON p.id = l.portal_id WHERE l.account_id = $1`,
    [accountId],
  );
  return { byLink: new Map(rows.map((r) => [r.link_id, { linkId: r.link_id, portalId: r.portal_id, portalName: r.portal_name, fhirBaseUrl: r.fhir_base_url }])) };
}
