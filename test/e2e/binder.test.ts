// The demo patient's binder, read through the API after linking and syncing both sandbox
// hospitals: every category filled from the right hospitals, duplicates once with both
// sources, the treatment summary and side effects, paging, ETags, documents and the export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/server.js';
import { CATEGORY_IDS } from '../../src/records/categories.js';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { linkPortal } from '../helpers/linking.js';
import { DEMO_LOGIN, registerSandboxPortals, startTestSandbox } from '../helpers/sandbox.js';
import { uniquePrefix } from '../helpers/services.js';
import { waitForSync } from '../helpers/sync.js';
import { startTestWorkers } from '../helpers/workers.js';

interface Item {
  id: string;
  resourceType: string;
  title: string;
  date: string | null;
  sources: Array<{ portalId: string }>;
  documents: Array<{ id: string; url: string; contentType: string | null }>;
  status: string | null;
  value?: { value: number | string; unit?: string; display?: string; referenceRange?: unknown };
  dose?: { amount?: number; unit?: string; display?: string; frequency?: string };
  parts?: Array<{ id: string; resourceType: string; title: string; date: string | null; status: string | null; sources: Array<{ portalId: string }> }>;
  partCount?: number;
  study?: { modalities: string[]; series: number | null; instances: number | null };
  conclusion?: string;
}
interface Category {
  id: string;
  title: string;
  description: string;
  count: number;
  items: Item[];
  next: string | null;
}
interface Record {
  categories: Category[];
  treatmentSummary: {
    medicines: Array<{
      ingredient: string;
      administrations: number;
      portals: string[];
      regimen: string;
      doses: unknown[];
      doseText: string | null;
      since: string | null;
      lastDate: string | null;
      evidence: { [figure: string]: string[] };
    }>;
    radiation: Array<{ totalDoseGy?: number; fractions?: number; modality: string | null; site: string | null; startDate: string | null; evidence: { [figure: string]: string[] } }>;
  };
  sideEffects: Array<{ what: string; continuedAfterTreatment: string; linkedTreatments: Array<{ name: string }> }>;
  portals: Array<{ id: string }>;
}

let t: TestApp;
let sandbox: Sandbox;
let portals: { [hospital: string]: string };
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
let patient: { cookie: string; accountId: string };
let binder: Record;
const prefix = uniquePrefix('binder');

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await buildTestApp({ queuePrefix: prefix });
  portals = await registerSandboxPortals(t.pool, sandbox, uniquePrefix('b').slice(-8));
  workers = await startTestWorkers(prefix);
  patient = await signedInPatient(t.app);
  for (const hospital of ['northside', 'riverside']) {
    await linkPortal(t.app, patient.cookie, portals[hospital], DEMO_LOGIN);
  }
  const links = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string }> }>().links;
  for (const link of links) expect((await waitForSync(t.app, patient.cookie, link.id)).state).toBe('succeeded');
  binder = (await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie } })).json<Record>();
}, 120_000);
afterAll(async () => {
  await workers?.close();
  await t?.close();
  await sandbox?.close();
});

const category = (id: string) => binder.categories.find((c) => c.id === id)!;
const fromPortals = (item: Item) => item.sources.map((s) => s.portalId).sort();

