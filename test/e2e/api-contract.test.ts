// The API contract (src/api) holds for real answers: the demo patient linked to both sandbox
// hospitals through the real SMART flow, synced by the workers, with one upload beside; then
// every GET route's answer is parsed with its schema. A field the schema does not declare fails
// too (the parsed answer must equal the answer), and so does a GET route this test does not read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Sandbox } from '../../sandbox/server.js';
import * as api from '../../src/api/index.js';
import { deriveUnsubscribeKey, unsubscribeToken } from '../../src/notices/unsubscribe.js';
import { CATEGORY_IDS } from '../../src/records/categories.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { waitForSync } from '../helpers/sync.js';
import { startTestWorkers } from '../helpers/workers.js';
import { uploadAndWait } from '../integration/uploads-helpers.js';

/** GET routes whose answer is not a JSON document of the API, and what is checked of them instead. */
const NOT_JSON = new Set(['/api/documents/{id}', '/api/record/export.zip', '/api/record/binder.pdf', '/api/requests/{id}/letter.pdf', '/api/shl/files/{token}', '/api/notifications/unsubscribe', '/smart/callback']);

let t: TestApp;
let sandbox: Sandbox;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
let cookie: string;
let accountId: string;
/** The sandbox hospitals' portal ids, as registered for this file. */
let sandboxPortals: string[];
const prefix = uniquePrefix('contract');
/** Each GET route (OpenAPI path) the test read, with how many answers it checked. */
const read = new Map<string, number>();

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: prefix });
  const portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('c').slice(-8));
  sandboxPortals = Object.values(portals);
  workers = await startTestWorkers(prefix);
  ({ cookie, accountId } = await signedInPatient(t.app));
  for (const hospital of ['northside', 'riverside']) await linkPortal(t.app, cookie, portals[hospital], DEMO_LOGIN);
  const links = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie } })).json<{ links: Array<{ id: string }> }>().links;
  for (const link of links) expect((await waitForSync(t.app, cookie, link.id)).state).toBe('succeeded');
  const uploaded = await uploadAndWait(t.app, cookie, { name: 'clinic-letter.txt', content: 'Clinic letter\n\nSeen in clinic after the third cycle; no new concerns.\n', contentType: 'text/plain' });
  expect(uploaded.state).toBe('done');
  const entry = await t.app.inject({
    method: 'POST',
    url: '/api/entries',
    headers: { cookie },
    payload: { resourceType: 'MedicationStatement', medicationCodeableConcept: { text: 'Vitamin D3' }, dosage: [{ text: '1000 IU once a day' }] },
  });
  expect(entry.statusCode, entry.body).toBe(201);
}, 180_000);
afterAll(async () => {
  await workers?.close();
  await t?.close();
  await sandbox?.close();
});

/** GETs `url` (the route's OpenAPI path in `route`), expects 200 and parses the body with `schema`. */
async function answer<S extends z.ZodType>(route: string, url: string, schema: S): Promise<z.infer<S>> {
  const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
  expect(response.headers['content-type'], url).toMatch(/^application\/(fhir\+)?json/);
  const body: unknown = response.json();
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`${url} does not answer as the contract says:\n${z.prettifyError(parsed.error)}`);
  // Objects drop what their schema does not declare: an undeclared field makes the two differ.
  expect(parsed.data, `${url}: fields the contract does not declare`).toEqual(body);
  read.set(route, (read.get(route) ?? 0) + 1);
  return parsed.data;
}

