// When a link will lapse: a portal's refresh token has an end, after which carebinder can no
// longer sync without the patient signing in at the portal again. Pure: unit-tested in Node.
import { formatDate, formatRelative } from './format.js';
import type { Link } from './types.js';

export const WARN_WITHIN_DAYS = 14;
const DAY_MS = 86_400_000;

export interface ExpiryWarning {
  /** Lapsed already, or lapsing within the warning window. */
  kind: 'expired' | 'expiring';
  /** Which token ends: the refresh token, or (without one) the access token. */
  token: 'refresh' | 'access';
  expiresAt: string;
  message: string;
}

type ExpiryFacts = Pick<Link, 'status' | 'hasRefreshToken' | 'refreshTokenExpiresAt' | 'accessTokenExpiresAt'> & {
  portal: { name: string };
};

/**
 * The warning to show for a link, or null. A link that already asks to be linked again
 * (needs-relink) says so itself; a token with no known end gets no warning.
 */
export function linkExpiryWarning(link: ExpiryFacts, now: Date, locale?: string, withinDays = WARN_WITHIN_DAYS): ExpiryWarning | null {
  if (link.status === 'needs-relink') return null;
  const token = link.hasRefreshToken ? 'refresh' : 'access';
  const expiresAt = link.hasRefreshToken ? link.refreshTokenExpiresAt : link.accessTokenExpiresAt;
  if (!expiresAt) return null;
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return null;
  const left = at - now.getTime();
  const name = link.portal.name;
  if (left <= 0) {
    return {
      kind: 'expired',
      token,
      expiresAt,
      message: `Access to ${name} ended ${formatRelative(expiresAt, now, locale)}: carebinder can no longer sync it. Link again to keep your records up to date.`,
    };
  }
  if (left > withinDays * DAY_MS) return null;
  const why = link.hasRefreshToken ? '' : ` ${name} did not allow carebinder to stay signed in.`;
  return {
    kind: 'expiring',
    token,
    expiresAt,
    message: `Access to ${name} ends ${formatRelative(expiresAt, now, locale)} (${formatDate(expiresAt, locale)}).${why} Link again before then to keep your records up to date.`,
  };
}
