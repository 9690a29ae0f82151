// Keeps a link's access token usable: refreshes shortly before expiry, one refresh in flight
// per link across every process (the link row is locked FOR UPDATE while the portal is asked),
// and saves the rotated refresh token in the same transaction as the new access token.
import type { Pool } from '../db/pool.js';
import { inTransaction } from '../db/pool.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { PortalUnreachableError, PortalResponseError } from '../http/portal-http.js';
import type { PortalRegistry } from './registry.js';
import { tokenContext, type LinkRepository, type StoredTokens } from './links.js';
import { expiryFrom, introspectExpiry, refreshAccessToken, TokenRefusedError } from './tokens.js';

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 2 * 60_000;

/** The link cannot be used until the patient links the portal again. */
export class NeedsRelinkError extends Error {
  override name = 'NeedsRelinkError';
}

/** Refreshing failed for a reason that may pass (network, 5xx, 429): try again later. */
export class RefreshUnavailableError extends Error {
  override name = 'RefreshUnavailableError';
}

interface LockedLink {
  status: string;
  tokens_enc: string | null;
  access_expires_at: Date | null;
  last_refreshed_at: Date | null;
  token_endpoint: string | null;
  portal_id: string;
  client_id: string;
}

export function createTokenKeeper(deps: { pool: Pool; box: SecretBox; registry: PortalRegistry; links: LinkRepository }) {
  const { pool, box, registry, links } = deps;

  const fresh = (expiresAt: Date | null) => expiresAt === null || expiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS;

  /**
   * A usable access token for the link. `afterRejection` is set when the portal just refused
   * the current token (401): refresh unless another process already did since `rejectedAt`.
   */
  async function accessToken(linkId: string, afterRejection?: { rejectedAt: Date }): Promise<string> {
    const link = await links.findById(linkId);
    if (!link || link.status === 'unlinked') throw new NeedsRelinkError('the link no longer exists');
    if (link.status === 'needs-relink') throw new NeedsRelinkError(link.statusReason ?? 'the portal must be linked again');
    const tokens = await links.tokens(linkId);
    if (!tokens) throw new NeedsRelinkError('no tokens are stored for this link');
    if (!afterRejection && fresh(link.accessExpiresAt)) return tokens.access_token;
    return refresh(linkId, afterRejection?.rejectedAt);
  }

  async function refresh(linkId: string, rejectedAt?: Date, force = false): Promise<string> {
    let refusal: TokenRefusedError | NeedsRelinkError | undefined;
    try {
      const refreshed = await inTransaction(pool, async (tx) => {
        const { rows } = await tx.query<LockedLink>(
          `SELECT l.status, l.tokens_enc, l.access_expires_at, l.last_refreshed_at, l.token_endpoint, l.portal_id, p.client_id
             FROM links l JOIN portals p ON p.id = l.portal_id WHERE l.id = $1 FOR UPDATE OF l`,
          [linkId],
        );
        const row = rows[0];
        if (!row?.tokens_enc) throw new NeedsRelinkError('no tokens are stored for this link');
        const current = box.openJson<StoredTokens>(row.tokens_enc, tokenContext(linkId));
        // Another process refreshed while we waited for the lock: use its token.
        const refreshedSince = force
          ? false
          : rejectedAt
            ? row.last_refreshed_at !== null && row.last_refreshed_at > rejectedAt
            : fresh(row.access_expires_at);
        if (refreshedSince) return current.access_token;
        if (!current.refresh_token) throw new NeedsRelinkError('the access token expired and the portal granted no refresh token');
        if (!row.token_endpoint) throw new NeedsRelinkError('the portal token endpoint is unknown');

        const answer = await refreshAccessToken(row.token_endpoint, current.refresh_token, {
          clientId: row.client_id,
          clientSecret: await registry.clientSecret(row.portal_id),
        });
        const next: StoredTokens = {
          access_token: answer.access_token,
          // Rotation: keep the new refresh token; RFC 6749 §6 lets a portal keep the old one valid.
          refresh_token: answer.refresh_token ?? current.refresh_token,
          id_token: answer.id_token ?? current.id_token,
          token_type: answer.token_type,
        };
        await links.saveRefreshedTokens(tx, linkId, { tokens: next, accessExpiresAt: expiryFrom(answer.expires_in), scope: answer.scope ?? null });
        return { accessToken: next.access_token, rotated: answer.refresh_token !== undefined ? next.refresh_token : undefined, clientId: row.client_id, portalId: row.portal_id };
      });
      if (typeof refreshed === 'string') return refreshed;
      if (refreshed.rotated) await recordRefreshExpiry(linkId, refreshed.rotated, refreshed.clientId, refreshed.portalId);
      return refreshed.accessToken;
    } catch (error) {
      if (error instanceof TokenRefusedError || error instanceof NeedsRelinkError) refusal = error;
      else if (error instanceof PortalUnreachableError || error instanceof PortalResponseError) {
        throw new RefreshUnavailableError(`token refresh failed: the portal ${error.message}`, { cause: error });
      } else throw error;
    }
    // Outside the transaction: the refusal is recorded even though the refresh rolled back.
    if (refusal instanceof TokenRefusedError && refusal.error === 'invalid_client') {
      // Our client registration was refused: re-linking will not help; the deployment admin must act.
      const reason = `The portal refused carebinder's client registration (invalid_client). Ask the administrator to check it.`;
      await links.markError(linkId, reason);
      throw new NeedsRelinkError(reason, { cause: refusal });
    }
    const reason =
      refusal instanceof TokenRefusedError
        ? `The portal refused to renew access (${refusal.error}${refusal.description ? `: ${refusal.description}` : ''}). Link it again.`
        : `${refusal.message}. Link it again.`;
    await links.markNeedsRelink(linkId, reason);
    throw new NeedsRelinkError(reason, { cause: refusal });
  }

  /** Refreshes now, whatever the expiry (used by tests and by an admin re-check). */
  /** A rotated refresh token has an expiry of its own: ask the portal (best effort, after the commit). */
  async function recordRefreshExpiry(linkId: string, refreshToken: string, clientId: string, portalId: string): Promise<void> {
    const link = await links.findById(linkId);
    if (!link?.introspectionEndpoint) return;
    const expiresAt = await introspectExpiry(link.introspectionEndpoint, refreshToken, 'refresh_token', { clientId, clientSecret: await registry.clientSecret(portalId) }).catch(() => null);
    if (expiresAt) await links.setRefreshExpiry(linkId, expiresAt);
  }

  return { accessToken, refreshNow: (linkId: string) => refresh(linkId, undefined, true) };
}

export type TokenKeeper = ReturnType<typeof createTokenKeeper>;