describe('the API contract against real answers', () => {
  it('holds for the account, the portal catalog, the links and their syncs', async () => {
    await answer('/api/me', '/api/me', api.Account);
    const { portals } = await answer('/api/portals', '/api/portals', api.PortalList);
    expect(portals.length).toBeGreaterThanOrEqual(2);
    const { links } = await answer('/api/links', '/api/links', api.LinkList);
    expect(links.length).toBeGreaterThanOrEqual(2);
    const syncStates = new Map<string, string>();
    for (const link of links) {
      await answer('/api/links/{id}', `/api/links/${link.id}`, api.Link);
      syncStates.set(link.portal.id, (await answer('/api/links/{id}/sync', `/api/links/${link.id}/sync`, api.SyncStatus)).state);
    }
    expect(sandboxPortals.map((portal) => syncStates.get(portal))).toEqual(['succeeded', 'succeeded']);
    const { uploads } = await answer('/api/uploads', '/api/uploads', api.UploadList);
    expect(uploads).toHaveLength(1);
    await answer('/api/uploads/{id}', `/api/uploads/${uploads[0].id}`, api.Upload);
    const { entries } = await answer('/api/entries', '/api/entries', api.EntryList);
    expect(entries).toHaveLength(1);
    await answer('/api/entries/{id}', `/api/entries/${entries[0].id}`, api.Entry);
  });

  it('holds for the binder, every page of every category, every record and every document', async () => {
    const binder = await answer('/api/record', '/api/record', api.Binder);
    expect(binder.categories.map((c) => c.id)).toEqual([...CATEGORY_IDS]);
    // The demo data fills the summary, so its shapes are checked on real lines, not on empty lists.
    expect(binder.treatmentSummary.medicines.length).toBeGreaterThan(0);
    expect(binder.treatmentSummary.radiation.length).toBeGreaterThan(0);
    expect(binder.sideEffects.length).toBeGreaterThan(0);
    expect(binder.sideEffects.some((effect) => effect.linkedTreatments.length > 0)).toBe(true);
    const filtered = await answer('/api/record', `/api/record?portal=${encodeURIComponent(binder.portals[0].id)}&from=2000-01-01&category=vaccines,health-history-tests`, api.Binder);
    expect(filtered.categories.map((c) => c.id)).toEqual(['vaccines', 'health-history-tests']);

    const items = new Map<string, api.Item>();
    for (const category of CATEGORY_IDS) {
      let url: string | null = `/api/record/${category}?limit=7`;
      let pages = 0;
      while (url) {
        const page: api.CategoryPage = await answer('/api/record/{category}', url, api.CategoryPage);
        for (const item of page.items) items.set(item.id, item);
        pages += 1;
        url = page.next ? `/api/record/${category}?limit=7&cursor=${encodeURIComponent(page.next)}` : null;
      }
      expect(pages, category).toBeGreaterThan(0);
    }
    const all = [...items.values()];
    expect(all.some((item) => item.value !== null), 'some item has a result value').toBe(true);
    expect(all.some((item) => item.dose !== null), 'some item has a dose').toBe(true);
    expect(all.some((item) => item.value?.referenceRange !== undefined), 'some result has a reference range').toBe(true);

    for (const item of all) await answer('/api/resources/{id}', `/api/resources/${item.id}`, api.ResourceDetail);

    const documents = all.flatMap((item) => item.documents);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const response = await t.app.inject({ method: 'GET', url: document.url, headers: { cookie } });
      expect(response.statusCode, document.url).toBe(200);
      expect(response.rawPayload.length, document.url).toBeGreaterThan(0);
      read.set('/api/documents/{id}', (read.get('/api/documents/{id}') ?? 0) + 1);
    }
  });

  it('holds for the exports (JSON Bundles; the zip and the PDF are files) and the health probes', async () => {
    const bundle = await answer('/api/record/export.json', '/api/record/export.json', api.ExportBundle);
    expect(bundle.entry.length).toBeGreaterThan(0);
    await answer('/api/record/ips.json', '/api/record/ips.json', api.IpsBundle);
    const sizes = await answer('/api/record/exports', '/api/record/exports', api.ExportSizes);
    expect(sizes.records).toBeGreaterThan(0);
    const zip = await t.app.inject({ method: 'GET', url: '/api/record/export.zip', headers: { cookie } });
    expect(zip.statusCode).toBe(200);
    expect(zip.rawPayload.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    read.set('/api/record/export.zip', 1);
    const pdf = await t.app.inject({ method: 'GET', url: '/api/record/binder.pdf', headers: { cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    read.set('/api/record/binder.pdf', 1);
    await answer('/health/live', '/health/live', api.Live);
    await answer('/health/ready', '/health/ready', api.Ready);
  });

  it('holds for the audit trail, the notice preferences and the unsubscribe page', async () => {
    const events: api.AuditEvent[] = [];
    let url: string | null = '/api/audit';
    while (url) {
      const trail: api.AuditPage = await answer('/api/audit', url, api.AuditPage);
      events.push(...trail.events);
      url = trail.next ? `/api/audit?cursor=${encodeURIComponent(trail.next)}` : null;
    }
    // Linking both hospitals through the real SMART flow is in the trail, by link id.
    expect(events.filter((event) => event.action === 'link.create').map((event) => event.target)).toEqual([expect.stringMatching(/^link:/), expect.stringMatching(/^link:/)]);
    expect(events.filter((event) => event.action === 'resource.read').length).toBeGreaterThan(10);
    await answer('/api/me/notifications', '/api/me/notifications', api.NotificationSettings);
    const token = unsubscribeToken(deriveUnsubscribeKey(t.config.secretKey), accountId, 'weekly-digest');
    const page = await t.app.inject({ method: 'GET', url: `/api/notifications/unsubscribe?token=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    read.set('/api/notifications/unsubscribe', 1);
  });

  it("holds for what is missing, the patient's details and records requests (the letter is a PDF)", async () => {
    const checklist = await answer('/api/checklist', '/api/checklist', api.Checklist);
    expect(checklist.categories).toHaveLength(CATEGORY_IDS.length);
    await answer('/api/me/details', '/api/me/details', api.PatientDetails);
    const gapIds = checklist.gaps.slice(0, 2).map((gap) => gap.id);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/requests',
      headers: { cookie },
      payload: { organization: { name: 'Northside Hospital' }, categories: ['vaccines'], gapIds, from: '2020-01-01' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = api.RecordsRequestCreated.parse(created.json());
    await t.app.inject({ method: 'PATCH', url: `/api/requests/${id}`, headers: { cookie }, payload: { status: 'sent' } });
    await answer('/api/requests', '/api/requests', api.RecordsRequestList);
    await answer('/api/requests/{id}', `/api/requests/${id}`, api.RecordsRequest);
    const letter = await t.app.inject({ method: 'GET', url: `/api/requests/${id}/letter.pdf`, headers: { cookie } });
    expect(letter.statusCode).toBe(200);
    expect(letter.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    read.set('/api/requests/{id}/letter.pdf', 1);
  });

  it('holds for shared links (SMART Health Links): the list, one share with its log, the manifest; a file is a JWE', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: { cookie },
      payload: { label: 'Contract', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), contents: ['ips'] },
    });
    expect(created.statusCode).toBe(201);
    const share = api.ShareCreated.parse(created.json());
    const url = JSON.parse(Buffer.from(share.link.slice('shlink:/'.length), 'base64url').toString()) .url as string;
    const manifest = await t.app.inject({ method: 'POST', url: new URL(url).pathname, payload: { recipient: 'contract test' } });
    const files = api.ShlManifest.parse(manifest.json()).files;
    const file = await t.app.inject({ method: 'GET', url: new URL(files[0].location!).pathname });
    expect(file.statusCode).toBe(200);
    expect(file.body.split('.')).toHaveLength(5);
    read.set('/api/shl/files/{token}', 1);
    const { shares } = await answer('/api/shares', '/api/shares', api.ShareList);
    expect(shares).toHaveLength(1);
    const detail = await answer('/api/shares/{id}', `/api/shares/${share.id}`, api.ShareDetail);
    expect(detail.accesses).toHaveLength(1);
  });

  it('answers errors as problem documents', async () => {
    for (const [url, status, headers] of [
      ['/api/record', 401, {}],
      ['/api/links/00000000-0000-4000-8000-000000000000', 404, { cookie }],
      ['/api/links/not-a-uuid', 400, { cookie }],
      ['/api/record/vaccines?limit=0', 400, { cookie }],
    ] as const) {
      const response = await t.app.inject({ method: 'GET', url, headers });
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type'], url).toContain('application/problem+json');
      expect(api.Problem.parse(response.json()).status, url).toBe(status);
    }
  });

  it('has read every GET route the API documents', () => {
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths)
      .filter(([path, operations]) => 'get' in operations && (path.startsWith('/api/') || path.startsWith('/health/') || path.startsWith('/smart/')))
      .map(([path]) => path)
      .sort();
    expect(routes.length).toBeGreaterThan(10);
    // A new GET route needs its answer's schema in src/api and a read above.
    const unread = routes.filter((route) => !read.has(route) && route !== '/smart/callback');
    expect(unread).toEqual([]);
    for (const route of NOT_JSON) expect(routes, route).toContain(route);
  });
});
