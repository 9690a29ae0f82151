// Quick memory check (not a test): `npx tsx sandbox/measure-rss.ts [count]`.
// Generates one patient with `count` resources (default 100,000), signs in through the portal
// forms, pages through every Observation over HTTP and prints RSS after each step.
import { createHash, randomBytes } from 'node:crypto';
import { startSandbox } from './server.js';

const count = Number(process.argv[2] ?? 100_000);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const report = (step: string) => console.log(`${step.padEnd(34)} rss ${mb(process.memoryUsage().rss)}  heap ${mb(process.memoryUsage().heapUsed)}`);

const sandbox = await startSandbox({ ephemeralPorts: true });
const hospital = sandbox.hospital('northside');
report('started (demo data loaded)');

let started = Date.now();
const generated = hospital.admin.generatePatient({ patientId: 'rss-bench', username: 'rss', password: 'rss', count });
report(`generated ${generated.resources} in ${Date.now() - started} ms`);

const accessToken = await signIn(hospital.fhirBaseUrl, 'rss', 'rss');
started = Date.now();
let url: string | undefined = `${hospital.fhirBaseUrl}/Observation?_count=50`;
let seen = 0;
let pages = 0;
while (url) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  const bundle = (await response.json()) as { entry?: unknown[]; link: Array<{ relation: string; url: string }> };
  seen += bundle.entry?.length ?? 0;
  pages += 1;
  url = bundle.link.find((link) => link.relation === 'next')?.url;
}
report(`paged ${seen} Observations / ${pages} pages in ${Date.now() - started} ms`);
console.log(`peak rss ${mb(process.resourceUsage().maxRSS * 1024)}`);
await sandbox.close();

/** The standalone launch as a browser would do it, reduced to what this script needs. */
async function signIn(fhirBase: string, username: string, password: string): Promise<string> {
  const smart = (await (await fetch(`${fhirBase}/.well-known/smart-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:9/callback';
  const authorize = new URL(smart.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'carebinder-demo',
    redirect_uri: redirectUri,
    scope: 'launch/patient patient/*.rs',
    state: 'rss',
    aud: fhirBase,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const post = async (page: Response, fields: Record<string, string>) => {
    const html = await page.text();
    const action = new URL(/action="([^"]+)"/.exec(html)?.[1] ?? '', page.url || authorize);
    const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1] ?? '';
    return fetch(action, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ transaction, ...fields }) });
  };
  const consent = await post(await fetch(authorize), { username, password });
  const code = new URL((await post(consent, { decision: 'approve' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
  const token = await fetch(smart.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: 'carebinder-demo' }),
  });
  return ((await token.json()) as { access_token: string }).access_token;
}
