// The portal registry: which hospital portals this deployment offers, with their client
// registration. Client secrets are sealed at rest.
import type { Queryable } from '../db/pool.js';
import type { SecretBox } from '../crypto/secret-box.js';

export interface PortalBrand {
  logoUrl?: string;
  portalUrl?: string;
  portalName?: string;
  description?: string;
}

export interface Portal {
  id: string;
  name: string;
  fhirBaseUrl: string;
  clientId: string;
  hasClientSecret: boolean;
  scopes: string | null;
  brand: PortalBrand;
}

export interface PortalInput {
  id: string;
  name: string;
  fhirBaseUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  scopes?: string | undefined;
  brand?: PortalBrand | undefined;
}

interface PortalRow {
  id: string;
  name: string;
  fhir_base_url: string;
  client_id: string;
  client_secret_enc: string | null;
  scopes: string | null;
  brand: PortalBrand;
}

export const PORTAL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const secretContext = (portalId: string) => `portal:${portalId}:client-secret`;

const toPortal = (row: PortalRow): Portal => ({
  id: row.id,
  name: row.name,
  fhirBaseUrl: row.fhir_base_url,
  clientId: row.client_id,
  hasClientSecret: row.client_secret_enc !== null,
  scopes: row.scopes,
  brand: row.brand,
});

export function createPortalRegistry(db: Queryable, box: SecretBox) {
  return {
    async upsert(input: PortalInput): Promise<Portal> {
      const sealed = input.clientSecret ? box.seal(input.clientSecret, secretContext(input.id)) : null;
      const { rows } = await db.query<PortalRow>(
        `INSERT INTO portals (id, name, fhir_base_url, client_id, client_secret_enc, scopes, brand)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, fhir_base_url = excluded.fhir_base_url,
           client_id = excluded.client_id, client_secret_enc = excluded.client_secret_enc,
           scopes = excluded.scopes, brand = excluded.brand, updated_at = now()
         RETURNING *`,
        [input.id, input.name, input.fhirBaseUrl.replace(/\/+$/, ''), input.clientId, sealed, input.scopes ?? null, input.brand ?? {}],
      );
      return toPortal(rows[0]);
    },

    async list(): Promise<Portal[]> {
      const { rows } = await db.query<PortalRow>('SELECT * FROM portals ORDER BY name, id');
      return rows.map(toPortal);
    },

    async find(id: string): Promise<Portal | null> {
      const { rows } = await db.query<PortalRow>('SELECT * FROM portals WHERE id = $1', [id]);
      return rows[0] ? toPortal(rows[0]) : null;
    },

    async clientSecret(id: string): Promise<string | undefined> {
      const { rows } = await db.query<{ client_secret_enc: string | null }>('SELECT client_secret_enc FROM portals WHERE id = $1', [id]);
      const sealed = rows[0]?.client_secret_enc;
      return sealed ? box.open(sealed, secretContext(id)) : undefined;
    },

    /** Refuses while any link (even an unlinked one, whose records stay) refers to the portal. */
    async remove(id: string): Promise<'removed' | 'not-found' | 'has-links'> {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM links WHERE portal_id = $1', [id]);
      if (Number(rows[0].n) > 0) return 'has-links';
      const result = await db.query('DELETE FROM portals WHERE id = $1', [id]);
      return result.rowCount ? 'removed' : 'not-found';
    },
  };
}

export type PortalRegistry = ReturnType<typeof createPortalRegistry>;
