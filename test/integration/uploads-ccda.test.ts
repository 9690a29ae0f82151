// C-CDA uploads end to end: documents written from the C-CDA R2.1 (and R1.1) templates are filed
// by a real worker, their sections as ordinary records, the document itself viewable.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';
import { uniquePrefix } from '../helpers/services.js';
import { startTestWorkers } from '../helpers/workers.js';
import { binder, uploadAndWait, type BinderItem } from './uploads-helpers.js';

let t: TestApp;
let workers: Awaited<ReturnType<typeof startTestWorkers>>;
const prefix = uniquePrefix('uploads-ccda');
const today = () => new Date().toISOString().slice(0, 10);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/ccda/${name}`, import.meta.url));

beforeAll(async () => {
  t = await buildTestApp({ queuePrefix: prefix });
  workers = await startTestWorkers(prefix);
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

async function served(cookie: string, item: BinderItem, contentType: string): Promise<{ body: Buffer; contentType: string | undefined }> {
  const document = item.documents.find((d) => d.contentType === contentType);
  expect(document, `a ${contentType} document on "${item.title}"`).toBeDefined();
  const response = await t.app.inject({ method: 'GET', url: document!.url, headers: { cookie } });
  expect(response.statusCode).toBe(200);
  return { body: response.rawPayload, contentType: response.headers['content-type'] as string | undefined };
}

describe('uploading a Continuity of Care Document (C-CDA R2.1)', () => {
  it('files every structured section as ordinary records under the upload as source', async () => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'CCD.xml', content: fixture('ccd-r2.1.xml'), contentType: 'text/xml' });
    expect(done).toMatchObject({ state: 'done', contentType: 'application/xml' });
    expect(done.warnings).toEqual([]);
    const items = await binder(t.app, patient.cookie);
    const titles = (category: string) => items[category].map((i) => i.title);
    expect(titles('health-problems')).toEqual(expect.arrayContaining(['Malignant neoplasm of upper-outer quadrant of left female breast', 'Essential hypertension']));
    expect(titles('medicines-and-supplements')).toEqual(expect.arrayContaining(['letrozole 2.5 MG Oral Tablet', 'cholecalciferol 1000 UNT Oral Capsule']));
    expect(titles('vaccines')).toEqual(['Influenza, seasonal, injectable, preservative free']);
    expect(titles('health-history-tests')).toContain('CBC panel - Blood by Automated count');
    for (const item of Object.values(items).flat()) expect(item.sources).toEqual([{ portalId: `upload:${done.id}`, portalName: `Uploaded: CCD.xml (${new Date().toISOString().slice(0, 10)})` }]);
    const vitamin = items['medicines-and-supplements'].find((i) => i.title.startsWith('cholecalciferol'))!;
    const resource = await t.app.inject({ method: 'GET', url: `/api/resources/${vitamin.id}`, headers: { cookie: patient.cookie } });
    expect(resource.json<{ resource: unknown }>().resource).toMatchObject({
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: { reference: 'Patient/patient' },
      effectivePeriod: { start: '2022-01-10' },
      dosage: [{ text: 'Vitamin D3 1000 unit capsule, once daily', doseAndRate: [{ doseQuantity: { value: 1000, unit: '[iU]' } }] }],
    });
  });
});

describe('uploading clinical documents (C-CDA R2.1 and R1.1)', () => {
  it.each([
    { file: 'discharge-summary-r1.1.xml', category: 'discharge-summaries', title: 'Discharge Summary', text: 'Uneventful recovery; drain removed on day 3.' },
    { file: 'operative-note-r2.1.xml', category: 'operation-reports', title: 'Operative Note: Left Partial Mastectomy', text: 'Wire-localised partial mastectomy' },
    { file: 'imaging-report-r2.1.xml', category: 'imaging-results', title: 'CT Chest with Contrast', text: 'No evidence of metastatic disease in the chest.' },
  ])('files $file as $category, with its text and its original XML viewable', async ({ file, category, title, text }) => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: file, content: fixture(file) });
    expect(done.state).toBe('done');
    expect(done.categories).toContain(category);
    const items = await binder(t.app, patient.cookie);
    const document = items[category].find((i) => i.resourceType === 'DocumentReference')!;
    expect(document.title).toBe(title);
    expect(document.sources[0].portalName).toBe(`Uploaded: ${file} (${today()})`);
    expect((await served(patient.cookie, document, 'text/plain')).body.toString('utf8')).toContain(text);
    const original = await served(patient.cookie, document, 'application/xml');
    expect(original.body.equals(fixture(file))).toBe(true);
    expect(original.contentType).not.toMatch(/xml|html/);
  });

  it("files the R1.1 discharge summary's problems, medications and allergies too", async () => {
    const patient = await signedInPatient(t.app);
    await uploadAndWait(t.app, patient.cookie, { name: 'ds.xml', content: fixture('discharge-summary-r1.1.xml') });
    const items = await binder(t.app, patient.cookie);
    expect(items['health-problems'].map((i) => i.title)).toContain('Malignant neoplasm of unspecified site of left female breast');
    // The discharge medication ended: kept as a record, not on the current list.
    const { rows } = await t.pool.query<{ resource_type: string; title: string; status: string | null }>(
      `SELECT resource_type, title, status FROM records WHERE account_id = $1 AND resource_type IN ('MedicationStatement', 'AllergyIntolerance') ORDER BY resource_type`,
      [patient.accountId],
    );
    expect(rows).toEqual([
      { resource_type: 'AllergyIntolerance', title: 'Allergy: Sulfamethoxazole', status: 'active' },
      { resource_type: 'MedicationStatement', title: 'Acetaminophen 500 MG Oral Tablet', status: 'completed' },
    ]);
  });

  it("files an operative note's procedures as operations beside the note", async () => {
    const patient = await signedInPatient(t.app);
    await uploadAndWait(t.app, patient.cookie, { name: 'op.xml', content: fixture('operative-note-r2.1.xml') });
    const titles = (await binder(t.app, patient.cookie))['operation-reports'].map((i) => i.title);
    expect(titles).toEqual(expect.arrayContaining(['Operative Note: Left Partial Mastectomy', 'Sentinel lymph node biopsy']));
  });

  it("files an unstructured pathology report with its embedded PDF viewable as a PDF", async () => {
    const patient = await signedInPatient(t.app);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'path.xml', content: fixture('unstructured-pathology-pdf.xml') });
    expect(done.categories).toEqual(['pathology-reports']);
    const [report] = (await binder(t.app, patient.cookie))['pathology-reports'];
    expect(report).toMatchObject({ resourceType: 'DocumentReference', title: 'Surgical Pathology Report', date: '2024-01-20' });
    const pdf = await served(patient.cookie, report, 'application/pdf');
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('files progress and consultation notes by their entries, the notes themselves kept', async () => {
    const patient = await signedInPatient(t.app);
    const progress = await uploadAndWait(t.app, patient.cookie, { name: 'progress.xml', content: fixture('progress-note-r2.1.xml') });
    const consult = await uploadAndWait(t.app, patient.cookie, { name: 'consult.xml', content: fixture('consultation-note-r1.1.xml') });
    expect(progress.categories).toEqual(expect.arrayContaining(['medicines-and-supplements']));
    expect(consult.categories).toEqual(['health-problems']);
    const { rows } = await t.pool.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE account_id = $1 AND resource_type = 'DocumentReference'`, [patient.accountId]);
    expect(Number(rows[0].n)).toBe(2);
  });

  it("keeps a document about another patient than the account's, with a warning", async () => {
    const patient = await signedInPatient(t.app);
    await uploadAndWait(t.app, patient.cookie, { name: 'ccd.xml', content: fixture('ccd-r2.1.xml') });
    // The account's patient is known from a linked portal's Patient (uploads do not count).
    await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id) VALUES ('ccda-portal', 'CCDA Hospital', 'https://ccda.example/fhir', 'c') ON CONFLICT DO NOTHING`);
    const { rows } = await t.pool.query<{ id: string }>(`INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, 'ccda-portal', 'p1', 'active') RETURNING id`, [patient.accountId]);
    const { upsertRecords } = await import('../../src/sync/storage.js');
    const { toRecordRow } = await import('../../src/sync/record-row.js');
    await upsertRecords(t.pool, patient.accountId, rows[0].id, [toRecordRow({ resourceType: 'Patient', id: 'p1', name: [{ given: ['Jane'], family: 'Doe' }], birthDate: '1970-05-12' }, 'ccda-portal')]);
    const done = await uploadAndWait(t.app, patient.cookie, { name: 'smith.xml', content: fixture('unstructured-text-r1.1.xml') });
    expect(done.state).toBe('done');
    expect(done.warnings).toEqual([
      'This file is about "John Smith", not "Jane Doe" as your account says. It is kept: check that it is yours.',
      'This file gives the birth date 1955-01-01, not 1970-05-12 as your account says. It is kept: check that it is yours.',
    ]);
    expect((await binder(t.app, patient.cookie))['discharge-summaries']).toHaveLength(1);
  });

  it('uploading the same document twice shows its records once, with both uploads as sources', async () => {
    const patient = await signedInPatient(t.app);
    await uploadAndWait(t.app, patient.cookie, { name: 'first.xml', content: fixture('ccd-r2.1.xml') });
    await uploadAndWait(t.app, patient.cookie, { name: 'again.xml', content: fixture('ccd-r2.1.xml') });
    const vaccines = (await binder(t.app, patient.cookie)).vaccines;
    expect(vaccines).toHaveLength(1);
    expect(vaccines[0].sources.map((s) => s.portalName).sort()).toEqual([`Uploaded: again.xml (${today()})`, `Uploaded: first.xml (${today()})`]);
  });
});
