// How the SMART callback tells the web client what happened: `/?link=success&portal=<id>` or
// `/?link=error&portal=<id>&reason=<code>`. The address bar is attacker-writable (anyone can send
// a patient a link to carebinder's own origin), so it carries only a code from this fixed list;
// the web client words each code itself (web/src/link-flash.ts) and ignores anything else.
// Details (the portal's own error text) go to the log, never into the URL.

export const LINK_FAILURE_REASONS = [
  /** The patient said no at the portal's consent page. */
  'access-denied',
  /** The portal's authorization endpoint answered with another OAuth error. */
  'portal-error',
  /** The portal came back with neither a code nor an error. */
  'no-code',
  /** RFC 9207: the response named another server as its issuer. */
  'issuer-mismatch',
  /** RFC 9207: the server promised `iss` in its responses and sent none. */
  'issuer-missing',
  /** The token endpoint refused the code (invalid_grant: expired, used, or PKCE mismatch). */
  'grant-refused',
  /** The token endpoint refused carebinder's client registration (invalid_client, unauthorized_client). */
  'client-refused',
  /** The token endpoint refused for another reason. */
  'portal-refused',
  /** The token response could not be used (malformed, not Bearer). */
  'token-unusable',
  /** The token response named no patient. */
  'no-patient',
  /** The portal could not be reached to exchange the code. */
  'portal-unreachable',
  /** The callback carried no state, or one carebinder never issued (a stale or forged address). */
  'stale',
  /** The sign-in attempt is older than its 10 minutes. */
  'expired',
  /** The sign-in attempt was already used (a reload or the Back button replayed the callback). */
  'replayed',
  /** The browser is not signed in to carebinder (the session ended while at the portal). */
  'signed-out',
  /** The attempt was started by another carebinder account than the one signed in. */
  'other-account',
  /** The portal was removed from carebinder while the patient was signing in. */
  'portal-removed',
  /** The callback's address is malformed (a parameter too long or repeated). */
  'bad-callback',
  /** Anything else. */
  'failed',
] as const;

export type LinkFailureReason = (typeof LINK_FAILURE_REASONS)[number];

/** The address the browser is sent back to; only ids and codes, never words. No portal id when the attempt is unknown. */
export function linkOutcomePath(portalId: string | null, outcome: { ok: true } | { ok: false; reason: LinkFailureReason }): string {
  const query = new URLSearchParams({ link: outcome.ok ? 'success' : 'error' });
  if (portalId !== null) query.set('portal', portalId);
  if (!outcome.ok) query.set('reason', outcome.reason);
  return `/?${query}`;
}

/** The reason code for a token endpoint's OAuth error (RFC 6749 §5.2). */
export function reasonForTokenError(error: string): LinkFailureReason {
  switch (error) {
    case 'invalid_grant':
      return 'grant-refused';
    case 'invalid_client':
    case 'unauthorized_client':
      return 'client-refused';
    default:
      return 'portal-refused';
  }
}
