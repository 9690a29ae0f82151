// Drives a sandbox hospital the way an unrelated SMART client and a browser would: plain fetch,
// reading the HTML forms' action and hidden inputs. Nothing here comes from carebinder's own code.
import { createHash, randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox, type SandboxConfig, type SandboxHospital } from '../../sandbox/server.js';

export const DEMO_CLIENT = 'carebinder-demo';
/** A loopback redirect nobody listens on: the tests read the Location header instead of following it. */
export const REDIRECT_URI = 'http://127.0.0.1:53117/callback';
export const ALL_READ = 'launch/patient openid fhirUser offline_access patient/*.rs';

export function startTestSandbox(config?: SandboxConfig): Promise<Sandbox> {
  return startSandbox({ ephemeralPorts: true, ...(config ? { config } : {}) });
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOptions {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly scope?: string;
  readonly state?: string;
  readonly aud?: string;
  readonly pkce?: Pkce;
  /** Extra or overriding query parameters; `undefined` removes one. */
  readonly params?: Record<string, string | undefined>;
}

export function authorizeUrl(hospital: SandboxHospital, smart: SmartConfiguration, options: AuthorizeOptions = {}): URL {
  const url = new URL(smart.authorization_endpoint);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: options.clientId ?? DEMO_CLIENT,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    scope: options.scope ?? ALL_READ,
    state: options.state ?? 'state-123',
    aud: options.aud ?? hospital.fhirBaseUrl,
    code_challenge: (options.pkce ?? pkce()).challenge,
    code_challenge_method: 'S256',
    ...options.params,
  };
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

export interface SmartConfiguration {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly revocation_endpoint: string;
  readonly introspection_endpoint: string;
  readonly jwks_uri: string;
  readonly capabilities: string[];
  readonly code_challenge_methods_supported: string[];
  readonly [key: string]: unknown;
}

export async function discover(hospital: SandboxHospital): Promise<SmartConfiguration> {
  const response = await fetch(`${hospital.fhirBaseUrl}/.well-known/smart-configuration`);
  if (!response.ok) throw new Error(`discovery failed: ${response.status}`);
  return (await response.json()) as SmartConfiguration;
}

export interface HtmlForm {
  readonly action: URL;
  readonly fields: Record<string, string>;
}

/** Reads the first form of a page as a browser would: its action and its hidden inputs. */
export function readForm(html: string, pageUrl: string): HtmlForm {
  const action = /<form[^>]*\baction="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the page:\n${html}`);
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = input[0];
    if (!/type="hidden"/i.test(tag)) continue;
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (name !== undefined) fields[name] = decodeEntities(value);
  }
  return { action: new URL(decodeEntities(action), pageUrl), fields };
}

export async function postForm(form: HtmlForm, extra: Record<string, string>): Promise<Response> {
  return fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...extra }).toString(),
    redirect: 'manual',
  });
}

export interface PortalAnswers {
  readonly username?: string;
  readonly password?: string;
  readonly decision?: 'approve' | 'deny';
}

/** Opens the authorize URL, signs in, answers the consent page; returns where the portal redirects. */
export async function signInAndConsent(url: URL, answers: PortalAnswers = {}): Promise<URL> {
  const signInPage = await fetch(url, { redirect: 'manual' });
  if (signInPage.status !== 200) throw new Error(`authorize answered ${signInPage.status}: ${signInPage.headers.get('location') ?? await signInPage.text()}`);
  const signInForm = readForm(await signInPage.text(), url.toString());
  const consentPage = await postForm(signInForm, { username: answers.username ?? 'jane', password: answers.password ?? 'sandbox' });
  if (consentPage.status !== 200) throw new Error(`sign-in answered ${consentPage.status}`);
  const consentForm = readForm(await consentPage.text(), signInForm.action.toString());
  const decided = await postForm(consentForm, { decision: answers.decision ?? 'approve' });
  const location = decided.headers.get('location');
  if (decided.status !== 302 || location === null) throw new Error(`consent answered ${decided.status}`);
  return new URL(location);
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly patient: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

export async function tokenRequest(smart: SmartConfiguration, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(smart.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

export interface LaunchOptions extends AuthorizeOptions, PortalAnswers {}

/** A complete standalone launch with a public client; returns the token response. */
export async function launch(hospital: SandboxHospital, options: LaunchOptions = {}): Promise<TokenResponse> {
  const smart = await discover(hospital);
  const challenge = options.pkce ?? pkce();
  const redirect = await signInAndConsent(authorizeUrl(hospital, smart, { ...options, pkce: challenge }), options);
  const code = redirect.searchParams.get('code');
  if (code === null) throw new Error(`no code in ${redirect.toString()}`);
  const response = await tokenRequest(smart, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    code_verifier: challenge.verifier,
    client_id: options.clientId ?? DEMO_CLIENT,
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as TokenResponse;
}

export function fhirGet(urlOrPath: string, hospital: SandboxHospital, accessToken: string | undefined, headers: Record<string, string> = {}): Promise<Response> {
  const url = urlOrPath.startsWith('http') ? urlOrPath : `${hospital.fhirBaseUrl}/${urlOrPath}`;
  return fetch(url, { headers: { accept: 'application/fhir+json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...headers } });
}

/** The parts of resources these tests look at. */
export interface TestResource {
  resourceType: string;
  id: string;
  meta: { versionId: string; lastUpdated: string };
  subject?: { reference: string };
  category?: unknown;
  content?: Array<{ attachment: { url: string; contentType: string } }>;
  valueQuantity?: { value: number; unit?: string };
  performer?: Array<{ reference: string }>;
}

export interface SearchBundle {
  resourceType: 'Bundle';
  type: string;
  total: number;
  link: Array<{ relation: string; url: string }>;
  entry?: Array<{ fullUrl: string; resource: TestResource }>;
}

export async function search(hospital: SandboxHospital, accessToken: string, query: string): Promise<SearchBundle> {
  const response = await fhirGet(query, hospital, accessToken);
  if (!response.ok) throw new Error(`${query} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SearchBundle;
}

/** Follows `next` links to the end; returns every page. */
export async function allPages(hospital: SandboxHospital, accessToken: string, query: string, maxPages = 1000): Promise<SearchBundle[]> {
  const pages: SearchBundle[] = [];
  let url: string | undefined = query;
  while (url !== undefined) {
    if (pages.length >= maxPages) throw new Error(`more than ${maxPages} pages`);
    const page = await search(hospital, accessToken, url);
    pages.push(page);
    url = nextLink(page);
  }
  return pages;
}

export function nextLink(bundle: SearchBundle): string | undefined {
  return bundle.link.find((link) => link.relation === 'next')?.url;
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
