// The portal sends the browser back to /?link=success&portal=<id> or /?link=error&portal=<id>&reason=<text>.
// Read those flags once, then drop them from the address bar. Pure: unit-tested in Node.

export interface LinkFlash {
  outcome: 'success' | 'error';
  portalId: string | null;
  /** Words from the URL: shown as text, never as markup. */
  reason: string | null;
}

const FLAGS = ['link', 'portal', 'reason'];
const MAX_REASON = 500;

export function readLinkFlash(search: string): { flash: LinkFlash | null; rest: string } {
  const params = new URLSearchParams(search);
  const outcome = params.get('link');
  if (outcome !== 'success' && outcome !== 'error') return { flash: null, rest: search };
  const reason = cleanText(params.get('reason'));
  const portalId = cleanText(params.get('portal'));
  for (const flag of FLAGS) params.delete(flag);
  const rest = params.toString();
  return { flash: { outcome, portalId, reason }, rest: rest ? `?${rest}` : '' };
}

// Control characters and a runaway length would only garble the banner.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

function cleanText(value: string | null): string | null {
  if (value === null) return null;
  const text = value.replace(CONTROL, ' ').trim();
  if (!text) return null;
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** The banner's words, with the portal's name when the catalog knows it. */
export function linkFlashMessage(flash: LinkFlash, portalName: string | null): string {
  const portal = portalName ?? flash.portalId ?? 'the portal';
  if (flash.outcome === 'success') return `Linked ${portal}. carebinder is fetching your records now.`;
  return flash.reason ?? `Linking ${portal} did not work. Nothing was linked.`;
}
