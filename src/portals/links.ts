// Links: one patient account's access to one portal patient. Token responses are sealed with
// the link id as context, so a sealed blob cannot be moved to another link.
import type { Queryable } from '../db/pool.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { TokenResponse } from './tokens.js';

export type LinkStatus = 'active' | 'syncing' | 'needs-relink' | 'error' | 'unlinked';

export interface Link {
  id: string;
  accountId: string;
  portalId: string;
  portalName: string;
  portalPatientId: string;
  fhirUser: string | null;
  status: LinkStatus;
  statusReason: string | null;
  grantedScopes: string;
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  hasRefreshToken: boolean;
  tokenEndpoint: string | null;
  revocationEndpoint: string | null;
  introspectionEndpoint: string | null;
  lastRefreshedAt: Date | null;
  lastSyncStartedAt: Date | null;
  lastSyncFinishedAt: Date | null;
  lastSyncState: string | null;
  lastSuccessfulSyncStartedAt: Date | null;
  lastFullSyncStartedAt: Date | null;
  createdAt: Date;
}

interface LinkRow {
  id: string;
  account_id: string;
  portal_id: string;
  portal_name: string;
  portal_patient_id: string;
  fhir_user: string | null;
  status: LinkStatus;
  status_reason: string | null;
  tokens_enc: string | null;
  granted_scopes: string;
  access_expires_at: Date | null;
  refresh_expires_at: Date | null;
  token_endpoint: string | null;
  revocation_endpoint: string | null;
  introspection_endpoint: string | null;
  last_refreshed_at: Date | null;
  last_sync_started_at: Date | null;
  last_sync_finished_at: Date | null;
  last_sync_state: string | null;
  last_successful_sync_started_at: Date | null;
  last_full_sync_started_at: Date | null;
  created_at: Date;
  has_refresh_token: boolean;
}

/** What is sealed in tokens_enc. */
export interface StoredTokens {
  access_token: string;
  refresh_token?: string | undefined;
  id_token?: string | undefined;
  token_type: string;
}

const SELECT_LINK = `
  SELECT l.*, p.name AS portal_name
    FROM links l JOIN portals p ON p.id = l.portal_id`;

export const tokenContext = (linkId: string) => `link:${linkId}:tokens`;

const toLink = (row: LinkRow): Link => ({
  id: row.id,
  accountId: row.account_id,
  portalId: row.portal_id,
  portalName: row.portal_name,
  portalPatientId: row.portal_patient_id,
  fhirUser: row.fhir_user,
  status: row.status,
  statusReason: row.status_reason,
  grantedScopes: row.granted_scopes,
  accessExpiresAt: row.access_expires_at,
  refreshExpiresAt: row.refresh_expires_at,
  hasRefreshToken: row.has_refresh_token,
  tokenEndpoint: row.token_endpoint,
  revocationEndpoint: row.revocation_endpoint,
  introspectionEndpoint: row.introspection_endpoint,
  lastRefreshedAt: row.last_refreshed_at,
  lastSyncStartedAt: row.last_sync_started_at,
  lastSyncFinishedAt: row.last_sync_finished_at,
  lastSyncState: row.last_sync_state,
  lastSuccessfulSyncStartedAt: row.last_successful_sync_started_at,
  lastFullSyncStartedAt: row.last_full_sync_started_at,
  createdAt: row.created_at,
});

export interface NewGrant {
  accountId: string;
  portalId: string;
  portalPatientId: string;
  fhirUser: string | null;
  tokens: TokenResponse;
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  endpoints: { token: string; revocation?: string | undefined; introspection?: string | undefined };
}

export function storedTokensOf(tokens: TokenResponse): StoredTokens {
  return { access_token: tokens.access_token, refresh_token: tokens.refresh_token, id_token: tokens.id_token, token_type: tokens.token_type };
}

