// Drives a portal's sign-in and consent pages the way a browser does: reads each HTML form's
// action and hidden fields, fills it in, posts it as application/x-www-form-urlencoded, and
// follows the redirects until the portal sends the browser back to carebinder.

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return match ? decodeEntities(match[2] ?? match[3] ?? '') : undefined;
}

export interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  buttons: Array<{ name: string; value: string }>;
}

export function parseForm(html: string, pageUrl: string): HtmlForm {
  const formTag = /<form\b[^>]*>/i.exec(html)?.[0];
  if (!formTag) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 300)}`);
  const body = html.slice(html.indexOf(formTag), html.indexOf('</form>', html.indexOf(formTag)));
  const fields: Record<string, string> = {};
  for (const input of body.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (name && (attribute(input, 'type') ?? 'text') === 'hidden') fields[name] = attribute(input, 'value') ?? '';
  }
  const buttons = (body.match(/<button\b[^>]*>/gi) ?? [])
    .map((b) => ({ name: attribute(b, 'name') ?? '', value: attribute(b, 'value') ?? '' }))
    .filter((b) => b.name);
  return { action: new URL(attribute(formTag, 'action') ?? pageUrl, pageUrl).toString(), method: (attribute(formTag, 'method') ?? 'get').toLowerCase(), fields, buttons };
}

async function post(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields), redirect: 'manual' });
}

/**
 * Opens the authorize URL, signs in and answers the consent page. Returns the URL the portal
 * redirects the browser to (carebinder's callback with code/state or error).
 */
export async function signInAtPortal(authorizeUrl: string, login: { username: string; password: string }, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
  const signInPage = await fetch(authorizeUrl, { redirect: 'manual' });
  if (signInPage.status !== 200) throw new Error(`authorize answered ${signInPage.status}: ${await signInPage.text()}`);
  const signIn = parseForm(await signInPage.text(), authorizeUrl);
  const consentPage = await post(signIn.action, { ...signIn.fields, username: login.username, password: login.password });
  if (consentPage.status !== 200) throw new Error(`sign-in answered ${consentPage.status}: ${await consentPage.text()}`);
  const consent = parseForm(await consentPage.text(), signIn.action);
  const answer = await post(consent.action, { ...consent.fields, decision });
  const location = answer.headers.get('location');
  if (answer.status < 300 || answer.status >= 400 || !location) throw new Error(`consent answered ${answer.status}: ${await answer.text()}`);
  return new URL(location, consent.action);
}
