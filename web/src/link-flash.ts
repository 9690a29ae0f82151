// The SMART callback sends the browser back to /?link=success&portal=<id> or
// /?link=error&portal=<id>&reason=<code>. Anyone can write such an address and send it to a
// patient, so the banner shows only words carebinder wrote: each reason code below maps to a
// fixed message; any other reason (free text included) gets the generic one, and the portal is
// named only when the catalog knows its id. Read once, then dropped from the address bar.
// Pure: unit-tested in Node. The codes are the server's (src/portals/link-outcome.ts; a unit
// test keeps the two lists equal).

export interface LinkFlash {
  outcome: 'success' | 'error';
  /** An id to look up in the portal catalog; never shown as it is. */
  portalId: string | null;
  /** A known reason code, or null (none, or one this client does not know). */
  reason: LinkFailureReason | null;
}

type Words = (portal: string) => string;

const MESSAGES = {
  'access-denied': (p) => `You did not allow carebinder to read your records at ${p}. Nothing was linked.`,
  'portal-error': (p) => `${p} reported an error while you were signing in. Nothing was linked. Try again later.`,
  'no-code': (p) => `${p} came back without an authorization code. Nothing was linked.`,
  'issuer-mismatch': (p) =>
    `The answer that came back claimed to be from a different server than the one carebinder sent you to (${p}), so carebinder did not trust it. Nothing was linked. Start linking again from this page.`,
  'issuer-missing': (p) => `${p} did not say which server answered, though it promises to, so carebinder did not trust the answer. Nothing was linked.`,
  'grant-refused': (p) => `${p} refused to finish the sign-in (it may have taken too long). Nothing was linked. Try again.`,
  'client-refused': (p) => `${p} refused carebinder's registration. Nothing was linked. Ask whoever runs this carebinder to check how ${p} is set up.`,
  'portal-refused': (p) => `${p} refused the sign-in. Nothing was linked.`,
  'token-unusable': (p) => `${p} answered the sign-in with something carebinder cannot use. Nothing was linked.`,
  'no-patient': (p) => `${p} did not say which patient's records were shared. Nothing was linked.`,
  'portal-unreachable': (p) => `${p} could not be reached to finish signing in. Nothing was linked. Try again later.`,
  stale: () => 'That sign-in address is old or was not started here, so carebinder ignored it. Nothing was linked. Your portals are listed below.',
  expired: (p) => `The sign-in at ${p} took longer than 10 minutes, so carebinder stopped waiting. Nothing was linked. Press Link to start again.`,
  replayed: (p) => `That sign-in at ${p} was already used (the page was reloaded or opened twice), so carebinder did not use it again. Nothing was linked. If the first try worked, the portal is listed below.`,
  'signed-out': () => 'You were signed out of carebinder while signing in at the portal. Nothing was linked. Sign in, then link the portal again.',
  'other-account': () => 'That portal sign-in was started from another carebinder account. Nothing was linked.',
  'portal-removed': () => 'That portal was removed from carebinder while you were signing in. Nothing was linked.',
  'bad-callback': () => 'The portal sent you back with an address carebinder cannot read. Nothing was linked. Press Link to try again.',
  failed: (p) => `Linking ${p} did not work. Nothing was linked.`,
} as const satisfies Record<string, Words>;

export type LinkFailureReason = keyof typeof MESSAGES;

/** The reason codes this client can word (kept equal to the server's list by a unit test). */
export const KNOWN_REASONS = Object.keys(MESSAGES) as LinkFailureReason[];

const isKnownReason = (value: string | null): value is LinkFailureReason => value !== null && Object.hasOwn(MESSAGES, value);

const FLAGS = ['link', 'portal', 'reason'];
/** Portal ids as the registry allows them (src/portals/registry.ts). */
const PORTAL_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function readLinkFlash(search: string): { flash: LinkFlash | null; rest: string } {
  const params = new URLSearchParams(search);
  const outcome = params.get('link');
  if (outcome !== 'success' && outcome !== 'error') return { flash: null, rest: search };
  const reason = params.get('reason');
  const portal = params.get('portal');
  for (const flag of FLAGS) params.delete(flag);
  const rest = params.toString();
  return {
    flash: { outcome, portalId: portal !== null && PORTAL_ID.test(portal) ? portal : null, reason: outcome === 'error' && isKnownReason(reason) ? reason : null },
    rest: rest ? `?${rest}` : '',
  };
}

/**
 * Whether to show the banner at all: a success is announced only for a portal the patient has a
 * link to, so a forged "?link=success" names nothing that did not happen.
 */
export function shouldShowLinkFlash(flash: LinkFlash, linkedPortalIds: readonly string[]): boolean {
  return flash.outcome === 'error' || (flash.portalId !== null && linkedPortalIds.includes(flash.portalId));
}

/** The banner's words: carebinder's own, with the portal's name only when the catalog knows the id. */
export function linkFlashMessage(flash: LinkFlash, portalName: string | null): string {
  const portal = portalName ?? 'the portal';
  if (flash.outcome === 'success') return `Linked ${portal}. carebinder is fetching your records now.`;
  return MESSAGES[flash.reason ?? 'failed'](portal);
}