export function createLinkRepository(db: Queryable, box: SecretBox) {
  const find = async (where: string, params: unknown[]): Promise<Link | null> => {
    const { rows } = await db.query<LinkRow>(`${SELECT_LINK} WHERE ${where}`, params);
    return rows[0] ? toLink(rows[0]) : null;
  };

  return {
    /**
     * Creates the link, or updates the existing one when this account links the same portal
     * patient again (a re-link after needs-relink, or after an unlink).
     */
    async saveGrant(grant: NewGrant): Promise<{ link: Link; created: boolean }> {
      const { rows } = await db.query<{ id: string; created: boolean }>(
        `INSERT INTO links (account_id, portal_id, portal_patient_id, fhir_user, status, granted_scopes,
                            access_expires_at, refresh_expires_at, token_endpoint, revocation_endpoint, introspection_endpoint, has_refresh_token)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (account_id, portal_id, portal_patient_id) DO UPDATE SET
           fhir_user = excluded.fhir_user, status = 'active', status_reason = NULL,
           granted_scopes = excluded.granted_scopes, access_expires_at = excluded.access_expires_at,
           refresh_expires_at = excluded.refresh_expires_at, token_endpoint = excluded.token_endpoint,
           revocation_endpoint = excluded.revocation_endpoint, introspection_endpoint = excluded.introspection_endpoint,
           has_refresh_token = excluded.has_refresh_token, updated_at = now()
         RETURNING id, (xmax = 0) AS created`,
        [
          grant.accountId,
          grant.portalId,
          grant.portalPatientId,
          grant.fhirUser,
          grant.tokens.scope ?? '',
          grant.accessExpiresAt,
          grant.refreshExpiresAt,
          grant.endpoints.token,
          grant.endpoints.revocation ?? null,
          grant.endpoints.introspection ?? null,
          Boolean(grant.tokens.refresh_token),
        ],
      );
      const { id, created } = rows[0];
      // Sealed with the link id as context, which exists only after the insert.
      await db.query('UPDATE links SET tokens_enc = $2 WHERE id = $1', [id, box.sealJson(storedTokensOf(grant.tokens), tokenContext(id))]);
      return { link: (await find('l.id = $1', [id]))!, created };
    },

    listForAccount: async (accountId: string): Promise<Link[]> => {
      const { rows } = await db.query<LinkRow>(`${SELECT_LINK} WHERE l.account_id = $1 AND l.status <> 'unlinked' ORDER BY l.created_at`, [accountId]);
      return rows.map(toLink);
    },

    /** The link if it belongs to this account (unlinked ones included only when asked). */
    findForAccount: (linkId: string, accountId: string, { includeUnlinked = false } = {}) =>
      find(`l.id = $1 AND l.account_id = $2 ${includeUnlinked ? '' : "AND l.status <> 'unlinked'"}`, [linkId, accountId]),

    findById: (linkId: string) => find('l.id = $1', [linkId]),

    async tokens(linkId: string): Promise<StoredTokens | null> {
      const { rows } = await db.query<{ tokens_enc: string | null }>('SELECT tokens_enc FROM links WHERE id = $1', [linkId]);
      const sealed = rows[0]?.tokens_enc;
      return sealed ? box.openJson<StoredTokens>(sealed, tokenContext(linkId)) : null;
    },

    // Status transitions. Every change of a link's status or sync state goes through one of
    // these, so what a patient sees of a link is written in one place.

    /** A refresh was refused for good, or the portal no longer accepts the token: the patient must link again. */
    async markNeedsRelink(linkId: string, reason: string): Promise<void> {
      await db.query(`UPDATE links SET status = 'needs-relink', status_reason = $2, updated_at = now() WHERE id = $1 AND status <> 'unlinked'`, [linkId, reason]);
    },

    /** Something only the deployment admin can mend (e.g. our client registration was refused). */
    async markError(linkId: string, reason: string): Promise<void> {
      await db.query(`UPDATE links SET status = 'error', status_reason = $2, updated_at = now() WHERE id = $1 AND status <> 'unlinked'`, [linkId, reason]);
    },

    /** A sync was queued: the patient sees "waiting to start" until a worker takes it. */
    async markSyncQueued(linkId: string): Promise<void> {
      await db.query(`UPDATE links SET last_sync_state = 'queued' WHERE id = $1 AND last_sync_state IS DISTINCT FROM 'running'`, [linkId]);
    },

    /**
     * Takes the link's sync for this job (one sync at a time per link, whichever worker or
     * schedule started it); the same job may take it again, and a claim older than `minutes` lapses.
     */
    async claimSync(linkId: string, jobId: string, minutes: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE links SET sync_claimed_by = $2, sync_claimed_until = now() + make_interval(mins => $3)
          WHERE id = $1 AND (sync_claimed_by IS NULL OR sync_claimed_by = $2 OR sync_claimed_until < now())`,
        [linkId, jobId, minutes],
      );
      return rowCount === 1;
    },

    async releaseSync(linkId: string, jobId: string): Promise<void> {
      await db.query('UPDATE links SET sync_claimed_by = NULL, sync_claimed_until = NULL WHERE id = $1 AND sync_claimed_by = $2', [linkId, jobId]);
    },

    async markSyncRunning(linkId: string, startedAt: Date): Promise<void> {
      await db.query(
        `UPDATE links SET status = 'syncing', last_sync_started_at = $2, last_sync_state = 'running', updated_at = now() WHERE id = $1 AND status <> 'unlinked'`,
        [linkId, startedAt],
      );
    },

    /**
     * The run stored every record. `incomplete`: some attachments could not be fetched (they stay
     * pending and the next sync tries again); the link stays usable and says so.
     */
    async markSyncFinished(linkId: string, outcome: { state: 'succeeded' | 'incomplete'; startedAt: Date; fullPass: boolean; reason?: string | null }): Promise<void> {
      await db.query(
        `UPDATE links SET status = 'active', status_reason = $5, last_sync_finished_at = now(), last_sync_state = $4,
                last_successful_sync_started_at = $2, last_full_sync_started_at = CASE WHEN $3 THEN $2 ELSE last_full_sync_started_at END,
                updated_at = now()
          WHERE id = $1 AND status <> 'unlinked'`,
        [linkId, outcome.startedAt, outcome.fullPass, outcome.state, outcome.reason ?? null],
      );
    },

    /** The run gave up; a needs-relink (or unlinked) status already set stays, anything else shows as error. */
    async markSyncFailed(linkId: string, reason: string): Promise<void> {
      await db.query(
        `UPDATE links SET status = CASE WHEN status IN ('needs-relink', 'unlinked') THEN status ELSE 'error' END,
                status_reason = CASE WHEN status IN ('needs-relink', 'unlinked') THEN status_reason ELSE $2 END,
                last_sync_finished_at = now(), last_sync_state = 'failed', updated_at = now()
          WHERE id = $1`,
        [linkId, reason],
      );
    },

    /**
     * New tokens from a refresh, inside the caller's transaction (which holds the row lock). A
     * link in error because refreshing failed works again.
     */
    async saveRefreshedTokens(
      tx: Queryable,
      linkId: string,
      refreshed: { tokens: StoredTokens; accessExpiresAt: Date | null; scope: string | null },
    ): Promise<void> {
      await tx.query(
        `UPDATE links SET tokens_enc = $2, access_expires_at = $3, last_refreshed_at = now(),
                granted_scopes = COALESCE($4, granted_scopes), has_refresh_token = true,
                status = CASE WHEN status = 'error' THEN 'active' ELSE status END, updated_at = now()
          WHERE id = $1`,
        [linkId, box.sealJson(refreshed.tokens, tokenContext(linkId)), refreshed.accessExpiresAt, refreshed.scope],
      );
    },

    async setRefreshExpiry(linkId: string, expiresAt: Date): Promise<void> {
      await db.query('UPDATE links SET refresh_expires_at = $2 WHERE id = $1', [linkId, expiresAt]);
    },

    /** Forgets the tokens; the row stays as the source of the records that are kept. */
    async markUnlinked(linkId: string): Promise<void> {
      await db.query(
        `UPDATE links SET status = 'unlinked', status_reason = NULL, tokens_enc = NULL, has_refresh_token = false,
                access_expires_at = NULL, refresh_expires_at = NULL, updated_at = now() WHERE id = $1`,
        [linkId],
      );
    },

    async delete(linkId: string): Promise<void> {
      await db.query('DELETE FROM links WHERE id = $1', [linkId]);
    },
  };
}

export type LinkRepository = ReturnType<typeof createLinkRepository>;

/** Links per status across the deployment (the carebinder_links gauge), unlinked ones included. */
export async function countLinksByStatus(db: Queryable): Promise<Array<{ status: LinkStatus; count: number }>> {
  const { rows } = await db.query<{ status: LinkStatus; count: string }>('SELECT status, count(*) AS count FROM links GROUP BY status');
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
}