describe('the binder', () => {
  it("lists the leaflet's 11 categories in order, each with the demo patient's records", () => {
    expect(binder.categories.map((c) => c.id)).toEqual([...CATEGORY_IDS]);
    for (const c of binder.categories) {
      expect(c.title.length).toBeGreaterThan(3);
      expect(c.description.length).toBeGreaterThan(3);
      expect(c.count, c.id).toBeGreaterThan(0);
      expect(c.items.length).toBe(Math.min(20, c.count));
    }
  });

  it('files records from the right hospitals', () => {
    const northside = portals.northside;
    const riverside = portals.riverside;
    expect(category('operation-reports').items.every((i) => fromPortals(i).includes(northside))).toBe(true);
    expect(category('radiation-treatment-summary').items.every((i) => fromPortals(i).includes(riverside))).toBe(true);
    expect(category('discharge-summaries').items.some((i) => fromPortals(i).includes(northside))).toBe(true);
    expect(category('imaging-results').items.some((i) => fromPortals(i).includes(riverside))).toBe(true);
  });

  it('shows the same fact from both hospitals once, with both sources', () => {
    const both = [portals.northside, portals.riverside].sort();
    const vaccines = category('vaccines').items;
    expect(vaccines.filter((i) => fromPortals(i).join() === both.join()).length).toBeGreaterThanOrEqual(1);
    const pathology = category('pathology-reports').items;
    expect(pathology.some((i) => fromPortals(i).join() === both.join())).toBe(true);
    const ids = binder.categories.flatMap((c) => c.items.map((i) => `${c.id}/${i.id}`));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows dose and frequency for medicines, and value, unit and range for results', () => {
    const medicines = category('medicines-and-supplements').items;
    expect(medicines.some((i) => i.dose?.amount !== undefined && i.dose.frequency)).toBe(true);
    const tests = category('health-history-tests').items;
    expect(tests.some((i) => typeof i.value?.value === 'number' && i.value.unit && i.value.referenceRange)).toBe(true);
  });

  it('lists one item per imaging exam: report, images and procedure together, with the report status and conclusion and the study facts', () => {
    const imaging = category('imaging-results');
    expect(imaging.count).toBe(5);
    const mammogram = imaging.items.find((item) => item.date?.startsWith('2023-09-05'))!;
    expect(mammogram.resourceType).toBe('DiagnosticReport');
    expect(mammogram.status).toBe('final');
    expect(mammogram.conclusion).toMatch(/mass/i);
    expect(mammogram.parts?.map((part) => part.resourceType).sort()).toEqual(['DiagnosticReport', 'ImagingStudy', 'Procedure']);
    expect(mammogram.study).toMatchObject({ modalities: expect.arrayContaining(['Mammography']) as unknown });
    expect(mammogram.title).not.toMatch(/^[A-Z0-9 /&-]+$/);
    // The ten records of the five exams (the issue's ten rows), each in exactly one item.
    expect(imaging.items.reduce((sum, item) => sum + (item.partCount ?? 1), 0)).toBe(10);
    for (const item of imaging.items) expect(item.parts?.length ?? 1, item.title).toBe(item.partCount ?? 1);
    expect(imaging.items.filter((item) => item.parts?.some((part) => part.resourceType === 'ImagingStudy')).every((item) => item.study !== undefined)).toBe(true);
  });

  it('shows an operation and its operative note as one item', () => {
    const operations = category('operation-reports').items;
    const lumpectomy = operations.filter((item) => /lumpectomy/i.test(item.title));
    expect(lumpectomy).toHaveLength(1);
    expect(lumpectomy[0].resourceType).toBe('Procedure');
    expect(lumpectomy[0].parts?.map((part) => part.resourceType).sort()).toEqual(['DocumentReference', 'Procedure']);
    expect(operations.some((item) => item.resourceType === 'DocumentReference' && /op note/i.test(item.title))).toBe(false);
  });

  it('names no medicine and strength twice, and keeps every source of a merged one', () => {
    const medicines = category('medicines-and-supplements').items;
    const lisinopril = medicines.filter((item) => /lisinopril/i.test(item.title));
    expect(lisinopril).toHaveLength(1);
    expect(fromPortals(lisinopril[0])).toEqual([portals.northside, portals.riverside].sort());
    const names = medicines.map((item) => item.title.toLowerCase().replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim());
    expect(new Set(names).size).toBe(names.length);
  });

  it('shows no raw UCUM unit in any answer of the binder', async () => {
    const raw = /\[iU\]|\[IU\]|10\*\d|mm\[Hg\]|\{[A-Za-z0-9_.#]+\}|"unit":\s*"[^"]*[[\]{}*]/;
    const answers = [(await t.app.inject({ method: 'GET', url: '/api/record', headers: { cookie: patient.cookie } })).body];
    for (const id of CATEGORY_IDS) answers.push((await t.app.inject({ method: 'GET', url: `/api/record/${id}?limit=200`, headers: { cookie: patient.cookie } })).body);
    for (const answer of answers) expect(answer).not.toMatch(raw);
    // The demo's results carry UCUM codes, so this is not vacuous: their readable forms are there.
    const all = answers.join('');
    for (const readable of ['×10³/µL', '2,000 IU']) expect(all.includes(readable), readable).toBe(true);
  });

  it('summarises the chemotherapy with doses over months, the radiation course and the side effects', () => {
    const ingredients = binder.treatmentSummary.medicines.map((m) => m.ingredient.toLowerCase());
    expect(ingredients).toEqual(expect.arrayContaining(['docetaxel', 'cyclophosphamide']));
    const docetaxel = binder.treatmentSummary.medicines.find((m) => m.ingredient.toLowerCase() === 'docetaxel')!;
    expect(docetaxel.administrations).toBeGreaterThanOrEqual(4);
    expect(binder.treatmentSummary.radiation.length).toBeGreaterThan(0);
    expect(binder.treatmentSummary.radiation.some((course) => (course.totalDoseGy ?? 0) > 0)).toBe(true);
    const continued = (what: RegExp) => binder.sideEffects.find((s) => what.test(s.what))?.continuedAfterTreatment;
    // Still active after chemotherapy ended; gone weeks after radiation ended; over during chemotherapy.
    expect(continued(/neuropathy \(docetaxel\)/i)).toBe('yes');
    expect(continued(/radiation dermatitis/i)).toBe('yes');
    expect(continued(/nausea/i)).toBe('no');
  });

  it('reads the ongoing pill as dose and frequency since its start, and the radiation course from its first fraction with its delivered technique', () => {
    const anastrozole = binder.treatmentSummary.medicines.find((m) => m.ingredient === 'anastrozole')!;
    expect(anastrozole).toMatchObject({ regimen: 'continuous', doses: [], lastDate: null, administrations: 0 });
    expect(anastrozole.doseText).toMatch(/^1 mg /);
    expect(anastrozole.since?.slice(0, 10)).toBe('2024-05-21');
    expect(anastrozole.evidence.doseText.length).toBeGreaterThan(0);
    const breast = binder.treatmentSummary.radiation.find((course) => /breast/i.test(course.site ?? ''))!;
    expect(breast).toMatchObject({ modality: 'photon', totalDoseGy: 42.56, fractions: 16 });
    expect(breast.startDate?.slice(0, 10)).toBe('2024-03-11');
    expect(breast.evidence.totalDoseGy.length).toBe(1);
    const dermatitis = binder.sideEffects.find((effect) => /radiation dermatitis/i.test(effect.what))!;
    expect(dermatitis.linkedTreatments.map((treatment) => treatment.name)).toEqual(['radiation to Right breast']);
  });

  it('pages a category with an opaque cursor, every item once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let total: number;
    do {
      const url: string = `/api/record/health-history-tests?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ method: 'GET', url, headers: { cookie: patient.cookie } })).json<Category>();
      total = page.count;
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next;
    } while (cursor);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('answers 304 when nothing changed', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/record/vaccines', headers: { cookie: patient.cookie } });
    const again = await t.app.inject({ method: 'GET', url: '/api/record/vaccines', headers: { cookie: patient.cookie, 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    // Any change to the patient's records (here a direct update) makes the old tag stale.
    await t.pool.query(`UPDATE records SET last_changed_at = now() WHERE id = (SELECT min(id) FROM records WHERE account_id = $1)`, [patient.accountId]);
    const changed = await t.app.inject({ method: 'GET', url: '/api/record/vaccines', headers: { cookie: patient.cookie, 'if-none-match': String(first.headers.etag) } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(first.headers.etag);
  });

  it('filters by portal and date', async () => {
    const onlyRiverside = (await t.app.inject({ method: 'GET', url: `/api/record?portal=${portals.riverside}`, headers: { cookie: patient.cookie } })).json<Record>();
    for (const c of onlyRiverside.categories) for (const item of c.items) expect(fromPortals(item)).toContain(portals.riverside);
    const recent = (await t.app.inject({ method: 'GET', url: '/api/record/health-history-tests?from=2100-01-01', headers: { cookie: patient.cookie } })).json<Category>();
    expect(recent.count).toBe(0);
    const bad = await t.app.inject({ method: 'GET', url: '/api/record?from=yesterday', headers: { cookie: patient.cookie } });
    expect(bad.statusCode).toBe(400);
  });

  it('returns a record with its sources, and 404 for another account', async () => {
    const item = category('pathology-reports').items[0];
    const shown = await t.app.inject({ method: 'GET', url: `/api/resources/${item.id}`, headers: { cookie: patient.cookie } });
    expect(shown.statusCode).toBe(200);
    const body = shown.json<{ resource: { resourceType: string }; sources: Array<{ portalId: string }> }>();
    expect(body.resource.resourceType).toBe(item.resourceType);
    expect(body.sources.map((s) => s.portalId).sort()).toEqual(fromPortals(item));
    const stranger = await signedInPatient(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/api/resources/${item.id}`, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/record/vaccines`, headers: { cookie: stranger.cookie } })).json<Category>().count).toBe(0);
  });

  it('serves documents with their content type, never as active content', async () => {
    const documents = binder.categories.flatMap((c) => c.items.flatMap((i) => i.documents));
    const pdf = documents.find((d) => d.contentType === 'application/pdf');
    expect(pdf).toBeDefined();
    const served = await t.app.inject({ method: 'GET', url: pdf!.url, headers: { cookie: patient.cookie } });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(served.headers['content-security-policy']).toMatch(/sandbox/);
    const stranger = await signedInPatient(t.app);
    expect((await t.app.inject({ method: 'GET', url: pdf!.url, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
    // HTML delivered by a portal is shown as text, not run.
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO documents (account_id, link_id, source_url, content_type, size_bytes, sha256, content)
       SELECT $1, id, 'https://portal.example/evil.html', 'text/html', 28, sha256('<script>alert(1)</script>'::bytea), '<script>alert(1)</script>'::bytea
         FROM links WHERE account_id = $1 LIMIT 1 RETURNING id::text`,
      [patient.accountId],
    );
    const html = await t.app.inject({ method: 'GET', url: `/api/documents/d${rows[0].id}`, headers: { cookie: patient.cookie } });
    expect(html.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('exports every stored resource as a FHIR collection Bundle saying where each came from', async () => {
    const exported = await t.app.inject({ method: 'GET', url: '/api/record/export.json', headers: { cookie: patient.cookie } });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const bundle = exported.json<{ resourceType: string; type: string; entry: Array<{ fullUrl: string; resource: { resourceType: string; id: string } }> }>();
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE account_id = $1', [patient.accountId]);
    const records = bundle.entry.filter((e) => !e.fullUrl.startsWith('urn:uuid:')); // fetched documents are urn:uuid Binary entries (test/integration/export-copy)
    expect(records).toHaveLength(rows[0].n);
    expect(new Set(bundle.entry.map((e) => e.fullUrl)).size).toBe(bundle.entry.length);
    for (const entry of records) expect(entry.fullUrl.endsWith(`/${entry.resource.resourceType}/${entry.resource.id}`)).toBe(true);
  });

  it("drops an unlinked portal's records when asked, and the binder's tags change with them", async () => {
    const before = await t.app.inject({ method: 'GET', url: '/api/record/vaccines', headers: { cookie: patient.cookie } });
    const links = (await t.app.inject({ method: 'GET', url: '/api/links', headers: { cookie: patient.cookie } })).json<{ links: Array<{ id: string; portal: { id: string } }> }>().links;
    const riverside = links.find((l) => l.portal.id === portals.riverside)!;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/links/${riverside.id}?deleteRecords=true`, headers: { cookie: patient.cookie } })).statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/record/vaccines', headers: { cookie: patient.cookie, 'if-none-match': String(before.headers.etag) } });
    expect(after.statusCode).toBe(200);
    const page = after.json<Category>();
    expect(page.count).toBeLessThan(before.json<Category>().count);
    for (const item of page.items) expect(fromPortals(item)).toEqual([portals.northside]);
  });
});
